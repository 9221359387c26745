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
#include "redis/ClusterLink.h"
#include "redis/KeySlot.h"

#include "Poco/String.h"

#include <future>
#include <iostream>
#include <set>
#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;
using webchat::chatroom::redis::ClusterLink;
using webchat::chatroom::redis::keySlot;
using webchat::chatroom::redis::RedisLink;

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
	CPPUNIT_TEST(testLinkRoutesFollowsMovedAndAsk);
	CPPUNIT_TEST(testTransactionFollowsItsSlotWhole);
	CPPUNIT_TEST(testSilentMasterCostsOneTimeout);
	CPPUNIT_TEST(testRoomsOnEveryShard);
	CPPUNIT_TEST(testMasterKilledUnderTraffic);
	CPPUNIT_TEST_SUITE_END();

public:
	void testLinkRoutesFollowsMovedAndAsk()
	{
		RedisCluster cluster;
		ClusterLink link({"127.0.0.1:" + std::to_string(cluster.ports[0])}, Poco::Timespan(2, 0));
		// A pipeline over every master: replies in the commands' order.
		std::vector<RedisLink::Command> sets, gets;
		for (int i = 0; i < 30; ++i)
		{
			sets.push_back(RedisLink::command({"SET", "k" + std::to_string(i), "v" + std::to_string(i)}));
			gets.push_back(RedisLink::command({"GET", "k" + std::to_string(i)}));
		}
		for (const auto& reply : link.pipeline(sets)) CPPUNIT_ASSERT_EQUAL(std::string("OK"), RedisLink::bulk(reply).value_or(""));
		const auto values = link.pipeline(gets);
		for (int i = 0; i < 30; ++i) CPPUNIT_ASSERT_EQUAL("v" + std::to_string(i), RedisLink::bulk(values[static_cast<std::size_t>(i)]).value_or(""));
		std::set<std::uint16_t> masters;
		for (int i = 0; i < 30; ++i) masters.insert(cluster.masterOf(keySlot("k" + std::to_string(i))));
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), masters.size());
		// A MULTI goes with the keys it encloses (one slot).
		const auto transaction = link.pipeline({RedisLink::command({"MULTI"}), RedisLink::command({"INCR", "{t}a"}), RedisLink::command({"INCR", "{t}b"}),
			RedisLink::command({"EXEC"})});
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), RedisLink::array(transaction[3]).size());

		// The slot of "foo" migrating to another master: a key not on the
		// source any more is asked of the target (-ASK), the map unchanged.
		const std::uint16_t slot = keySlot("foo");
		const std::uint16_t source = cluster.masterOf(slot);
		const std::uint16_t target = source == cluster.masters()[1] ? cluster.masters()[2] : cluster.masters()[1];
		const auto id = [&](std::uint16_t port) { return Poco::trim(cluster.reply(port, {"CLUSTER", "MYID"})); };
		link.run(RedisLink::command({"SET", "foo", "before"}));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:" + std::to_string(source), link.masterOf(slot));
		cluster.reply(target, {"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", id(source)});
		cluster.reply(source, {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", id(target)});
		CPPUNIT_ASSERT_EQUAL(std::string("OK"), RedisLink::bulk(link.run(RedisLink::command({"SET", "{foo}new", "asked"}))).value_or(""));
		CPPUNIT_ASSERT_EQUAL(std::string("1"), Poco::trim(cluster.reply(target, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)})));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:" + std::to_string(source), link.masterOf(slot));
		// Migrated and handed over: -MOVED, and the map follows.
		cluster.reply(source, {"MIGRATE", "127.0.0.1", std::to_string(target), "", "0", "5000", "KEYS", "foo"});
		for (const auto port : cluster.masters()) cluster.reply(port, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", id(target)});
		CPPUNIT_ASSERT_EQUAL(std::string("before"), RedisLink::bulk(link.run(RedisLink::command({"GET", "foo"}))).value_or(""));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:" + std::to_string(target), link.masterOf(slot));
		CPPUNIT_ASSERT_EQUAL(std::string("asked"), RedisLink::bulk(link.run(RedisLink::command({"GET", "{foo}new"}))).value_or(""));
	}

	// Transactions (MULTI ... EXEC) whose slot moves while the link's map
	// still names the old master. Redis aborts such a transaction and ran
	// none of it; the link must send all of it again, to the new master, not
	// the redirected commands alone (they would run outside the transaction
	// and leave EXEC's reply an error):
	//   - slot migrating (-ASK): a one-key transaction runs on the target at
	//     once (ASKING before MULTI); a two-key one is refused there
	//     (-TRYAGAIN, keys missing mid-migration) and waits, retried, until
	//     the slot is handed over, then runs once;
	//   - slot moved (-MOVED): the whole transaction goes to the new master.
	void testTransactionFollowsItsSlotWhole()
	{
		RedisCluster cluster;
		ClusterLink link({"127.0.0.1:" + std::to_string(cluster.ports[0])}, Poco::Timespan(3, 0));
		const auto transaction = [&link](const std::vector<std::string>& keys) {
			std::vector<RedisLink::Command> commands{RedisLink::command({"MULTI"})};
			for (const auto& key : keys) commands.push_back(RedisLink::command({"INCR", key}));
			commands.push_back(RedisLink::command({"EXEC"}));
			std::vector<std::int64_t> values;
			const Poco::Redis::Array exec = RedisLink::array(link.pipeline(commands).back());
			for (std::size_t i = 0; i < exec.size(); ++i) values.push_back(exec.get<Poco::Int64>(i));
			return values;
		};
		const auto id = [&](std::uint16_t port) { return Poco::trim(cluster.reply(port, {"CLUSTER", "MYID"})); };
		const auto otherMaster = [&](std::uint16_t port) { return port == cluster.masters()[1] ? cluster.masters()[2] : cluster.masters()[1]; };
		// A slot's migration from one master to another, as redis-cli
		// --cluster reshard does it, in two halves.
		const auto startMigration = [&](std::uint16_t slot, std::uint16_t from, std::uint16_t to) {
			cluster.reply(to, {"CLUSTER", "SETSLOT", std::to_string(slot), "IMPORTING", id(from)});
			cluster.reply(from, {"CLUSTER", "SETSLOT", std::to_string(slot), "MIGRATING", id(to)});
		};
		const auto finishMigration = [&](std::uint16_t slot, std::uint16_t from, std::uint16_t to, const std::string& key) {
			cluster.reply(from, {"MIGRATE", "127.0.0.1", std::to_string(to), "", "0", "5000", "KEYS", key});
			for (const auto port : cluster.masters()) cluster.reply(port, {"CLUSTER", "SETSLOT", std::to_string(slot), "NODE", id(to)});
		};
		const auto keysIn = [&](std::uint16_t port, std::uint16_t slot) {
			return Poco::trim(cluster.reply(port, {"CLUSTER", "COUNTKEYSINSLOT", std::to_string(slot)}));
		};

		const std::uint16_t slot = keySlot("tx");
		const std::uint16_t source = cluster.masterOf(slot);
		const std::uint16_t target = otherMaster(source);
		link.run(RedisLink::command({"SET", "{tx}before", "1"}));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:" + std::to_string(source), link.masterOf(slot));
		startMigration(slot, source, target);
		CPPUNIT_ASSERT((transaction({"{tx}one"}) == std::vector<std::int64_t>{1}));
		CPPUNIT_ASSERT_EQUAL(std::string("1"), keysIn(target, slot));
		auto waiting = std::async(std::launch::async, [&] { return transaction({"{tx}a", "{tx}b"}); });
		CPPUNIT_ASSERT(waiting.wait_for(std::chrono::milliseconds(500)) == std::future_status::timeout);
		finishMigration(slot, source, target, "{tx}before");
		CPPUNIT_ASSERT((waiting.get() == std::vector<std::int64_t>{1, 1}));
		CPPUNIT_ASSERT_EQUAL(std::string("4"), keysIn(target, slot));

		// Moved behind the link's back: its map still names the source.
		const std::uint16_t movedSlot = keySlot("ty");
		const std::uint16_t from = cluster.masterOf(movedSlot);
		const std::uint16_t to = otherMaster(from);
		link.run(RedisLink::command({"SET", "{ty}before", "1"}));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:" + std::to_string(from), link.masterOf(movedSlot));
		startMigration(movedSlot, from, to);
		finishMigration(movedSlot, from, to, "{ty}before");
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:" + std::to_string(from), link.masterOf(movedSlot));
		CPPUNIT_ASSERT((transaction({"{ty}a", "{ty}b"}) == std::vector<std::int64_t>{1, 1}));
		CPPUNIT_ASSERT_EQUAL("127.0.0.1:" + std::to_string(to), link.masterOf(movedSlot));
		CPPUNIT_ASSERT_EQUAL(std::string("3"), keysIn(to, movedSlot));
		CPPUNIT_ASSERT_EQUAL(std::string("0"), keysIn(from, movedSlot));
	}

	// A master that goes silent (SIGSTOP: its port still accepts, nothing
	// answers; a cut-off host looks the same) and is the first the map
	// lists, so the first a map read asks: a command for its slots fails
	// after the timeout, and from then on the map is read from the others
	// first, so commands for the other masters' slots do not pay that
	// timeout again at each reconnection. (No failover here: the cluster's
	// node timeout is a minute.)
	void testSilentMasterCostsOneTimeout()
	{
		RedisCluster cluster(60000);
		const std::uint16_t seed = cluster.masters()[1];
		ClusterLink link({"127.0.0.1:" + std::to_string(seed)}, Poco::Timespan(1, 500000));
		link.ensureConnected();
		const std::string silent = link.masters().front();
		const std::uint16_t silentPort = static_cast<std::uint16_t>(std::stoi(silent.substr(silent.rfind(':') + 1)));
		std::string ownKey, otherKey;
		for (int i = 0; ownKey.empty() || otherKey.empty(); ++i)
		{
			const std::string key = "k" + std::to_string(i);
			(link.masterOf(keySlot(key)) == silent ? ownKey : otherKey) = key;
		}
		cluster.pause(silentPort);
		const auto started = std::chrono::steady_clock::now();
		CPPUNIT_ASSERT_THROW(link.run(RedisLink::command({"SET", ownKey, "x"})), Poco::Exception);
		CPPUNIT_ASSERT(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(1400));
		for (int round = 0; round < 3; ++round)
		{
			link.disconnect(); // the next command reads the map first
			const auto before = std::chrono::steady_clock::now();
			CPPUNIT_ASSERT_EQUAL(std::string("OK"),
				RedisLink::bulk(link.run(RedisLink::command({"SET", otherKey, std::to_string(round)}))).value_or(""));
			const auto took = std::chrono::steady_clock::now() - before;
			CPPUNIT_ASSERT_MESSAGE("round " + std::to_string(round) + " took " +
					std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count()) + " ms",
				took < std::chrono::milliseconds(1000));
		}
		cluster.resume(silentPort);
		// Back: it answers again, its slots served as before.
		CPPUNIT_ASSERT_EQUAL(std::string("OK"), RedisLink::bulk(link.run(RedisLink::command({"SET", ownKey, "y"}))).value_or(""));
	}

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
		try
		{
			busy.checkOneOrder(true);
		}
		catch (...)
		{
			// What the instances said of the failover, what the room's
			// master holds.
			const std::string key = "webchat:room:{" + webchat::chatroom::NameRules::comparisonKey(room) + "}:";
			std::cerr << "instance a:\n" << a.process->output() << "instance b:\n" << b.process->output() << "log length "
					  << cluster.reply(promoted, {"XLEN", key + "log"}) << "meta " << cluster.reply(promoted, {"HGETALL", key + "meta"}) << "senders "
					  << cluster.reply(promoted, {"HGETALL", key + "senders"});
			throw;
		}
		// And within the failover's time (and the writer's backoff).
		CPPUNIT_ASSERT(std::chrono::steady_clock::now() - killedAt < std::chrono::seconds(15));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ClusterRedisTest);
