//
// Moderation across two webchatd instances sharing their rooms through a
// real redis-server: a kick reaches the member on the other instance; a
// ban kicks it there and refuses its joins on both, and after both
// restart; a deletion is a tombstone on both and in what a restarted
// instance loads; a topic and a mute set on one instance hold on the
// other. Moderators come from signed identities (auth = jwt, HS256 tokens
// signed at test time).
//

#include "ChatTestSupport.h"
#include "ModeratorTokens.h"
#include "RedisServer.h"

#include <chrono>
#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

constexpr std::uint16_t Forbidden = 4403;

// An instance sharing its rooms through redis, with auth = jwt.
class Instance: public ChatServer
{
public:
	explicit Instance(const std::string& redisAddress):
		ChatServer("backend = redis\nredis_address = " + redisAddress + "\nredis_presence_ttl_ms = 1500\nredis_timeout_ms = 1000\n" + jwtListenerKeys())
	{
	}
};

// The next event that is not a presence event.
Object::Ptr nextSkippingPresence(ChatClient& client)
{
	for (;;)
	{
		auto event = client.next(10000);
		const std::string type = event->getValue<std::string>("type");
		if (type != "join" && type != "leave") return event;
	}
}

std::string typeOf(const Object::Ptr& event)
{
	return event->getValue<std::string>("type");
}

} // namespace

class ModerationRedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ModerationRedisTest);
	CPPUNIT_TEST(testKickReachesTheOtherInstance);
	CPPUNIT_TEST(testBanHoldsOnEveryInstanceAndAcrossRestarts);
	CPPUNIT_TEST(testDeletionIsATombstoneEverywhere);
	CPPUNIT_TEST(testTopicAndMuteHoldOnTheOtherInstance);
	CPPUNIT_TEST_SUITE_END();

