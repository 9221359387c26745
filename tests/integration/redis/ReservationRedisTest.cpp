//
// Nick reservations in a real redis-server (backend = redis): the store
// itself (a claim per holder, expiry by Redis's own clock, the cap dropping
// the oldest-used) and two real webchatd instances sharing it: a nick
// taken on one is reserved on the other and across restarts, its holder
// gets it back anywhere with its token, and a message's from reaches the
// other instance and its history.
//
#include "ChatTestSupport.h"
#include "RedisServer.h"

#include "redis/RedisNickReservations.h"

#include "Poco/Logger.h"

#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;
using webchat::chatroom::redis::RedisNickReservations;
using Claim = webchat::chatroom::NickReservations::Claim;

namespace {

constexpr std::int64_t DayMs = 24 * 60 * 60 * 1000;

class SharedServer: public ChatServer
{
public:
	explicit SharedServer(const std::string& redisAddress):
		ChatServer("backend = redis\nredis_address = " + redisAddress + "\nredis_timeout_ms = 1000\nnick_reservation_days = 30\n")
	{
	}
};

webchat::chatroom::redis::RedisOptions options(const RedisServer& redis)
{
	webchat::chatroom::redis::RedisOptions options;
	options.address = redis.address();
	options.ns = "test";
	return options;
}

} // namespace

class ReservationRedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ReservationRedisTest);
	CPPUNIT_TEST(testClaims);
	CPPUNIT_TEST(testReservationExpiresInRedis);
	CPPUNIT_TEST(testCapDropsOldestUsed);
	CPPUNIT_TEST(testUnreachableRedisIsUnavailable);
	CPPUNIT_TEST(testNickIsKeptAcrossInstancesAndRestarts);
	CPPUNIT_TEST_SUITE_END();

public:
	void testClaims()
	{
		RedisServer redis;
		RedisNickReservations one(options(redis), 30 * DayMs, 100, logger());
		RedisNickReservations two(options(redis), 30 * DayMs, 100, logger());
		const std::int64_t now = wallClockMs();
		CPPUNIT_ASSERT(one.claim("alice", "token:a", now) == Claim::Granted);
		CPPUNIT_ASSERT(two.claim("alice", "token:b", now) == Claim::Reserved);
		CPPUNIT_ASSERT(two.claim("alice", "token:a", now + 1) == Claim::Granted);
		CPPUNIT_ASSERT(two.claim("bob", "token:b", now + 1) == Claim::Granted);
		CPPUNIT_ASSERT(one.claim("bob", "token:a", now + 2) == Claim::Reserved);
	}

	void testReservationExpiresInRedis()
	{
		RedisServer redis;
		RedisNickReservations reservations(options(redis), 300, 100, logger());
		CPPUNIT_ASSERT(reservations.claim("alice", "token:a", wallClockMs()) == Claim::Granted);
		CPPUNIT_ASSERT(reservations.claim("alice", "token:b", wallClockMs()) == Claim::Reserved);
		std::this_thread::sleep_for(std::chrono::milliseconds(500));
		CPPUNIT_ASSERT(reservations.claim("alice", "token:b", wallClockMs()) == Claim::Granted);
	}

	void testCapDropsOldestUsed()
	{
		RedisServer redis;
		RedisNickReservations reservations(options(redis), 30 * DayMs, 3, logger());
		const std::int64_t t = wallClockMs();
		CPPUNIT_ASSERT(reservations.claim("a", "token:1", t + 1) == Claim::Granted);
		CPPUNIT_ASSERT(reservations.claim("b", "token:2", t + 2) == Claim::Granted);
		CPPUNIT_ASSERT(reservations.claim("c", "token:3", t + 3) == Claim::Granted);
		CPPUNIT_ASSERT(reservations.claim("a", "token:1", t + 4) == Claim::Granted);
		CPPUNIT_ASSERT(reservations.claim("d", "token:4", t + 5) == Claim::Granted);
		// b, used longest ago, went for d.
		CPPUNIT_ASSERT(reservations.claim("b", "token:x", t + 6) == Claim::Granted);
		CPPUNIT_ASSERT(reservations.claim("a", "token:x", t + 7) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations.claim("d", "token:x", t + 7) == Claim::Reserved);
		// ...and c for b's new holder.
		CPPUNIT_ASSERT(reservations.claim("c", "token:x", t + 8) == Claim::Granted);
	}

	void testUnreachableRedisIsUnavailable()
	{
		RedisServer redis;
		RedisNickReservations reservations(options(redis), 30 * DayMs, 100, logger());
		CPPUNIT_ASSERT(reservations.claim("alice", "token:a", wallClockMs()) == Claim::Granted);
		redis.kill();
		CPPUNIT_ASSERT(reservations.claim("alice", "token:b", wallClockMs()) == Claim::Unavailable);
		// Within the quiet second after a failure: answered at once.
		const auto before = std::chrono::steady_clock::now();
		CPPUNIT_ASSERT(reservations.claim("bob", "token:b", wallClockMs()) == Claim::Unavailable);
		CPPUNIT_ASSERT(std::chrono::steady_clock::now() - before < std::chrono::milliseconds(100));
		redis.start();
		std::this_thread::sleep_for(std::chrono::milliseconds(1100));
		// appendonly: the reservation outlived Redis's restart.
		CPPUNIT_ASSERT(reservations.claim("alice", "token:b", wallClockMs()) == Claim::Reserved);
	}

	void testNickIsKeptAcrossInstancesAndRestarts()
	{
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		std::string token, from;
		{
			ChatClient alice(a.port, "/lobby?nick=Alice");
			const auto welcome = alice.expect("welcome");
			token = welcome->getValue<std::string>("token");
			from = welcome->getValue<std::string>("from");
			ChatClient watcher(b.port, "/lobby?nick=Watcher");
			watcher.expect("welcome");
			alice.expect("join");
			alice.send(say("from a"));
			const auto seen = watcher.expect("message");
			CPPUNIT_ASSERT_EQUAL(from, seen->getValue<std::string>("from"));
			alice.leave();
		}
		ChatClient thief(b.port, "/lobby?nick=alice");
		thief.expectRefusal("nick_reserved", 4409);

		CPPUNIT_ASSERT_EQUAL_MESSAGE(a.process->output(), 0, a.stop());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(b.process->output(), 0, b.stop());
		a.start();
		b.start();
		ChatClient thiefAgain(a.port, "/lobby?nick=ALICE");
		thiefAgain.expectRefusal("nick_reserved", 4409);
		ChatClient back(b.port, "/lobby?nick=Alice&token=" + token);
		const auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(token, welcome->getValue<std::string>("token"));
		CPPUNIT_ASSERT_EQUAL(from, welcome->getValue<std::string>("from"));
		const auto history = welcome->getArray("history");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), history->size());
		CPPUNIT_ASSERT_EQUAL(from, history->getObject(0)->getValue<std::string>("from"));
	}

private:
	static Poco::Logger& logger() { return Poco::Logger::get("test.reservations"); }
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReservationRedisTest);
