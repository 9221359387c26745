//
// The writer of the shared rooms (plugins/chatroom/redis/ChangeWriter.h)
// alone against a real redis-server: typed changes become script calls in
// the order they were handed over, each once; nick verdicts come back; the
// members are registered again on connection; while Redis is unreachable
// posts wait (up to the queue limit) and go out once it is back, typing
// notices do not; an absence lets another instance hand the nick to the
// same speaker; stopping removes the instance's key.
//

#include "RedisServer.h"

#include "redis/ChangeWriter.h"
#include "redis/Keyspace.h"
#include "redis/RedisLink.h"

#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <thread>

using namespace webchat::test;
using webchat::chatroom::HistoryStore;
using webchat::chatroom::Name;
using webchat::chatroom::NameRules;
using webchat::chatroom::SharedRooms;
using webchat::chatroom::redis::ChangeWriter;
using webchat::chatroom::redis::RedisLink;
using webchat::chatroom::redis::RedisOptions;

namespace {

// What the writer asks of the rooms: this instance's members (for the
// syncs on connection). Nothing is delivered to it.
class Members: public SharedRooms::Sink
{
public:
	explicit Members(std::map<std::string, std::vector<Name>> local = {}): _local(std::move(local)) {}

	std::optional<SharedRooms::Position> position(const std::string&) override { return std::nullopt; }
	void message(const std::string&, const std::string&, const HistoryStore::Message&) override {}
	void reload(const std::string&) override {}
	void presence(const std::string&, const SharedRooms::Presence&) override {}
	void remoteMembers(const std::string&, const std::map<std::string, std::string>&) override {}
	void instanceGone(const std::string&) override {}
	std::map<std::string, std::vector<Name>> localMembers() override { return _local; }
	std::vector<std::string> remoteInstances() override { return {}; }

private:
	std::map<std::string, std::vector<Name>> _local;
};

RedisOptions options(const RedisServer& redis)
{
	RedisOptions o;
	o.address = redis.address();
	o.ns = "t";
	o.timeoutMs = 1000;
	o.presenceTtlMs = 3000;
	return o;
}

HistoryStore::Message text(const std::string& nick, const std::string& words)
{
	HistoryStore::Message message;
	message.nick = nick;
	message.text = words;
	message.ts = 1764150000000;
	return message;
}

bool waitUntilUp(const ChangeWriter& writer)
{
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
	while (!writer.linkUp())
	{
		if (std::chrono::steady_clock::now() > deadline) return false;
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	}
	return true;
}

Poco::Logger& logger()
{
	return Poco::Logger::get("test.changewriter");
}

// The writers of two instances, A and B, with no members, connected.
struct TwoInstances
{
	explicit TwoInstances(const RedisServer& redis): a(options(redis), "A", logger()), b(options(redis), "B", logger())
	{
		a.start(none);
		b.start(none);
		CPPUNIT_ASSERT(waitUntilUp(a) && waitUntilUp(b));
	}

	Members none;
	ChangeWriter a;
	ChangeWriter b;
};

// What Redis holds, read on a connection of the test's own.
class Inspector
{
public:
	explicit Inspector(const RedisServer& redis): _link(redis.address(), Poco::Timespan(2, 0)) {}

	// The room's log as "<id> <nick>: <text>".
	std::vector<std::string> log(const std::string& room)
	{
		std::vector<std::string> lines;
		const auto entries = RedisLink::array(_link.run(RedisLink::command({"XRANGE", _keys.log(room), "-", "+"})));
		for (auto it = entries.begin(); it != entries.end(); ++it)
		{
			const auto [id, fields] = RedisLink::streamEntry(*it);
			std::string nick, words;
			for (const auto& [name, value] : fields)
			{
				if (name == "nick") nick = value;
				if (name == "text") words = value;
			}
			lines.push_back(id + " " + nick + ": " + words);
		}
		return lines;
	}

