// A connection's flow on a socket pair, without a listener: a sender that
// writes faster than it reads is not read (throttled) rather than closed,
// and what it sent before a close or a protocol error in the same read
// comes back to it before its close.
#include "AdoptedSocket.h"
#include "TestFrames.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Engine.h"
#include "webchat/engine/Topic.h"

#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <memory>

using namespace webchat;
using namespace webchat::engine;
using webchat::test::masked;
using webchat::test::plain;

namespace {

// The relay: every message to everyone, the sender included.
class Echo: public SessionHandler
{
public:
	std::shared_ptr<Topic> topic;
	std::uint16_t closeCode = 0;

	void onOpen(Connection& connection) override { connection.subscribe(*topic); }
	void onMessage(Connection&, ws::Opcode opcode, std::string_view payload) override { topic->publish(opcode, payload); }
	void onClose(Connection&, std::uint16_t code) override { closeCode = code; }
};

} // namespace

class ConnectionFlowTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConnectionFlowTest);
	CPPUNIT_TEST(testMessagesBeforeACloseComeBackFirst);
	CPPUNIT_TEST(testMessagesBeforeAProtocolErrorComeBackFirst);
	CPPUNIT_TEST(testSenderOwedTooMuchIsNotReadUntilItReads);
	CPPUNIT_TEST(testAnEmptyResponseIsNothingToWrite);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_settings.ioThreads = 1;
		_settings.maxQueuedBytes = 64 * 1024;
	}

	void tearDown() override
	{
		if (_engine) _engine->stop();
		_handler.topic.reset();
		_engine.reset();
	}

	void testMessagesBeforeACloseComeBackFirst()
	{
		start();
		const auto connection = adoptOne();
		test::AdoptedSocket& client = *connection;
		const std::string wire = masked(ws::Opcode::Text, "first") + masked(ws::Opcode::Text, "last words") +
			masked(ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal));
		CPPUNIT_ASSERT_EQUAL(wire.size(), client.writeSome(wire));
		const std::string expected = plain(ws::Opcode::Text, "first") + plain(ws::Opcode::Text, "last words") +
			plain(ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal));
		CPPUNIT_ASSERT_EQUAL(expected, client.read(expected.size() + 1, 2000));
	}

	void testMessagesBeforeAProtocolErrorComeBackFirst()
	{
		start();
		const auto connection = adoptOne();
		test::AdoptedSocket& client = *connection;
		std::string reserved = masked(ws::Opcode::Text, "x");
		reserved[0] = static_cast<char>(reserved[0] | 0x10); // RSV3
		CPPUNIT_ASSERT(client.writeSome(masked(ws::Opcode::Binary, "before") + reserved) > 0);
		const std::string message = plain(ws::Opcode::Binary, "before");
		const std::string got = client.read(message.size() + 4, 2000);
		CPPUNIT_ASSERT_EQUAL(message, got.substr(0, message.size()));
		// Then the close frame, 1002.
		CPPUNIT_ASSERT_EQUAL(std::string("\x88"), got.substr(message.size(), 1));
		CPPUNIT_ASSERT_EQUAL(std::string("\x03\xea", 2), got.substr(message.size() + 2, 2));
	}

	// The client writes 1 KiB messages and reads nothing. Its echoes fill the
	// server's queue for it past half of max_queued_bytes (64 KiB): the
	// server stops reading it, so its writes stop going through, and it is
	// not closed (nobody else sends, so its queue never reaches the cap).
	// Once it reads, the server reads it again: every echo arrives, in order.
	void testSenderOwedTooMuchIsNotReadUntilItReads()
	{
		start();
		const auto connection = adoptOne();
		test::AdoptedSocket& client = *connection;
		const auto message = [](int i) {
			std::string text(1024, static_cast<char>('a' + i % 26));
			const std::string number = std::to_string(i);
			text.replace(0, number.size(), number);
			return text;
		};
		// Writes until the socket takes nothing for half a second.
		int written = 0;
		std::string pending = masked(ws::Opcode::Text, message(0));
		auto idleSince = std::chrono::steady_clock::now();
		while (written < 100000 && std::chrono::steady_clock::now() - idleSince < std::chrono::milliseconds(500))
		{
			const std::size_t n = client.writeSome(pending);
			if (n == 0) continue;
			idleSince = std::chrono::steady_clock::now();
			pending.erase(0, n);
			if (pending.empty()) pending = masked(ws::Opcode::Text, message(++written));
		}
		// 100 MB would have gone through a server that reads on regardless
		// (and closed the client 1008 on the way).
		CPPUNIT_ASSERT_MESSAGE(std::to_string(written) + " messages went through", written < 10000);
		CPPUNIT_ASSERT_EQUAL(0, int(_handler.closeCode));

		// Reading, the client gets every echo of what it wrote, in order,
		// while the rest of its writes go through.
		std::size_t pendingOffset = 0;
		const std::string last = pending;
		for (int i = 0; i < written; ++i)
		{
			const std::string expected = plain(ws::Opcode::Text, message(i));
			CPPUNIT_ASSERT_EQUAL_MESSAGE("echo " + std::to_string(i), expected, client.read(expected.size(), 2000));
			if (pendingOffset < last.size()) pendingOffset += client.writeSome(std::string_view(last).substr(pendingOffset));
		}
		CPPUNIT_ASSERT_EQUAL(0, int(_handler.closeCode));
	}

	// A connection adopted with no bytes to write first still flows (an
	// empty chunk on its queue once kept its loop writing nothing forever).
	void testAnEmptyResponseIsNothingToWrite()
	{
		start();
		test::AdoptedSocket client(*_engine, "");
		CPPUNIT_ASSERT(client.writeSome(masked(ws::Opcode::Text, "hello")) > 0);
		const std::string echo = plain(ws::Opcode::Text, "hello");
		CPPUNIT_ASSERT_EQUAL(echo, client.read(echo.size(), 2000));
	}

private:
	// A connection of the engine, its 101 read.
	std::unique_ptr<test::AdoptedSocket> adoptOne()
	{
		auto client = std::make_unique<test::AdoptedSocket>(*_engine, Response);
		CPPUNIT_ASSERT_EQUAL(Response, client->read(Response.size(), 2000));
		return client;
	}

	void start()
	{
		_engine = std::make_unique<Engine>(_settings, _handler, Poco::Logger::get("ConnectionFlowTest"));
		_handler.topic = _engine->topic("room");
		_engine->start();
	}

	const std::string Response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
	EngineSettings _settings = EngineSettings::defaults();
	Echo _handler;
	std::unique_ptr<Engine> _engine;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConnectionFlowTest);
