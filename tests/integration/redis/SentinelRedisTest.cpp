//
// Rooms shared through a Redis that Redis Sentinel watches (redis_mode =
// sentinel): real redis-servers on loopback, a master, its replica and three
// sentinels. webchatd finds the master through the sentinels; when the
// master is killed and the sentinels promote the replica, webchatd follows,
// and the chat goes on with nothing lost or repeated.
//

#include "ChatTestSupport.h"
#include "RedisServer.h"
#include "SharedRoomClients.h"

#include <chrono>
#include <csignal>
#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

const std::string MasterName = "webchat-main";

// A master, a replica of it and three sentinels, quorum 2.
struct WatchedRedis
{
	WatchedRedis():
		master(),
		replica(freeLoopbackPort(), "", {"--replicaof", "127.0.0.1", std::to_string(master.port)})
	{
		for (int i = 0; i < 3; ++i) sentinels.push_back(std::make_unique<RedisSentinel>(MasterName, master.port));
		// Every sentinel has found the replica (through the master's INFO)
		// before anything is killed: else there is no one to promote.
		waitUntil("the sentinels see the replica", [&] {
			for (auto& sentinel : sentinels)
				if (sentinel->reply({"SENTINEL", "replicas", MasterName}).find(std::to_string(replica.port)) == std::string::npos) return false;
			return true;
		});
	}

	std::string sentinelKeys() const
	{
		std::string list;
		for (const auto& sentinel : sentinels) list += (list.empty() ? "" : ",") + sentinel->address();
		return "redis_mode = sentinel\nredis_sentinels = " + list + "\nredis_master_name = " + MasterName + "\n";
	}

	/// The master's port the sentinels give now.
	std::string masterPort() { return sentinels.front()->reply({"SENTINEL", "get-master-addr-by-name", MasterName}); }

	/// Waits until the replica has everything the master acknowledged.
	void waitForReplication()
	{
		waitUntil("the replica caught up", [&] {
			const auto offset = [](const std::string& info, const std::string& field) {
				const auto at = info.find(field);
				return at == std::string::npos ? std::string("?") : info.substr(at + field.size(), info.find('\r', at) - at - field.size());
			};
			const auto masterOffset = offset(master.reply({"INFO", "replication"}), "master_repl_offset:");
			return masterOffset != "?" && masterOffset == offset(replica.reply({"INFO", "replication"}), "master_repl_offset:");
		});
	}

	static void waitUntil(const std::string& what, const std::function<bool()>& done, int timeoutMs = 15000)
	{
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
		while (!done())
		{
			if (std::chrono::steady_clock::now() > deadline) CPPUNIT_FAIL("timed out waiting until " + what);
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
	}

	RedisServer master;
	RedisServer replica;
	std::vector<std::unique_ptr<RedisSentinel>> sentinels;
};

} // namespace

class SentinelRedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SentinelRedisTest);
	CPPUNIT_TEST(testFollowsTheMasterThroughAFailover);
	CPPUNIT_TEST(testAnUnknownMasterIsNamed);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFollowsTheMasterThroughAFailover()
	{
		WatchedRedis redis;
		const std::string keys = redis.sentinelKeys();
		SharedServer a(SharedServer::RedisKeys{keys}), b(SharedServer::RedisKeys{keys});
		ChatClient an(a.port, "/r?nick=An");
		an.expect("welcome");
		ChatClient binh(b.port, "/r?nick=Binh");
		binh.expect("welcome");
		an.expect("join");
		an.send("one");
		binh.send("two");
		const auto before = messages(an, 2);
		CPPUNIT_ASSERT(before == messages(binh, 2));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), before[1].id);
		// Reached through the sentinels: the master's address is in the
		// data the master holds, not in webchatd's configuration.
		CPPUNIT_ASSERT_MESSAGE(redis.master.reply({"XLEN", "webchat:room:{r}:log"}), redis.master.reply({"XLEN", "webchat:room:{r}:log"}) == "2\n");

		// Replication is asynchronous: what the master acknowledged but had
		// not sent on is lost with it (Redis's own limit, README). Here all
		// of it has reached the replica before the kill.
		redis.waitForReplication();
		redis.master.kill();
		const auto killed = std::chrono::steady_clock::now();
		an.send("during-a");
		binh.send("during-b");
		const auto atA = messages(an, 2, 30000, true), atB = messages(binh, 2, 30000, true);
		const auto resumedAfter = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed).count();
		CPPUNIT_ASSERT(atA == atB);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(3), atA[0].id);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(4), atA[1].id);
		// The sentinels' failover (1 s to call the master down, then the
		// election and promotion) plus at most one 5 s reconnection backoff.
		CPPUNIT_ASSERT_MESSAGE(std::to_string(resumedAfter) + " ms", resumedAfter < 15000);
		CPPUNIT_ASSERT_MESSAGE(redis.masterPort(), redis.masterPort().find(std::to_string(redis.replica.port)) != std::string::npos);
		a.waitForOutput("reachable again");
		b.waitForOutput("reachable again");

		// Nothing twice, the numbering goes on, and the history is whole.
		an.send("after");
		CPPUNIT_ASSERT((std::vector<Seen>{{5, "An", "after"}}) == messages(an, 1));
		CPPUNIT_ASSERT((std::vector<Seen>{{5, "An", "after"}}) == messages(binh, 1));
		ChatClient chi(b.port, "/r?nick=Chi");
		const auto welcome = chi.expect("welcome");
		CPPUNIT_ASSERT(range(1, 5) == historyIds(welcome));
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Binh", "Chi"}) == strings(welcome->getArray("users")));
		for (const auto* server : {&a, &b})
			CPPUNIT_ASSERT_MESSAGE(server->process->output(), server->process->output().find("(dropped)") == std::string::npos);
	}

	void testAnUnknownMasterIsNamed()
	{
		WatchedRedis redis;
		const std::string keys = redis.sentinelKeys();
		SharedServer lost(SharedServer::RedisKeys{keys + "redis_master_name = elsewhere\n"});
		{
			ChatClient an(lost.port, "/r?nick=An");
			an.expectRefusal("unavailable", 4503);
		}
		lost.waitForOutput("no sentinel knows master \"elsewhere\"");
		// With no sentinel reachable, the same.
		SharedServer alone(SharedServer::RedisKeys{"redis_mode = sentinel\nredis_sentinels = 127.0.0.1:" + std::to_string(freeLoopbackPort()) + "\n"});
		ChatClient binh(alone.port, "/r?nick=Binh");
		binh.expectRefusal("unavailable", 4503);
		alone.waitForOutput("no sentinel knows master \"mymaster\"");
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SentinelRedisTest);