public:
	void testKickReachesTheOtherInstance()
	{
		RedisServer redis;
		Instance a(redis.address()), b(redis.address());
		ChatClient mod(a.port, moderatorPath());
		mod.expect("welcome");
		ChatClient an(b.port, "/lobby?nick=An");
		an.expect("welcome");
		mod.expect("join");
		mod.send("{\"type\":\"kick\",\"nick\":\"An\",\"reason\":\"bye\"}");
		const auto kicked = nextSkippingPresence(an);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(an.lastRaw, std::string("kicked"), typeOf(kicked));
		CPPUNIT_ASSERT_EQUAL(std::string("bye"), kicked->getValue<std::string>("reason"));
		CPPUNIT_ASSERT_EQUAL(int(Forbidden), int(an.ws.waitForClose()));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), mod.expect("leave")->getValue<std::string>("nick"));
	}

	void testBanHoldsOnEveryInstanceAndAcrossRestarts()
	{
		RedisServer redis;
		Instance a(redis.address()), b(redis.address());
		{
			ChatClient mod(a.port, moderatorPath());
			mod.expect("welcome");
			ChatClient an(b.port, "/lobby?token=" + identityToken("user-an", "An"));
			an.expect("welcome");
			mod.expect("join");
			mod.send("{\"type\":\"ban\",\"nick\":\"An\",\"seconds\":600}");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(an.lastRaw, std::string("kicked"), typeOf(nextSkippingPresence(an)));
			CPPUNIT_ASSERT_EQUAL(int(Forbidden), int(an.ws.waitForClose()));
		}
		// B, which kicked An, learnt the identity that held the nick and
		// stored it in the ban; A hears of it through the feed, within
		// moments: until then the identity under another nick is let in
		// there (and kicked once A knows).
		std::string first;
		for (int attempt = 0; attempt < 100 && first != "error"; ++attempt)
		{
			ChatClient probe(a.port, "/lobby?token=" + identityToken("user-an", "Other Name"));
			first = typeOf(nextSkippingPresence(probe));
			if (first != "error") std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("error"), first);
		for (int round = 0; round < 2; ++round)
		{
			for (Instance* instance : {&a, &b})
			{
				ChatClient again(instance->port, "/lobby?token=" + identityToken("user-an", "Other Name"));
				again.expectRefusal("banned", Forbidden);
			}
			if (round == 0)
			{
				CPPUNIT_ASSERT_EQUAL(0, a.stop());
				CPPUNIT_ASSERT_EQUAL(0, b.stop());
				a.start();
				b.start();
			}
		}
	}

	void testDeletionIsATombstoneEverywhere()
	{
		RedisServer redis;
		Instance a(redis.address()), b(redis.address());
		ChatClient mod(a.port, moderatorPath());
		mod.expect("welcome");
		ChatClient an(b.port, "/lobby?nick=An");
		an.expect("welcome");
		mod.expect("join");
		an.send("fine");
		an.send("rude");
		an.send("fine again");
		for (auto* client : {&an, &mod})
			for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(std::string("message"), typeOf(nextSkippingPresence(*client)));
		mod.send("{\"type\":\"delete\",\"id\":2}");
		for (auto* client : {&an, &mod})
		{
			const auto deleted = nextSkippingPresence(*client);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(client->lastRaw, std::string("deleted"), typeOf(deleted));
			CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), deleted->getValue<Poco::UInt64>("id"));
		}
		for (Instance* instance : {&a, &b})
		{
			ChatClient later(instance->port, "/lobby?nick=Chi");
			const auto welcome = later.expect("welcome");
			CPPUNIT_ASSERT_MESSAGE(later.lastRaw, later.lastRaw.find("rude") == std::string::npos);
			CPPUNIT_ASSERT(welcome->getArray("history")->getObject(1)->getValue<bool>("deleted"));
			later.leave();
		}
		// A third instance loads the room from Redis: the tombstone again.
		Instance c(redis.address());
		ChatClient fresh(c.port, "/lobby?nick=Dung");
		const auto welcome = fresh.expect("welcome");
		CPPUNIT_ASSERT(range(1, 3) == historyIds(welcome));
		CPPUNIT_ASSERT_MESSAGE(fresh.lastRaw, fresh.lastRaw.find("rude") == std::string::npos);
		CPPUNIT_ASSERT(welcome->getArray("history")->getObject(1)->getValue<bool>("deleted"));
	}

	void testTopicAndMuteHoldOnTheOtherInstance()
	{
		RedisServer redis;
		Instance a(redis.address()), b(redis.address());
		ChatClient mod(a.port, moderatorPath());
		mod.expect("welcome");
		ChatClient an(b.port, "/lobby?nick=An");
		an.expect("welcome");
		mod.expect("join");
		mod.send("{\"type\":\"topic\",\"text\":\"Be kind\"}");
		const auto topic = nextSkippingPresence(an);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(an.lastRaw, std::string("topic"), typeOf(topic));
		CPPUNIT_ASSERT_EQUAL(std::string("Be kind"), topic->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("topic"), typeOf(nextSkippingPresence(mod)));
		ChatClient chi(b.port, "/lobby?nick=Chi");
		CPPUNIT_ASSERT_EQUAL(std::string("Be kind"), chi.expect("welcome")->getValue<std::string>("topic"));

		mod.send("{\"type\":\"mute\",\"nick\":\"An\",\"seconds\":60}");
		// The mute reaches B through the feed: wait until it holds there.
		std::string code;
		for (int attempt = 0; attempt < 50 && code != "muted"; ++attempt)
		{
			an.send("hello?");
			const auto event = nextSkippingPresence(an);
			code = typeOf(event) == "error" ? event->getValue<std::string>("code") : "";
			if (code != "muted") std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("muted"), code);
		// B learnt who held the nick: renamed, An is still muted.
		an.send("{\"type\":\"nick\",\"nick\":\"An2\"}");
		CPPUNIT_ASSERT_EQUAL(std::string("nick"), typeOf(nextSkippingPresence(an)));
		an.send("and now?");
		const auto refused = nextSkippingPresence(an);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(an.lastRaw, std::string("error"), typeOf(refused));
		CPPUNIT_ASSERT_EQUAL(std::string("muted"), refused->getValue<std::string>("code"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ModerationRedisTest);
