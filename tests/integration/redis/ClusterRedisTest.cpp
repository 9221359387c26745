//
// Rooms shared through a real Redis Cluster (redis_mode = cluster): 3
// masters and 3 replicas (RedisCluster.h), webchatd instances given two of
// the nodes as seeds. Rooms whose keys live on each of the three masters
// carry traffic from senders on every instance: every client gets every
// message once, in one order, and a resume on another instance gets exactly
// what it missed. A master killed (SIGKILL) under traffic: its replica takes
// over, and the room goes on with nothing lost and nothing twice.
//

#include "ChatTestSupport.h"
#include "RedisCluster.h"
#include "SharedRoomTraffic.h"

#include "NameRules.h"
#include "redis/KeySlot.h"

#include "Poco/String.h"

#include <set>
#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;
using webchat::chatroom::redis::keySlot;

namespace {

class ClusterServer: public ChatServer
{
public:
	explicit ClusterServer(const RedisCluster& cluster, const std::string& extraKeys = ""):
		ChatServer("backend = redis\nredis_mode = cluster\nredis_address = " + cluster.seeds() +
			"\nredis_presence_ttl_ms = 3000\nredis_timeout_ms = 1000\nrate_per_second = 100000\nrate_burst = 100000\n" + extraKeys)
	{
	}
};

// The slot of a room's keys: its hash tag is the room's key (NameRules).
std::uint16_t slotOf(const std::string& room)
{
	return keySlot(webchat::chatroom::NameRules::comparisonKey(room));
}

// A room name whose keys live on the master at port, none of taken.
std::string roomOn(const RedisCluster& cluster, std::uint16_t port, const std::set<std::string>& taken)
{
	for (int i = 0;; ++i)
	{
		const std::string room = "room" + std::to_string(i);
		if (!taken.count(room) && cluster.masterOf(slotOf(room)) == port) return room;
	}
}

} // namespace

class ClusterRedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ClusterRedisTest);
	CPPUNIT_TEST(testRoomsOnEveryShard);
	CPPUNIT_TEST(testMasterKilledUnderTraffic);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRoomsOnEveryShard()
	{
		RedisCluster cluster;
		const auto masters = cluster.masters();
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), std::set<std::uint16_t>(masters.begin(), masters.end()).size());
		ClusterServer a(cluster), b(cluster), c(cluster);
		// A room on each master; 4 senders each, on the three instances.
		std::set<std::string> rooms;
		for (const auto port : masters) rooms.insert(roomOn(cluster, port, rooms));
		std::vector<std::unique_ptr<BusyRoom>> busy;
		for (const auto& room : rooms) busy.push_back(std::make_unique<BusyRoom>(std::vector<Poco::UInt16>{a.port, b.port, c.port}, room));
		for (auto& room : busy) room->startSending(100);
		for (auto& room : busy) room->waitForSenders();
		std::vector<std::vector<Seen>> sequences;
		for (auto& room : busy) sequences.push_back(room->checkOneOrder());
		// Each room's log is on its master (the keys' hash tag).
		for (const auto& room : rooms)
			CPPUNIT_ASSERT_EQUAL(std::string("401"),
				Poco::trim(cluster.reply(cluster.masterOf(slotOf(room)), {"XLEN", "webchat:room:{" + webchat::chatroom::NameRules::comparisonKey(room) + "}:log"})));

		// Resumes on another instance: exactly what was missed.
		const std::string room = *rooms.begin();
		const std::string epoch = [&] {
			ChatClient peek(c.port, "/" + room + "?nick=peek");
			return peek.expect("welcome")->getValue<std::string>("epoch");
		}();
		ChatClient back(b.port, "/" + room + "?nick=back&since=350&epoch=" + epoch);
		const auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT(range(351, 401) == historyIds(welcome));
		CPPUNIT_ASSERT(!welcome->has("gap") && !welcome->has("reset"));
		const auto history = welcome->getArray("history");
		const auto& sequence = sequences[0];
		for (unsigned i = 0; i < 50; ++i)
			CPPUNIT_ASSERT_EQUAL(sequence[350 + i].text, history->getObject(i)->getValue<std::string>("text"));
	}

	void testMasterKilledUnderTraffic()
	{
		RedisCluster cluster;
		ClusterServer a(cluster), b(cluster);
		const std::uint16_t victim = cluster.masters()[0];
		const std::string room = roomOn(cluster, victim, {});
		BusyRoom busy({a.port, b.port}, room);
		busy.startSending(150, std::chrono::milliseconds(10));
		std::this_thread::sleep_for(std::chrono::milliseconds(500));
		const auto killedAt = std::chrono::steady_clock::now();
		cluster.kill(victim);
		cluster.waitUntilOk();
		const auto promoted = cluster.masterOf(slotOf(room));
		CPPUNIT_ASSERT(promoted != 0 && promoted != victim);
		busy.waitForSenders();
		// Every message once, in one order, on both instances: nothing
		// acknowledged lost, nothing twice.
		busy.checkOneOrder(true);
		// And within the failover's time (and the writer's backoff).
		CPPUNIT_ASSERT(std::chrono::steady_clock::now() - killedAt < std::chrono::seconds(15));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ClusterRedisTest);
