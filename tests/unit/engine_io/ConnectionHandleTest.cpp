// Reaching a connection off its own callbacks: a deadline the session set
// calls it back on its thread, and a handle posts work to it from another
// thread while it is open, and to nothing once it is gone.
#include "AdoptedSocket.h"
#include "TestFrames.h"
#include "EventLoop.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Engine.h"

#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <vector>

using namespace webchat;
using namespace webchat::engine;
using webchat::test::masked;
using webchat::test::plain;

namespace {

std::int64_t steadyNowMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// Each connection gets a deadline (deadlineAfterMs from its opening, unless
// negative) and says "deadline" when it passes. Its handle is kept; a text
// frame "clear" clears the deadline, "close" closes it.
class Deadlines: public SessionHandler
{
public:
	std::int64_t deadlineAfterMs = -1;
	std::mutex mutex;
	std::vector<ConnectionHandle> handles;
	std::atomic<int> deadlines{0};

	void onOpen(Connection& connection) override
	{
		if (deadlineAfterMs >= 0) connection.setDeadline(steadyNowMs() + deadlineAfterMs);
		std::lock_guard<std::mutex> lock(mutex);
		handles.push_back(connection.handle());
	}

	void onMessage(Connection& connection, ws::Opcode, std::string_view payload) override
	{
		if (payload == "clear") connection.setDeadline(0);
		if (payload == "close") connection.close(ws::CloseCode::Normal);
	}

	void onDeadline(Connection& connection) override
	{
		++deadlines;
		connection.send(ws::Opcode::Text, "deadline");
	}

	void onClose(Connection&, std::uint16_t) override {}

	ConnectionHandle handle(std::size_t index)
	{
		std::lock_guard<std::mutex> lock(mutex);
		return handles.at(index);
	}
};

} // namespace

class ConnectionHandleTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConnectionHandleTest);
	CPPUNIT_TEST(testDeadlineCallsBackOnce);
	CPPUNIT_TEST(testClearedDeadlineDoesNotCall);
	CPPUNIT_TEST(testHandleRunsTaskOnTheConnection);
	CPPUNIT_TEST(testHandleOfClosedConnectionDropsTask);
	CPPUNIT_TEST(testHandleFindsAConnectionThatMoved);
	CPPUNIT_TEST(testEmptyHandleDoesNothing);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override { _settings.ioThreads = 1; }

	void tearDown() override
	{
		if (_engine) _engine->stop();
		_engine.reset();
	}

	void testDeadlineCallsBackOnce()
	{
		_handler.deadlineAfterMs = 300;
		start();
		const auto client = adoptOne();
		const std::string expected = plain(ws::Opcode::Text, "deadline");
		CPPUNIT_ASSERT_EQUAL(expected, client->read(expected.size(), 3000));
		// Cleared before the call: not called again on later ticks.
		CPPUNIT_ASSERT_EQUAL(std::string(), client->read(1, 800));
		CPPUNIT_ASSERT_EQUAL(1, _handler.deadlines.load());
	}

	void testClearedDeadlineDoesNotCall()
	{
		_handler.deadlineAfterMs = 600;
		start();
		const auto client = adoptOne();
		CPPUNIT_ASSERT(client->writeSome(masked(ws::Opcode::Text, "clear")) > 0);
		// Two ticks past the deadline.
		CPPUNIT_ASSERT_EQUAL(std::string(), client->read(1, 1200));
		CPPUNIT_ASSERT_EQUAL(0, _handler.deadlines.load());
	}

	void testHandleRunsTaskOnTheConnection()
	{
		start();
		const auto client = adoptOne();
		const ConnectionHandle handle = _handler.handle(0);
		CPPUNIT_ASSERT(!handle.empty());
		std::atomic<bool> onLoopThread{false};
		// From this (test) thread, onto the connection's.
		handle.post([&](Connection& connection) {
			onLoopThread = EventLoop::current() != nullptr;
			connection.send(ws::Opcode::Text, "from afar");
			connection.close(ws::CloseCode::PolicyViolation, "kicked");
		});
		const std::string expected = plain(ws::Opcode::Text, "from afar") + plain(ws::Opcode::Close, ws::closePayload(ws::CloseCode::PolicyViolation, "kicked"));
		CPPUNIT_ASSERT_EQUAL(expected, client->read(expected.size(), 3000));
		CPPUNIT_ASSERT(onLoopThread.load());
	}

	void testHandleOfClosedConnectionDropsTask()
	{
		start();
		auto first = adoptOne();
		CPPUNIT_ASSERT(first->writeSome(masked(ws::Opcode::Text, "close")) > 0);
		const std::string closeFrame = plain(ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal));
		CPPUNIT_ASSERT_EQUAL(closeFrame, first->read(closeFrame.size(), 3000));
		first.reset();
		const auto second = adoptOne();
		std::atomic<int> ran{0};
		_handler.handle(0).post([&](Connection&) { ++ran; });
		// Tasks of one loop run in order: once the second connection's has
		// run, the first one's was looked at.
		_handler.handle(1).post([&](Connection& connection) { connection.send(ws::Opcode::Text, "second"); });
		const std::string expected = plain(ws::Opcode::Text, "second");
		CPPUNIT_ASSERT_EQUAL(expected, second->read(expected.size(), 3000));
		CPPUNIT_ASSERT_EQUAL(0, ran.load());
		CPPUNIT_ASSERT(_handler.handle(0) != _handler.handle(1));
	}

	void testHandleFindsAConnectionThatMoved()
	{
		// The loop lists its connections in order; a close moves the last
		// into the closed one's place: a handle made before still reaches
		// its connection, moved or not.
		start();
		auto first = adoptOne();
		const auto second = adoptOne();
		const auto third = adoptOne();
		CPPUNIT_ASSERT(first->writeSome(masked(ws::Opcode::Text, "close")) > 0);
		const std::string closeFrame = plain(ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal));
		CPPUNIT_ASSERT_EQUAL(closeFrame, first->read(closeFrame.size(), 3000));
		// Its close answered, the server ends the stream and drops it from
		// its list (before it next looks at its inbox).
		CPPUNIT_ASSERT(first->writeSome(masked(ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal))) > 0);
		CPPUNIT_ASSERT_EQUAL(std::string(), first->read(1, 3000));
		first.reset();
		for (const auto& [index, client] : {std::make_pair(2, third.get()), std::make_pair(1, second.get())})
		{
			const std::string name = "number " + std::to_string(index);
			_handler.handle(static_cast<std::size_t>(index)).post([name](Connection& connection) { connection.send(ws::Opcode::Text, name); });
			const std::string expected = plain(ws::Opcode::Text, name);
			CPPUNIT_ASSERT_EQUAL(expected, client->read(expected.size(), 3000));
		}
	}

	void testEmptyHandleDoesNothing()
	{
		ConnectionHandle handle;
		CPPUNIT_ASSERT(handle.empty());
		bool ran = false;
		handle.post([&](Connection&) { ran = true; });
		CPPUNIT_ASSERT(!ran);
	}

private:
	std::unique_ptr<test::AdoptedSocket> adoptOne()
	{
		auto client = std::make_unique<test::AdoptedSocket>(*_engine, Response);
		CPPUNIT_ASSERT_EQUAL(Response, client->read(Response.size(), 2000));
		return client;
	}

	void start()
	{
		_engine = std::make_unique<Engine>(_settings, _handler, Poco::Logger::get("ConnectionHandleTest"));
		_engine->start();
	}

	const std::string Response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
	EngineSettings _settings = EngineSettings::defaults();
	Deadlines _handler;
	std::unique_ptr<Engine> _engine;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConnectionHandleTest);
