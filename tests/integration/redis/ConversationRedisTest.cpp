//
// Older history, typing notices and leave grace with rooms shared through
// a real Redis by two real webchatd instances: a member of either instance
// pages back through the room's history, served from its memory and then
// from Redis (history_size small), with no gap and no duplicate; typing
// notices stay on the typist's instance; leave_grace_ms does not apply (a
// client may come back through either instance), so a leave is seen at
// once everywhere.
//

#include "ChatTestSupport.h"
#include "RedisServer.h"

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

} // namespace

class ConversationRedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConversationRedisTest);
	CPPUNIT_TEST(testPagesFromRedisOnEitherInstance);
	CPPUNIT_TEST(testTypingStaysOnTheInstance);
	CPPUNIT_TEST(testNoLeaveGraceWhenShared);
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

	void testTypingStaysOnTheInstance()
	{
		RedisServer redis;
		ChatServer one(sharedKeys(redis));
		ChatServer two(sharedKeys(redis));
		const auto an = joined(one.port, "/shared?nick=An");
		const auto bo = joined(one.port, "/shared?nick=Bo", {an.get()});
		const auto chi = joined(two.port, "/shared?nick=Chi", {an.get(), bo.get()});

		an->send(R"({"type":"typing"})");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), bo->expect("typing")->getValue<std::string>("nick"));
		// The other instance's member hears the message, not the notice.
		an->send("hello");
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), nextText(*chi));
	}

	void testNoLeaveGraceWhenShared()
	{
		RedisServer redis;
		ChatServer one(sharedKeys(redis) + "leave_grace_ms = 60000\n");
		ChatServer two(sharedKeys(redis) + "leave_grace_ms = 60000\n");
		const auto bo = joined(one.port, "/shared?nick=Bo");
		const auto chi = joined(two.port, "/shared?nick=Chi", {bo.get()});
		std::string token;
		{
			ChatClient an(one.port, "/shared?nick=An");
			token = an.expect("welcome")->getValue<std::string>("token");
			bo->expect("join");
			chi->expect("join");
			an.leave();
		}
		CPPUNIT_ASSERT_EQUAL(std::string("An"), bo->expect("leave", 3000)->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), chi->expect("leave", 3000)->getValue<std::string>("nick"));
		// Back through the other instance at once, under its nick.
		ChatClient back(two.port, "/shared?nick=An&token=" + token);
		CPPUNIT_ASSERT_EQUAL(std::string("An"), back.expect("welcome")->getValue<std::string>("nick"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConversationRedisTest);
