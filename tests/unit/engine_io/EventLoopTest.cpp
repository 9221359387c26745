// The event loop's wait: it sleeps until its next tick only with nothing
// left to do. Tasks in its inbox count as work, whoever posted them, so a
// join whose onOpen publishes (and so posts a batch to its own loop) does
// not make the next connection's adoption wait for the tick.
#include "AdoptedSocket.h"
#include "EventLoop.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Engine.h"
#include "webchat/engine/Topic.h"

#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <memory>
#include <vector>

using namespace webchat;
using namespace webchat::engine;

namespace {

// Every connection joins one topic, telling its members (as a chat room's
// join does), which seals a batch on the joining loop while it adopts.
class AnnouncedJoins: public SessionHandler
{
public:
	std::shared_ptr<Topic> topic;

	void onOpen(Connection& connection) override
	{
		connection.subscribe(*topic, [](std::string& batch) { ws::appendFrame(batch, ws::Opcode::Text, "joined"); });
	}
	void onMessage(Connection&, ws::Opcode, std::string_view) override {}
	void onClose(Connection&, std::uint16_t) override {}
};

// An engine of one I/O thread that pings silent connections every
// intervalMs and drops them pongTimeoutMs after an unanswered ping; stopped
// when it goes (after the test's clients, declared later).
struct PingingEngine
{
	static inline const std::string response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";

	PingingEngine(std::int64_t intervalMs, std::int64_t pongTimeoutMs):
		settings(pingSettings(intervalMs, pongTimeoutMs)),
		engine(settings, handler, Poco::Logger::get("EventLoopTest"))
	{
		handler.topic = engine.topic("room");
		engine.start();
	}

	~PingingEngine()
	{
		engine.stop();
		handler.topic.reset();
	}

	static EngineSettings pingSettings(std::int64_t intervalMs, std::int64_t pongTimeoutMs)
	{
		EngineSettings settings = EngineSettings::defaults();
		settings.ioThreads = 1;
		settings.pingIntervalMs = intervalMs;
		settings.pongTimeoutMs = pongTimeoutMs;
		return settings;
	}

	EngineSettings settings;
	AnnouncedJoins handler;
	Engine engine;
};

} // namespace

class EventLoopTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(EventLoopTest);
	CPPUNIT_TEST(testWaitsForTheTickWithNothingToDo);
	CPPUNIT_TEST(testDoesNotWaitWhileItsInboxHasTasks);
	CPPUNIT_TEST(testJoinsThatPublishDoNotDelayTheNextJoin);
	CPPUNIT_TEST(testAnsweredPingIsFollowedByTheNextAtTheInterval);
	CPPUNIT_TEST(testUnansweredPingDropsAfterThePongTimeout);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_settings.ioThreads = 1;
		_engine = std::make_unique<Engine>(_settings, _handler, Poco::Logger::get("EventLoopTest"));
		_handler.topic = _engine->topic("room");
	}

	void tearDown() override
	{
		// Stopped first: a connection still being adopted joins the topic.
		_engine->stop();
		_handler.topic.reset();
		_engine.reset();
	}

	void testWaitsForTheTickWithNothingToDo()
	{
		// A loop of its own, not running: its state is the test's to look at.
		EventLoop loop(*_engine, 0);
		CPPUNIT_ASSERT(loop.waitTimeout() > 0);
	}

	void testDoesNotWaitWhileItsInboxHasTasks()
	{
		EventLoop loop(*_engine, 0);
		loop.postBatch(_handler.topic, std::make_shared<const SealedBatch>(std::string("batch")), 0);
		CPPUNIT_ASSERT_EQUAL(0, loop.waitTimeout());
	}

	void testJoinsThatPublishDoNotDelayTheNextJoin()
	{
		// Each adoption is posted by this thread behind the batch the
		// previous join's onOpen sealed on the loop. A loop that slept on
		// that inbox would answer every join but the first at its next tick
		// (250 ms); the bound is generous so that a busy machine does not
		// fail it, and below one tick so that such a loop does.
		_engine->start();
		std::vector<std::unique_ptr<test::AdoptedSocket>> members;
		const std::string response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
		for (int i = 0; i < 20; ++i)
		{
			members.push_back(std::make_unique<test::AdoptedSocket>(*_engine, response));
			CPPUNIT_ASSERT_EQUAL_MESSAGE("join " + std::to_string(i), response, members.back()->read(response.size(), 150));
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), _handler.topic->subscriberCount());
	}

	void testAnsweredPingIsFollowedByTheNextAtTheInterval()
	{
		// A ping interval shorter than the pong timeout: while a ping is
		// out, the connection's timer waits for the pong timeout; the pong
		// must bring it back to the interval (the next ping at most
		// interval + a tick, 350 ms, after it).
		PingingEngine pinging(100, 3000);
		test::AdoptedSocket client(pinging.engine, PingingEngine::response);
		CPPUNIT_ASSERT_EQUAL(PingingEngine::response, client.read(PingingEngine::response.size(), 2000));
		const std::string ping("\x89\x00", 2);
		const std::string maskedPong("\x8a\x80\x00\x00\x00\x00", 6);
		for (int i = 0; i < 3; ++i)
		{
			// The first within the interval and two ticks; each next well
			// before the pong timeout.
			CPPUNIT_ASSERT_EQUAL_MESSAGE("ping " + std::to_string(i), ping, client.read(ping.size(), 1500));
			CPPUNIT_ASSERT_EQUAL(maskedPong.size(), client.writeSome(maskedPong));
		}
	}

	void testUnansweredPingDropsAfterThePongTimeout()
	{
		// Not answered: the connection is reset once the pong timeout
		// passes, not before.
		PingingEngine pinging(100, 1000);
		test::AdoptedSocket client(pinging.engine, PingingEngine::response);
		CPPUNIT_ASSERT_EQUAL(PingingEngine::response, client.read(PingingEngine::response.size(), 2000));
		CPPUNIT_ASSERT_EQUAL(std::string("\x89\x00", 2), client.read(2, 1500));
		const auto pinged = std::chrono::steady_clock::now();
		// Nothing more until the end of the stream.
		CPPUNIT_ASSERT_EQUAL(std::string(), client.read(1, 5000));
		const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - pinged).count();
		CPPUNIT_ASSERT_MESSAGE(std::to_string(waited) + " ms", waited >= 900 && waited < 4000);
	}

private:
	EngineSettings _settings = EngineSettings::defaults();
	AnnouncedJoins _handler;
	std::unique_ptr<Engine> _engine;
};

CPPUNIT_TEST_SUITE_REGISTRATION(EventLoopTest);
