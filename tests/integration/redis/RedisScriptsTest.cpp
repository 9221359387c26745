//
// The Lua scripts of the shared rooms (plugins/chatroom/redis/RedisScripts.h)
// run in a real redis-server, with the arguments their header documents:
// what the end-to-end tests cannot provoke on purpose (a post resent after
// its reply was lost, Redis losing its data, a dead instance's nick) is
// driven here directly.
//

#include "RedisServer.h"

#include "NameRules.h"
#include "redis/RedisLink.h"
#include "redis/Keyspace.h"
#include "redis/RedisScripts.h"
#include "redis/RoomRecords.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <thread>

using namespace webchat::test;
using webchat::chatroom::NameRules;
using webchat::chatroom::redis::RedisLink;
using webchat::chatroom::redis::Scripts;

namespace {

const std::string room = "lobby";
const webchat::chatroom::redis::Keyspace keys("t");
const std::string meta = keys.meta(room), logKey = keys.log(room), senders = keys.senders(room), presence = keys.presence(room), feed = keys.feed(room),
				  instancePrefix = keys.instancePrefix();

// Each room feed's window (redis_feed_ms): the tests read what they wrote
// within it.
const std::string feedWindow = "600000";

class Scripted
{
public:
	explicit Scripted(const RedisServer& redis): link(redis.address(), Poco::Timespan(2, 0)) {}

	std::int64_t post(const std::string& instance, int sequence, const std::string& epoch, int lastSeen, const std::string& text,
		const std::string& window = feedWindow)
	{
		return eval(Scripts::post, {meta, logKey, senders, feed},
			{instance, std::to_string(sequence), epoch, std::to_string(lastSeen), "nick", text, "1764150000000", room, "0", window, "", "0"});
	}

	std::int64_t join(const std::string& instance, const std::string& nick, const std::string& from = "")
	{
		return eval(Scripts::join, {presence, feed}, {instance, key(nick), nick, room, instancePrefix, feedWindow, from});
	}

	std::int64_t away(const std::string& instance, const std::string& nick, const std::string& from)
	{
		return eval(Scripts::away, {presence}, {instance, key(nick), from});
	}

	std::int64_t leave(const std::string& instance, const std::string& nick)
	{
		return eval(Scripts::leave, {presence, feed}, {instance, key(nick), nick, room, feedWindow});
	}

	std::int64_t rename(const std::string& instance, const std::string& from, const std::string& to)
	{
		return eval(Scripts::rename, {presence, feed}, {instance, key(from), from, key(to), to, room, instancePrefix, feedWindow});
	}

	/// The room's keys of before the hash tags taken over (Scripts::adopt).
	std::int64_t adopt()
	{
		std::vector<std::string> keysNow;
		for (const char* part : {"meta", "log", "senders", "deleted"}) keysNow.push_back(keys.untagged(room, part));
		keysNow.insert(keysNow.end(), {meta, logKey, senders, keys.deleted(room), keys.untagged(room, "presence")});
		return eval(Scripts::adopt, keysNow, {});
	}

	std::int64_t sync(const std::string& instance, const std::vector<std::string>& nicks)
	{
		std::vector<std::string> args{instance, room, instancePrefix, feedWindow};
		for (const auto& nick : nicks)
		{
			args.push_back(key(nick));
			args.push_back(nick);
		}
		return eval(Scripts::sync, {presence, feed}, args);
	}

	static std::string key(const std::string& nick) { return NameRules::comparisonKey(nick); }

	/// The presence record of nick's key: "<instance>\n<nick as shown>"
	/// (then "\n<from>" while away), or (nil).
	std::string holder(const std::string& nick) { return field(presence, key(nick)); }

	void alive(const std::string& instance) { link.run(RedisLink::command({"SET", instancePrefix + instance, "1"})); }
	void dead(const std::string& instance) { link.run(RedisLink::command({"DEL", instancePrefix + instance})); }

	std::int64_t count(const std::string& command, const std::string& key) { return RedisLink::integer(link.run(RedisLink::command({command, key}))); }

	std::string field(const std::string& key, const std::string& name)
	{
		return RedisLink::bulk(link.run(RedisLink::command({"HGET", key, name}))).value_or("(nil)");
	}