	// The room's feed's entries as their type letters (t), in order.
	std::string feedKinds(const std::string& room = "lobby")
	{
		std::string kinds;
		const auto entries = RedisLink::array(_link.run(RedisLink::command({"XRANGE", _keys.feed(room), "-", "+"})));
		for (auto it = entries.begin(); it != entries.end(); ++it)
			for (const auto& [name, value] : RedisLink::streamEntry(*it).second)
				if (name == "t") kinds += value;
		return kinds;
	}

	std::int64_t globalFeedLength() { return RedisLink::integer(_link.run(RedisLink::command({"XLEN", _keys.feed()}))); }

	/// The instance that holds nick's key in room, or (none).
	std::string presenceOf(const std::string& room, const std::string& nick)
	{
		const auto record = RedisLink::bulk(_link.run(RedisLink::command({"HGET", _keys.presence(room), NameRules::comparisonKey(nick)})));
		return record ? record->substr(0, record->find('\n')) : "(none)";
	}

	bool instanceAlive(const std::string& instance)
	{
		return RedisLink::integer(_link.run(RedisLink::command({"EXISTS", _keys.instance(instance)}))) == 1;
	}

private:
	RedisLink _link;
	const webchat::chatroom::redis::Keyspace _keys{"t"};
};

} // namespace

class ChangeWriterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ChangeWriterTest);
	CPPUNIT_TEST(testChangesGoOutInOrderOnce);
	CPPUNIT_TEST(testNickVerdicts);
	CPPUNIT_TEST(testPostsWaitForRedisUpToTheLimit);
	CPPUNIT_TEST(testAwayAndTypingGoOutInOrder);
	CPPUNIT_TEST_SUITE_END();

