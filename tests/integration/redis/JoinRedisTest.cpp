//
// Joins that wait for Redis never hold up an I/O thread (JoinQueue.h): with
// a real redis-server stopped (SIGSTOP) while a client joins a room not yet
// loaded, the members already in a room of the same server and on the same
// I/O thread (io_threads = 1) keep being served, and the join completes
// once Redis answers again. Frames a client sends before its welcome are
// handled after it, up to a limit.
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

using Clock = std::chrono::steady_clock;

long long msSince(Clock::time_point start)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// Redis stopped (SIGSTOP: its connections stay open and silent, as a Redis
// stuck on a slow command or a full disk would) for the scope.
class FrozenRedis
{
public:
	explicit FrozenRedis(RedisServer& redis): _redis(redis) { ::kill(_redis.process->pid(), SIGSTOP); }
	~FrozenRedis() { thaw(); }

	void thaw()
	{
		if (_frozen) ::kill(_redis.process->pid(), SIGCONT);
		_frozen = false;
	}

private:
	RedisServer& _redis;
	bool _frozen = true;
};

} // namespace

class JoinRedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JoinRedisTest);
	CPPUNIT_TEST(testAJoinWaitingForRedisHoldsUpNoOne);
	CPPUNIT_TEST(testTooManyFramesBeforeTheWelcome);
	CPPUNIT_TEST(testJoinsBeyondTheQueueAreRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAJoinWaitingForRedisHoldsUpNoOne()
	{
		RedisServer redis;
		SharedServer server(redis.address(), "io_threads = 1\nredis_timeout_ms = 5000\n");
		ChatClient an(server.port, "/r?nick=An");
		an.expect("welcome");
		ChatClient binh(server.port, "/r?nick=Binh");
		binh.expect("welcome");
		an.expect("join");

		FrozenRedis frozen(redis);
		// Chi's join needs Redis (its nick's claim, the room's first load);
		// what it sends before its welcome waits with it.
		ChatClient chi(server.port, "/elsewhere?nick=Chi");
		chi.send("sent before the welcome");
		std::this_thread::sleep_for(std::chrono::milliseconds(200));

		// Meanwhile, on the same I/O thread: a typing notice from An reaches
		// Binh (this server's members hear it at once), and a ping is
		// answered, each well within the 5 s Chi's join may wait.
		const auto typed = Clock::now();
		an.send(R"({"type":"typing"})");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), binh.expect("typing", 2000)->getValue<std::string>("nick"));
		const auto typingMs = msSince(typed);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(typingMs) + " ms", typingMs < 500);
		const auto pinged = Clock::now();
		an.ws.send(webchat::ws::Opcode::Ping, "still there?");
		const auto pong = an.ws.next(2000);
		CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Pong), int(pong.kind));
		const auto pongMs = msSince(pinged);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(pongMs) + " ms", pongMs < 500);
		// Chi has heard nothing yet: its join is still waiting.
		CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Timeout), int(chi.ws.next(100).kind));

		frozen.thaw();
		const auto welcome = chi.expect("welcome", 10000);
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), welcome->getValue<std::string>("nick"));
		// Its early frame, handled once it joined: a message like any other.
		const auto first = messages(chi, 1, 10000);
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "Chi", "sent before the welcome"}}) == first);
		// And the room of An and Binh goes on.
		an.send("after");
		CPPUNIT_ASSERT_EQUAL(std::string("after"), messages(binh, 1, 10000)[0].text);
	}

	void testTooManyFramesBeforeTheWelcome()
	{
		RedisServer redis;
		SharedServer server(redis.address(), "redis_timeout_ms = 5000\n");
		FrozenRedis frozen(redis);
		ChatClient chi(server.port, "/r?nick=Chi");
		// 16 are kept; the 17th closes the connection (1008).
		for (int i = 0; i < 17; ++i) chi.send("early " + std::to_string(i));
		chi.expectRefusal("too_early", webchat::ws::CloseCode::PolicyViolation);
		frozen.thaw();
		// The join it left behind is undone: the nick is free.
		ChatClient again(server.port, "/r?nick=Chi");
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), again.expect("welcome", 10000)->getValue<std::string>("nick"));
	}

	void testJoinsBeyondTheQueueAreRefused()
	{
		RedisServer redis;
		SharedServer server(redis.address(), "redis_timeout_ms = 5000\njoin_threads = 1\nmax_pending_joins = 2\n");
		FrozenRedis frozen(redis);
		ChatClient a(server.port, "/r?nick=A"), b(server.port, "/r?nick=B");
		std::this_thread::sleep_for(std::chrono::milliseconds(200));
		// Two joins wait for Redis: a third is refused at once.
		const auto started = Clock::now();
		ChatClient c(server.port, "/r?nick=C");
		c.expectRefusal("unavailable", 4503);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(msSince(started)) + " ms", msSince(started) < 1000);
		frozen.thaw();
		CPPUNIT_ASSERT_EQUAL(std::string("A"), a.expect("welcome", 10000)->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("B"), b.expect("welcome", 10000)->getValue<std::string>("nick"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(JoinRedisTest);