	/// The texts of the room's log, oldest first, with their entry ids.
	std::vector<std::string> logged()
	{
		std::vector<std::string> out;
		const auto& entries = RedisLink::array(link.run(RedisLink::command({"XRANGE", logKey, "-", "+"})));
		if (entries.isNull()) return out;
		for (auto it = entries.begin(); it != entries.end(); ++it)
		{
			const auto entry = RedisLink::streamEntry(*it);
			for (const auto& [name, value] : entry.second)
				if (name == "text") out.push_back(entry.first + " " + value);
		}
		return out;
	}

	RedisLink link;

private:
	std::int64_t eval(const char* script, const std::vector<std::string>& keys, const std::vector<std::string>& args)
	{
		RedisLink::Command command;
		command << "EVAL" << std::string(script) << std::to_string(keys.size());
		for (const auto& key : keys) command << key;
		for (const auto& arg : args) command << arg;
		return RedisLink::integer(link.run(command));
	}
};

} // namespace

class RedisScriptsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RedisScriptsTest);
	CPPUNIT_TEST(testPostsAreNumberedOnceEach);
	CPPUNIT_TEST(testNumberingSurvivesLostData);
	CPPUNIT_TEST(testNicksBelongToLiveInstances);
	CPPUNIT_TEST(testNicksAreOneByKey);
	CPPUNIT_TEST(testAnAwayMemberMovesWithItsSpeaker);
	CPPUNIT_TEST(testSyncReplacesAnInstancesMembers);
	CPPUNIT_TEST(testErrorRepliesCarryTheirCode);
	CPPUNIT_TEST(testUntaggedKeysAreAdoptedOnce);
	CPPUNIT_TEST(testARoomFeedKeepsItsWindow);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPostsAreNumberedOnceEach()
	{
		RedisServer redis;
		Scripted s(redis);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.post("a", 1, "E", 0, "one"));
		// The same post again (its reply was lost): not added twice.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.post("a", 1, "E", 0, "one"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(2), s.post("a", 2, "E", 1, "two"));
		// Another instance's sequence is its own.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(3), s.post("b", 1, "E", 2, "three"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.post("a", 2, "E", 1, "two"));
		CPPUNIT_ASSERT((std::vector<std::string>{"0-1 one", "0-2 two", "0-3 three"}) == s.logged());
		CPPUNIT_ASSERT_EQUAL(std::int64_t(3), s.count("XLEN", feed));
		CPPUNIT_ASSERT_EQUAL(std::string("E"), s.field(meta, "epoch"));
		CPPUNIT_ASSERT_EQUAL(std::string("3"), s.field(meta, "seq"));
	}

	void testNumberingSurvivesLostData()
	{
		RedisServer redis;
		Scripted s(redis);
		for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT_EQUAL(std::int64_t(i), s.post("a", i, "E", i - 1, "m" + std::to_string(i)));
		// Redis lost everything; an instance that saw id 3 of epoch E posts:
		// the room goes on from 4 under E, so no client sees an id again.
		s.link.run(RedisLink::command({"FLUSHALL"}));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(4), s.post("b", 1, "E", 3, "m4"));
		CPPUNIT_ASSERT_EQUAL(std::string("E"), s.field(meta, "epoch"));
		// What a copy of another epoch has seen does not count.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(5), s.post("c", 1, "X", 100, "m5"));
		// Nor is the log ever behind: its newest entry wins over a lost seq.
		s.link.run(RedisLink::command({"HDEL", meta, "seq"}));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(6), s.post("c", 2, "E", 0, "m6"));
		CPPUNIT_ASSERT((std::vector<std::string>{"0-4 m4", "0-5 m5", "0-6 m6"}) == s.logged());
	}

	void testNicksBelongToLiveInstances()
	{
		RedisServer redis;
		Scripted s(redis);
		s.alive("a");
		s.alive("b");
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", "An"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.join("b", "An"));
		// A join resent by its own instance is still its own.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\nAn"), s.holder("An"));
		// Only the holder's leave counts.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.leave("b", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\nAn"), s.holder("An"));
		// Renames: not onto a live holder's nick (this instance's included).
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("b", "Binh"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.rename("b", "Binh", "An"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", "Chi"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.rename("a", "Chi", "An"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.rename("b", "Binh", "Bình"));
		CPPUNIT_ASSERT_EQUAL(std::string("(nil)"), s.holder("Binh"));
		CPPUNIT_ASSERT_EQUAL(std::string("b\nBình"), s.holder("Bình"));
		// A dead instance's nicks are free.
		s.dead("a");
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("b", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("b\nAn"), s.holder("An"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.leave("b", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("(nil)"), s.holder("An"));
	}

	void testAnAwayMemberMovesWithItsSpeaker()
	{
		RedisServer redis;
		Scripted s(redis);
		s.alive("a");
		s.alive("b");
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", "An", "f1"));
		// Present on a: nobody takes it, not even its own speaker.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.join("b", "An", "f1"));
		// Away: only a's own member is marked, and only with a speaker.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.away("b", "An", "f1"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.away("a", "An", ""));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.away("a", "Nobody", "f1"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.away("a", "An", "f1"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\nAn\nf1"), s.holder("An"));
		// Another speaker, or none, still finds it taken.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.join("b", "An", "f2"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.join("b", "An", ""));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.join("b", "AN", "f"));
		// Back on its own instance: present again, the mark gone.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", "An", "f1"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\nAn"), s.holder("An"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.join("b", "An", "f1"));
		// Away again, back through b (in another spelling): b's now, and
		// a's leave at the end of its grace changes nothing.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.away("a", "An", "f1"));
		const std::int64_t feedBefore = s.count("XLEN", feed);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("b", "an", "f1"));
		CPPUNIT_ASSERT_EQUAL(std::string("b\nan"), s.holder("An"));
		CPPUNIT_ASSERT_EQUAL(feedBefore + 1, s.count("XLEN", feed));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.leave("a", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("b\nan"), s.holder("An"));
		// The nick as others read it (RoomRecords) is the nick, mark or not.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.away("b", "an", "f1"));
		const auto members = webchat::chatroom::redis::otherInstancesMembers(s.link, webchat::chatroom::redis::Keyspace("t"), room, "a");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), members.size());
		CPPUNIT_ASSERT_EQUAL(std::string("an"), members[0].nick);
		CPPUNIT_ASSERT_EQUAL(std::string("b"), members[0].instance);
	}

	void testNicksAreOneByKey()
	{
		RedisServer redis;
		Scripted s(redis);
		s.alive("a");
		s.alive("b");
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", "alice"));
		// Other spellings of alice are alice, held by a live instance.
		for (const char* other : {"ALICE", "Alice", "\uFF41\uFF4C\uFF49\uFF43\uFF45", "\u0430lice"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(other, std::int64_t(0), s.join("b", other));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("b", "bob"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.rename("b", "bob", "ALICE"));
		// Her own nick in another spelling: shown so from now on.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.rename("a", "alice", "Alice"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\nAlice"), s.holder("alice"));
		// One record for her, one for bob.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(2), s.count("HLEN", presence));
		// The leave of any spelling is hers.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.leave("a", "ALICE"));
		CPPUNIT_ASSERT_EQUAL(std::string("(nil)"), s.holder("alice"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("b", "ALICE"));
	}

	void testSyncReplacesAnInstancesMembers()
	{
		RedisServer redis;
		Scripted s(redis);
		s.alive("a");
		s.alive("b");
		for (const char* nick : {"x", "y"}) CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", nick));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("b", "w"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.sync("a", {"y", "z", "w"}));
		CPPUNIT_ASSERT_EQUAL(std::string("(nil)"), s.holder("x"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\ny"), s.holder("y"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\nz"), s.holder("z"));
		// A live instance's nick stays its own.
		CPPUNIT_ASSERT_EQUAL(std::string("b\nw"), s.holder("w"));
		// The feed says so: the sync entry lists all three.
		const auto& newest = RedisLink::array(s.link.run(RedisLink::command({"XREVRANGE", feed, "+", "-", "COUNT", "1"})));
		const auto entry = RedisLink::streamEntry(*newest.begin());
		bool listed = false;
		for (const auto& [name, value] : entry.second) listed = listed || (name == "nicks" && value == "y\nz\nw");
		CPPUNIT_ASSERT(listed);
		// An instance with nobody left.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.sync("a", {}));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.count("HLEN", presence));
	}

	// The writer retries or drops a change by the error's code, Redis's
	// first word, whatever text follows it.
	void testErrorRepliesCarryTheirCode()
	{
		RedisServer redis;
		Scripted s(redis);
		const auto replies = s.link.pipeline({
			RedisLink::command({"EVALSHA", "0123456789012345678901234567890123456789", "0"}),
			RedisLink::command({"NOSUCHCOMMAND"}),
			RedisLink::command({"PING"}),
		});
		CPPUNIT_ASSERT(RedisLink::isError(replies[0]));
		CPPUNIT_ASSERT_EQUAL(std::string("NOSCRIPT"), RedisLink::errorCode(replies[0]));
		CPPUNIT_ASSERT(RedisLink::errorText(replies[0]).size() > std::string("NOSCRIPT").size());
		CPPUNIT_ASSERT_EQUAL(std::string("ERR"), RedisLink::errorCode(replies[1]));
		CPPUNIT_ASSERT(!RedisLink::isError(replies[2]));
	}

	// A room's feed keeps the changes of its last redis_feed_ms (XADD
	// MINID ~: whole nodes of older entries go) and expires when nothing
	// was added for that long; the log keeps every message regardless.
	void testARoomFeedKeepsItsWindow()
	{
		RedisServer redis;
		Scripted s(redis);
		for (int i = 1; i <= 250; ++i) CPPUNIT_ASSERT_EQUAL(std::int64_t(i), s.post("a", i, "e1", i - 1, "m" + std::to_string(i)));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(250), s.count("XLEN", feed));
		const std::int64_t ttl = s.count("PTTL", feed);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(ttl), ttl > 500000 && ttl <= 600000);
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		// A 20 ms window: the 250 of 50 ms ago are out of it.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(251), s.post("a", 251, "e1", 250, "late", "20"));
		const std::int64_t kept = s.count("XLEN", feed);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(kept), kept >= 1 && kept <= 101);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(251), s.count("XLEN", logKey));
		CPPUNIT_ASSERT(s.count("PTTL", feed) <= 20);
		std::this_thread::sleep_for(std::chrono::milliseconds(100));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.count("EXISTS", feed));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(251), s.count("XLEN", logKey));
	}

	void testUntaggedKeysAreAdoptedOnce()
	{
		RedisServer redis;
		Scripted s(redis);
		// Nothing of before: nothing to do.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.adopt());
		// A room of before: its numbering, log and senders move under the
		// tag, its presence (instances of before) is dropped; a join made
		// before the load (tagged presence) stays.
		for (const auto& [key, value] : {std::pair<std::string, std::string>{"epoch", "E"}, {"seq", "2"}})
			s.link.run(RedisLink::command({"HSET", keys.untagged(room, "meta"), key, value}));
		s.link.run(RedisLink::command({"XADD", keys.untagged(room, "log"), "0-2", "text", "two"}));
		s.link.run(RedisLink::command({"HSET", keys.untagged(room, "senders"), "old", "7"}));
		s.link.run(RedisLink::command({"HSET", keys.untagged(room, "presence"), "ghost", "old\nGhost"}));
		s.alive("a");
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.join("a", "An"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), s.adopt());
		CPPUNIT_ASSERT_EQUAL(std::string("2"), s.field(meta, "seq"));
		CPPUNIT_ASSERT((std::vector<std::string>{"0-2 two"}) == s.logged());
		CPPUNIT_ASSERT_EQUAL(std::string("7"), s.field(senders, "old"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\nAn"), s.holder("An"));
		CPPUNIT_ASSERT_EQUAL(std::string("(nil)"), s.holder("Ghost"));
		for (const char* part : {"meta", "log", "senders", "presence"})
			CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.count("EXISTS", keys.untagged(room, part)));
		// Once: the room's tagged keys are its own from then on, even if
		// untagged ones appear again (an old instance still running).
		s.link.run(RedisLink::command({"HSET", keys.untagged(room, "meta"), "seq", "9"}));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.adopt());
		CPPUNIT_ASSERT_EQUAL(std::string("2"), s.field(meta, "seq"));
		// The next post goes on from there.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(3), s.post("a", 1, "E", 0, "three"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RedisScriptsTest);
