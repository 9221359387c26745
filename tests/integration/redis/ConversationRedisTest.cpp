//
// Older history, typing notices and leave grace with rooms shared through
// a real Redis by two real webchatd instances: a member of either instance
// pages back through the room's history, served from its memory and then
// from Redis (history_size small), with no gap and no duplicate; typing
// notices reach every instance's members (not while Redis is away); a
// member whose connection is lost comes back through either instance
// within leave_grace_ms unseen by anyone, and its leave is seen everywhere
// when the grace ends.
//

#include "ChatTestSupport.h"
#include "RedisServer.h"

#include <algorithm>
#include <chrono>
#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

std::string sharedKeys(const RedisServer& redis)
{
	return "backend = redis\nredis_address = " + redis.address() + "\nredis_timeout_ms = 1000\nhistory_size = 5\nrate_per_second = 100000\nrate_burst = 100000\n";
}

std::pair<std::vector<Poco::UInt64>, bool> askHistory(ChatClient& client, Poco::UInt64 before, int limit)
{
	client.send("{\"type\":\"history\",\"before\":" + std::to_string(before) + ",\"limit\":" + std::to_string(limit) + "}");
	const auto event = client.expect("history");
	std::vector<Poco::UInt64> ids;
	const auto messages = event->getArray("messages");
	for (unsigned i = 0; i < messages->size(); ++i) ids.push_back(messages->getObject(i)->getValue<Poco::UInt64>("id"));
	return {ids, event->getValue<bool>("more")};
}

// The members as one line, in alphabetical order: a member list's order
// is its instance's order of joins, which differs between instances.
std::string sorted(std::vector<std::string> nicks)
{
	std::sort(nicks.begin(), nicks.end());
	std::string line;
	for (const auto& nick : nicks) line += (line.empty() ? "" : " ") + nick;
	return line;
}

// Waits until the instance a member of room lost its connection on has told
// Redis it is away (its presence record carries its public id, from): only
// then can another instance hand its nick back to it. A client coming back
// sooner finds its nick taken and tries again, as the page does.
void waitUntilAway(RedisServer& redis, const std::string& room, const std::string& from)
{
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
	while (redis.reply({"HGETALL", "webchat:room:{" + room + "}:presence"}).find(from) == std::string::npos)
	{
		CPPUNIT_ASSERT_MESSAGE("the member's absence never reached Redis", std::chrono::steady_clock::now() < deadline);
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
}

} // namespace

class ConversationRedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConversationRedisTest);
	CPPUNIT_TEST(testPagesFromRedisOnEitherInstance);
	CPPUNIT_TEST(testTypingReachesEveryInstance);
	CPPUNIT_TEST(testResumeThroughEitherInstanceIsUnseen);
	CPPUNIT_TEST(testLeaveIsSeenEverywhereWhenTheGraceEnds);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPagesFromRedisOnEitherInstance()
	{
		RedisServer redis;
		ChatServer one(sharedKeys(redis));
		ChatServer two(sharedKeys(redis));
		ChatClient an(one.port, "/shared?nick=An");
		an.expect("welcome");
		chat(an, 40, 1);

		ChatClient bo(two.port, "/shared?nick=Bo");
		CPPUNIT_ASSERT(range(36, 40) == historyIds(bo.expect("welcome")));
		auto page = askHistory(bo, 36, 10);
		CPPUNIT_ASSERT(range(26, 35) == page.first);
		CPPUNIT_ASSERT(page.second);
		page = askHistory(bo, 26, 100);
		CPPUNIT_ASSERT(range(1, 25) == page.first);
		CPPUNIT_ASSERT(!page.second);
		// Across the memory's edge, on the instance that took the messages.
		an.expect("join");
		page = askHistory(an, 39, 6);
		CPPUNIT_ASSERT(range(33, 38) == page.first);
		CPPUNIT_ASSERT(page.second);

		// Redis gone: what the memory holds is still served; what needs the
		// store is refused with unavailable, and the connection stays.
		redis.kill();
		page = askHistory(bo, 41, 2);
		CPPUNIT_ASSERT(range(39, 40) == page.first);
		CPPUNIT_ASSERT(page.second);
		bo.send("{\"type\":\"history\",\"before\":36,\"limit\":10}");
		CPPUNIT_ASSERT_EQUAL(std::string("unavailable"), bo.expect("error")->getValue<std::string>("code"));
		CPPUNIT_ASSERT(range(38, 40) == askHistory(bo, 41, 3).first);
	}

	void testTypingReachesEveryInstance()
	{
		RedisServer redis;
		ChatServer one(sharedKeys(redis));
		ChatServer two(sharedKeys(redis));
		const auto an = joined(one.port, "/shared?nick=An");
		const auto bo = joined(one.port, "/shared?nick=Bo", {an.get()});
		const auto chi = joined(two.port, "/shared?nick=Chi", {an.get(), bo.get()});

		an->send(R"({"type":"typing"})");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), bo->expect("typing")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), chi->expect("typing")->getValue<std::string>("nick"));
		chi->send(R"({"type":"typing"})");
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), an->expect("typing")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), bo->expect("typing")->getValue<std::string>("nick"));
		// Never back to the typist, never stored: the next events anyone
		// gets are the message, and a newcomer's history holds it alone.
		an->send("hello");
		for (auto* member : {an.get(), bo.get(), chi.get()}) CPPUNIT_ASSERT_EQUAL(std::string("hello"), nextText(*member));
		ChatClient dan(two.port, "/shared?nick=Dan");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), dan.expect("welcome")->getArray("history")->size());
		for (auto* member : {an.get(), bo.get(), chi.get()}) member->expect("join");

		// Redis away: the notice stays on its instance, and is not
		// delivered late when Redis is back.
		redis.kill();
		bo->send(R"({"type":"typing"})");
		CPPUNIT_ASSERT_EQUAL(std::string("Bo"), an->expect("typing")->getValue<std::string>("nick"));
		redis.start();
		an->send("after");
		CPPUNIT_ASSERT_EQUAL(std::string("after"), nextText(*chi, 15000));
	}

	void testResumeThroughEitherInstanceIsUnseen()
	{
		RedisServer redis;
		ChatServer one(sharedKeys(redis) + "leave_grace_ms = 60000\n");
		ChatServer two(sharedKeys(redis) + "leave_grace_ms = 60000\n");
		const auto bo = joined(one.port, "/shared?nick=Bo");
		const auto chi = joined(two.port, "/shared?nick=Chi", {bo.get()});
		std::string token, from, epoch;
		{
			ChatClient an(one.port, "/shared?nick=An");
			const auto welcome = an.expect("welcome");
			token = welcome->getValue<std::string>("token");
			from = welcome->getValue<std::string>("from");
			epoch = welcome->getValue<std::string>("epoch");
			bo->expect("join");
			chi->expect("join");
			an.send("before");
			for (auto* member : {&an, bo.get(), chi.get()}) CPPUNIT_ASSERT_EQUAL(std::string("before"), nextText(*member));
			// Gone without a word at the end of the scope.
		}
		// Someone else asking for the nick through either instance finds it
		// taken, as while An was there.
		waitUntilAway(redis, "shared", from);
		ChatClient stranger(two.port, "/shared?nick=an");
		stranger.expectRefusal("nick_taken", 4409);
		bo->send("while away");
		for (auto* member : {bo.get(), chi.get()}) CPPUNIT_ASSERT_EQUAL(std::string("while away"), nextText(*member));

		// Back through the other instance, with what it missed.
		auto back = std::make_unique<ChatClient>(two.port, "/shared?nick=An&token=" + token + "&since=1&epoch=" + epoch);
		const auto welcome = back->expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(from, welcome->getValue<std::string>("from"));
		CPPUNIT_ASSERT(range(2, 2) == historyIds(welcome));
		CPPUNIT_ASSERT_EQUAL(std::string("An Bo Chi"), sorted(strings(welcome->getArray("users"))));
		// Nobody saw it go or come: the next event of each is its message.
		back->send("back");
		for (auto* member : {back.get(), bo.get(), chi.get()}) CPPUNIT_ASSERT_EQUAL(std::string("back"), nextText(*member));
		// Its first instance let it go: a newcomer there lists it once, and
		// An's leave from its new instance is seen everywhere.
		ChatClient dan(one.port, "/shared?nick=Dan");
		CPPUNIT_ASSERT_EQUAL(std::string("An Bo Chi Dan"), sorted(strings(dan.expect("welcome")->getArray("users"))));
		bo->expect("join");
		chi->expect("join");
		back->expect("join");
		// Lost again, now on two: back through one, unseen again.
		back.reset();
		waitUntilAway(redis, "shared", from);
		ChatClient again(one.port, "/shared?nick=An&token=" + token);
		CPPUNIT_ASSERT_EQUAL(std::string("An"), again.expect("welcome")->getValue<std::string>("nick"));
		again.send("again");
		for (auto* member : {&again, bo.get(), chi.get(), &dan}) CPPUNIT_ASSERT_EQUAL(std::string("again"), nextText(*member));
	}

	void testLeaveIsSeenEverywhereWhenTheGraceEnds()
	{
		RedisServer redis;
		ChatServer one(sharedKeys(redis) + "leave_grace_ms = 800\n");
		ChatServer two(sharedKeys(redis) + "leave_grace_ms = 800\n");
		const auto bo = joined(one.port, "/shared?nick=Bo");
		const auto chi = joined(two.port, "/shared?nick=Chi", {bo.get()});
		{
			ChatClient an(one.port, "/shared?nick=An");
			an.expect("welcome");
			bo->expect("join");
			chi->expect("join");
			an.leave();
		}
		CPPUNIT_ASSERT_EQUAL(std::string("An"), bo->expect("leave", 5000)->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), chi->expect("leave", 5000)->getValue<std::string>("nick"));
		// Free again, for anyone, through either instance.
		ChatClient other(two.port, "/shared?nick=An");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), other.expect("welcome")->getValue<std::string>("nick"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConversationRedisTest);