public:
	void testChangesGoOutInOrderOnce()
	{
		RedisServer redis;
		Inspector redisHolds(redis);
		Members members(std::map<std::string, std::vector<Name>>{{"lobby", {Name::of("An")}}});
		ChangeWriter writer(options(redis), "A", logger());
		writer.start(members);
		CPPUNIT_ASSERT(waitUntilUp(writer));
		CPPUNIT_ASSERT(redisHolds.instanceAlive("A"));

		CPPUNIT_ASSERT(writer.join("lobby", Name::of("Bo"), "") == SharedRooms::Verdict::Accepted);
		for (int i = 1; i <= 3; ++i)
			CPPUNIT_ASSERT(writer.post("lobby", {"E", 0}, text("Bo", "m" + std::to_string(i))) == SharedRooms::Posted::Sent);
		writer.leave("lobby", Name::of("Bo"));
		CPPUNIT_ASSERT(writer.flush());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), writer.queued());

		CPPUNIT_ASSERT((std::vector<std::string>{"0-1 Bo: m1", "0-2 Bo: m2", "0-3 Bo: m3"}) == redisHolds.log("lobby"));
		// The sync of the members it had on connecting, then the changes in
		// the order they were handed over.
		CPPUNIT_ASSERT_EQUAL(std::string("sjmmml"), redisHolds.feedKinds());
		// All in the room's feed; nothing of the room in the global one.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), redisHolds.globalFeedLength());
		CPPUNIT_ASSERT_EQUAL(std::string("A"), redisHolds.presenceOf("lobby", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("(none)"), redisHolds.presenceOf("lobby", "Bo"));

		writer.stop();
		CPPUNIT_ASSERT(!redisHolds.instanceAlive("A"));
		CPPUNIT_ASSERT(writer.post("lobby", {"E", 3}, text("Bo", "late")) == SharedRooms::Posted::Refused);
	}

	void testNickVerdicts()
	{
		RedisServer redis;
		TwoInstances writers(redis);
		ChangeWriter& a = writers.a;
		ChangeWriter& b = writers.b;
		CPPUNIT_ASSERT(a.join("lobby", Name::of("An"), "") == SharedRooms::Verdict::Accepted);
		CPPUNIT_ASSERT(b.join("lobby", Name::of("An"), "") == SharedRooms::Verdict::Taken);
		CPPUNIT_ASSERT(b.join("lobby", Name::of("Bo"), "") == SharedRooms::Verdict::Accepted);
		CPPUNIT_ASSERT(b.rename("lobby", Name::of("Bo"), Name::of("An")) == SharedRooms::Verdict::Taken);
		CPPUNIT_ASSERT(b.rename("lobby", Name::of("Bo"), Name::of("Cy")) == SharedRooms::Verdict::Accepted);
		// By key: another spelling of a nick held elsewhere is taken; of
		// one's own, accepted.
		CPPUNIT_ASSERT(b.join("lobby", Name::of("AN"), "") == SharedRooms::Verdict::Taken);
		CPPUNIT_ASSERT(b.rename("lobby", Name::of("Cy"), Name::of("cy")) == SharedRooms::Verdict::Accepted);
		// Another room is another namespace of nicks.
		CPPUNIT_ASSERT(b.join("elsewhere", Name::of("An"), "") == SharedRooms::Verdict::Accepted);
		// A's key gone (stopped): its nick is free.
		a.stop();
		CPPUNIT_ASSERT(b.join("lobby", Name::of("An"), "") == SharedRooms::Verdict::Accepted);
	}

	void testPostsWaitForRedisUpToTheLimit()
	{
		RedisServer redis;
		redis.kill();
		auto opts = options(redis);
		opts.queueLimit = 2;
		Members none;
		ChangeWriter writer(opts, "A", logger());
		writer.start(none);
		std::this_thread::sleep_for(std::chrono::milliseconds(200)); // a first attempt failed
		CPPUNIT_ASSERT(!writer.linkUp());
		CPPUNIT_ASSERT(writer.join("lobby", Name::of("An"), "") == SharedRooms::Verdict::Unavailable);
		CPPUNIT_ASSERT(writer.post("lobby", {"E", 0}, text("An", "one")) == SharedRooms::Posted::Delayed);
		CPPUNIT_ASSERT(writer.post("lobby", {"E", 0}, text("An", "two")) == SharedRooms::Posted::Delayed);
		CPPUNIT_ASSERT(writer.post("lobby", {"E", 0}, text("An", "three")) == SharedRooms::Posted::Refused);
		// A typing notice is now or never: not kept for later.
		writer.typing("lobby", "An");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), writer.queued());

		redis.start();
		CPPUNIT_ASSERT(waitUntilUp(writer));
		CPPUNIT_ASSERT(writer.flush());
		Inspector redisHolds(redis);
		CPPUNIT_ASSERT((std::vector<std::string>{"0-1 An: one", "0-2 An: two"}) == redisHolds.log("lobby"));
		CPPUNIT_ASSERT(writer.post("lobby", {"E", 2}, text("An", "four")) == SharedRooms::Posted::Sent);
		CPPUNIT_ASSERT(writer.flush());
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), redisHolds.log("lobby").size());
		CPPUNIT_ASSERT(redisHolds.feedKinds().find('y') == std::string::npos);
	}

	void testAwayAndTypingGoOutInOrder()
	{
		RedisServer redis;
		Inspector redisHolds(redis);
		TwoInstances writers(redis);
		ChangeWriter& a = writers.a;
		ChangeWriter& b = writers.b;
		CPPUNIT_ASSERT(a.join("lobby", Name::of("An"), "f1") == SharedRooms::Verdict::Accepted);
		a.typing("lobby", "An");
		// Queued behind the typing notice, the absence is in Redis when the
		// verdict below is asked for: B hands An's nick to An's speaker.
		a.away("lobby", Name::of("An"), "f1");
		CPPUNIT_ASSERT(a.flush());
		CPPUNIT_ASSERT(b.join("lobby", Name::of("An"), "f2") == SharedRooms::Verdict::Taken);
		CPPUNIT_ASSERT(b.join("lobby", Name::of("An"), "f1") == SharedRooms::Verdict::Accepted);
		CPPUNIT_ASSERT_EQUAL(std::string("B"), redisHolds.presenceOf("lobby", "An"));
		// A's leave at the end of the grace no longer counts.
		a.leave("lobby", Name::of("An"));
		CPPUNIT_ASSERT(a.flush());
		CPPUNIT_ASSERT_EQUAL(std::string("B"), redisHolds.presenceOf("lobby", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("jyj"), redisHolds.feedKinds());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ChangeWriterTest);
