//
// The relay plugin on the engine, run for real: webchatd on loopback, raw
// WebSocket clients. Protocol violations get the right close code while the
// other clients keep being served.
//

#include "RelayServer.h"
#include "ServerProcess.h"
#include "TestPaths.h"
#include "WsTestClient.h"

#include "webchat/engine/Protocol.h"

#include "Poco/Net/NetException.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <csignal>
#include <map>
#include <memory>
#include <sys/resource.h>
#include <thread>
#include <vector>

using namespace webchat::test;
namespace ws = webchat::ws;

namespace {

std::string frame(ws::Opcode opcode, std::string_view payload, bool fin = true)
{
	std::string bytes;
	ws::appendMaskedFrame(bytes, opcode, payload, 0x01020304, fin);
	return bytes;
}

// Reads what a client that stopped reading is still sent until the server
// drops it; the close code it saw (0 when its close frame did not fit in
// its buffers before the close timeout), or -1 if it was not dropped.
int closeCodeOfDroppedClient(WsTestClient& client)
{
	std::uint16_t code = 0;
	for (;;)
	{
		const auto event = client.next(5000);
		if (event.kind == WsTestClient::Event::Close) code = event.closeCode;
		if (event.kind == WsTestClient::Event::EndOfStream) return code;
		if (event.kind == WsTestClient::Event::Timeout) return -1;
	}
}

} // namespace

class RelayTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RelayTest);
	CPPUNIT_TEST(testRelaysToEveryClientIncludingSender);
	CPPUNIT_TEST(testKeepsEachSendersOrder);
	CPPUNIT_TEST(testFrameSentWithTheHandshake);
	CPPUNIT_TEST(testEachProtocolViolationGetsItsCloseCode);
	CPPUNIT_TEST(testAnswersPingAndEchoesClose);
	CPPUNIT_TEST(testPingsIdleClientAndDropsDeadOne);
	CPPUNIT_TEST(testHalfFrameClientIsClosed);
	CPPUNIT_TEST(testNonReadingClientIsClosedOthersLoseNothing);
	CPPUNIT_TEST(testBurstingSenderIsThrottledNotClosed);
	CPPUNIT_TEST(testMessagesBeforeACloseInTheSameReadAreDelivered);
	CPPUNIT_TEST(testMessagesBeforeAProtocolErrorInTheSameReadAreDelivered);
	CPPUNIT_TEST(testHandshakeRefusals);
	CPPUNIT_TEST(testOriginPolicy);
	CPPUNIT_TEST(testConnectionLimits);
	CPPUNIT_TEST(testThousandClientFanOut);
	CPPUNIT_TEST(testConnectDisconnectCycles);
	CPPUNIT_TEST(testJoinsAndDeliveriesOnAnIdleServerTakeNoTick);
	CPPUNIT_TEST(testSigtermSendsGoingAway);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRelaysToEveryClientIncludingSender()
	{
		RelayServer server;
		WsTestClient a(server.port), b(server.port), c(server.port);
		const std::string vietnamese = "Xin chào, thế giới! Tiếng Việt có dấu";
		a.sendText(vietnamese);
		for (auto* client : {&a, &b, &c}) CPPUNIT_ASSERT_EQUAL(vietnamese, client->receiveMessage());
		const std::string binary("\x00\xff\x10 binary", 10);
		b.send(ws::Opcode::Binary, binary);
		for (auto* client : {&a, &b, &c})
		{
			const auto event = client->next();
			CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Message), int(event.kind));
			CPPUNIT_ASSERT_EQUAL(int(ws::Opcode::Binary), int(event.opcode));
			CPPUNIT_ASSERT_EQUAL(binary, event.payload);
		}
		c.sendText("");
		for (auto* client : {&a, &b, &c}) CPPUNIT_ASSERT_EQUAL(std::string(), client->receiveMessage());
	}

	void testKeepsEachSendersOrder()
	{
		RelayServer server("io_threads = 2");
		std::vector<std::unique_ptr<WsTestClient>> clients;
		for (int i = 0; i < 6; ++i) clients.push_back(std::make_unique<WsTestClient>(server.port));
		const int perSender = 300;
		for (int n = 0; n < perSender; ++n)
		{
			for (int sender = 0; sender < 3; ++sender) clients[sender]->sendText(std::to_string(sender) + ":" + std::to_string(n));
		}
		for (auto& client : clients)
		{
			std::map<int, int> next;
			for (int i = 0; i < 3 * perSender; ++i)
			{
				const std::string message = client->receiveMessage();
				const int sender = std::stoi(message.substr(0, message.find(':')));
				const int n = std::stoi(message.substr(message.find(':') + 1));
				CPPUNIT_ASSERT_EQUAL_MESSAGE("sender " + std::to_string(sender), next[sender], n);
				next[sender] = n + 1;
			}
		}
	}

	// A client may send its first frame right behind the upgrade request;
	// those bytes sit in POCO's buffer and must reach the engine.
	void testFrameSentWithTheHandshake()
	{
		RelayServer server;
		WsTestClient listener(server.port);
		Poco::Net::StreamSocket raw;
		raw.connect(Poco::Net::SocketAddress("127.0.0.1", server.port));
		const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n" + frame(ws::Opcode::Text, "early bird");
		raw.sendBytes(request.data(), static_cast<int>(request.size()));
		CPPUNIT_ASSERT_EQUAL(std::string("early bird"), listener.receiveMessage());
	}

	void testEachProtocolViolationGetsItsCloseCode()
	{
		RelayServer server("max_message_bytes = 1024");
		WsTestClient bystander(server.port);

		std::string unmasked;
		ws::appendFrame(unmasked, ws::Opcode::Text, "not masked");
		std::string rsv = frame(ws::Opcode::Text, "x");
		rsv[0] = static_cast<char>(rsv[0] | 0x40);
		std::string unknownOpcode = frame(ws::Opcode::Text, "x");
		unknownOpcode[0] = static_cast<char>(0x83);
		std::string tooBigHeader = frame(ws::Opcode::Binary, std::string(2000, 'x')).substr(0, 8);

		const std::vector<std::pair<std::string, std::pair<std::string, std::uint16_t>>> cases = {
			{"unmasked frame", {unmasked, ws::CloseCode::ProtocolError}},
			{"RSV1 without extension", {rsv, ws::CloseCode::ProtocolError}},
			{"unknown opcode", {unknownOpcode, ws::CloseCode::ProtocolError}},
			{"ping over 125 bytes", {frame(ws::Opcode::Ping, std::string(126, 'p')), ws::CloseCode::ProtocolError}},
			{"fragmented ping", {frame(ws::Opcode::Ping, "p", false), ws::CloseCode::ProtocolError}},
			{"continuation without start", {frame(ws::Opcode::Continuation, "x"), ws::CloseCode::ProtocolError}},
			{"new message inside fragmented one", {frame(ws::Opcode::Text, "a", false) + frame(ws::Opcode::Text, "b"), ws::CloseCode::ProtocolError}},
			{"invalid UTF-8", {frame(ws::Opcode::Text, "bad \xc3\x28 text"), ws::CloseCode::InvalidPayload}},
			{"invalid UTF-8 across fragments", {frame(ws::Opcode::Text, "ok \xe1\xba", false) + frame(ws::Opcode::Continuation, "\x28"), ws::CloseCode::InvalidPayload}},
			{"message over max_message_bytes (header only)", {tooBigHeader, ws::CloseCode::MessageTooBig}},
			{"fragments over max_message_bytes", {frame(ws::Opcode::Text, std::string(800, 'a'), false) + frame(ws::Opcode::Continuation, std::string(800, 'b')), ws::CloseCode::MessageTooBig}},
			{"invalid close code", {frame(ws::Opcode::Close, std::string("\x03\xed", 2)), ws::CloseCode::ProtocolError}},
			{"close body of one byte", {frame(ws::Opcode::Close, "x"), ws::CloseCode::ProtocolError}},
		};
		int round = 0;
		for (const auto& testCase : cases)
		{
			WsTestClient offender(server.port);
			offender.sendRaw(testCase.second.first);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(testCase.first, int(testCase.second.second), int(offender.waitForClose()));
			CPPUNIT_ASSERT_MESSAGE(testCase.first + ": server did not close the TCP connection", offender.waitForEndOfStream());

			// Everyone else is still served.
			const std::string text = "still here " + std::to_string(++round);
			bystander.sendText(text);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(testCase.first, text, bystander.receiveMessage());
		}
	}

	void testAnswersPingAndEchoesClose()
	{
		RelayServer server;
		WsTestClient client(server.port);
		client.send(ws::Opcode::Ping, "are you there");
		const auto pong = client.next();
		CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Pong), int(pong.kind));
		CPPUNIT_ASSERT_EQUAL(std::string("are you there"), pong.payload);

		client.sendClose(ws::CloseCode::Normal);
		CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::Normal), int(client.waitForClose()));
		CPPUNIT_ASSERT(client.waitForEndOfStream());
	}

	void testPingsIdleClientAndDropsDeadOne()
	{
		RelayServer server("ping_interval_ms = 300\npong_timeout_ms = 300");
		WsTestClient alive(server.port), dead(server.port);
		// The live client answers pings; the dead one never does.
		const auto ping = dead.next(3000);
		CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Ping), int(ping.kind));
		for (int i = 0; i < 3; ++i)
		{
			const auto event = alive.next(3000);
			CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Ping), int(event.kind));
			alive.send(ws::Opcode::Pong, event.payload);
		}
		CPPUNIT_ASSERT_MESSAGE("the silent client was not dropped", dead.waitForEndOfStream(3000));
		alive.sendText("still alive");
		WsTestClient::Event event;
		do event = alive.next(); while (event.kind == WsTestClient::Event::Ping);
		CPPUNIT_ASSERT_EQUAL(std::string("still alive"), event.payload);
	}

	void testHalfFrameClientIsClosed()
	{
		RelayServer server("frame_timeout_ms = 300");
		WsTestClient bystander(server.port);
		WsTestClient stalled(server.port);
		stalled.sendRaw(frame(ws::Opcode::Text, "never finished").substr(0, 7));
		bystander.sendText("served meanwhile");
		CPPUNIT_ASSERT_EQUAL(std::string("served meanwhile"), bystander.receiveMessage());
		CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::PolicyViolation), int(stalled.waitForClose(3000)));
		CPPUNIT_ASSERT(stalled.waitForEndOfStream(3000));
	}

	void testNonReadingClientIsClosedOthersLoseNothing()
	{
		RelayServer server("max_queued_bytes = 65536\nclose_timeout_ms = 200");
		Poco::Net::NameValueCollection none;
		// A small receive buffer so the kernel cannot absorb the backlog.
		WsTestClient nonReader(server.port);
		nonReader.socket().setReceiveBufferSize(4096);
		WsTestClient sender(server.port), reader(server.port);

		// Far more than the kernel's socket buffers hold on loopback (up to
		// 4 MiB to send, a little to receive), so the server's queue fills.
		const int count = 3000;
		const std::string padding(4000, 'x');
		for (int i = 0; i < count; ++i)
		{
			sender.sendText(std::to_string(i) + padding);
			// Readers keep up, as live clients do: never more than 20 KB
			// owed, well under max_queued_bytes.
			if (i % 5 == 4)
			{
				for (int j = i - 4; j <= i; ++j)
				{
					CPPUNIT_ASSERT_EQUAL(std::to_string(j) + padding, reader.receiveMessage());
					CPPUNIT_ASSERT_EQUAL(std::to_string(j) + padding, sender.receiveMessage());
				}
			}
		}
		// The non-reader was owed far more than 64 KiB: closed, not waited for.
		const int code = closeCodeOfDroppedClient(nonReader);
		CPPUNIT_ASSERT_MESSAGE("the non-reading client was not disconnected", code >= 0);
		CPPUNIT_ASSERT_MESSAGE("close code " + std::to_string(code), code == 0 || code == ws::CloseCode::PolicyViolation);
	}

	// 16 MiB of 64 KiB messages, sent as fast as the socket takes them while
	// another thread reads the echoes, more slowly (a millisecond a message):
	// the server stops reading the sender whenever it owes it more than half
	// of max_queued_bytes, so the burst is slowed to the sender's own pace by
	// TCP, never cut. A bystander reading at full speed gets everything; a
	// client that never reads is still closed with 1008.
	void testBurstingSenderIsThrottledNotClosed()
	{
		RelayServer server("close_timeout_ms = 200");
		WsTestClient nonReader(server.port);
		nonReader.socket().setReceiveBufferSize(4096);
		WsTestClient sender(server.port), bystander(server.port);
		// The sender's own receive buffer is fixed, as the pace of its echo
		// reader is: left to the kernel's autotuning (up to tcp_rmem's max,
		// 32 MiB on some machines) it could take all 16 MiB of echoes, the
		// server would never owe the sender anything, and the burst would
		// reach the bystander at the server's full speed, not the sender's.
		sender.socket().setReceiveBufferSize(64 * 1024);

		const int count = 256;
		const auto message = [](int i) {
			std::string text(64 * 1024, static_cast<char>('a' + i % 26));
			const std::string number = std::to_string(i) + ":";
			text.replace(0, number.size(), number);
			return text;
		};
		std::thread sending([&] {
			for (int i = 0; i < count; ++i) sender.sendText(message(i));
		});
		int bystanderReceived = 0;
		std::string bystanderStop;
		std::thread bystanding([&] {
			for (; bystanderReceived < count; ++bystanderReceived)
			{
				const auto event = bystander.next(10000);
				if (event.kind != WsTestClient::Event::Message || event.payload != message(bystanderReceived))
				{
					bystanderStop = "event " + std::to_string(event.kind) + " code " + std::to_string(event.closeCode);
					break;
				}
			}
		});
		int senderReceived = 0;
		for (; senderReceived < count; ++senderReceived)
		{
			std::this_thread::sleep_for(std::chrono::milliseconds(1));
			const auto event = sender.next(10000);
			if (event.kind != WsTestClient::Event::Message || event.payload != message(senderReceived)) break;
		}
		sending.join();
		bystanding.join();
		CPPUNIT_ASSERT_EQUAL_MESSAGE("echoes the sender got, in order", count, senderReceived);
		CPPUNIT_ASSERT_EQUAL_MESSAGE("messages the bystander got, in order; then " + bystanderStop, count, bystanderReceived);

		// Still connected and served.
		sender.sendText("after the burst");
		CPPUNIT_ASSERT_EQUAL(std::string("after the burst"), sender.receiveMessage());
		CPPUNIT_ASSERT_EQUAL(std::string("after the burst"), bystander.receiveMessage());

		const int code = closeCodeOfDroppedClient(nonReader);
		CPPUNIT_ASSERT_MESSAGE("the non-reading client was not disconnected", code >= 0);
		CPPUNIT_ASSERT_MESSAGE("close code " + std::to_string(code), code == 0 || code == ws::CloseCode::PolicyViolation);
	}

	// A message and a close in one write: everyone gets the message, the
	// sender too, and the sender's close echo comes after it.
	void testMessagesBeforeACloseInTheSameReadAreDelivered()
	{
		RelayServer server("io_threads = 2");
		WsTestClient a(server.port), b(server.port), leaving(server.port);
		leaving.sendRaw(frame(ws::Opcode::Text, "first") + frame(ws::Opcode::Text, "last words") +
			frame(ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal)));
		CPPUNIT_ASSERT_EQUAL(std::string("first"), leaving.receiveMessage());
		CPPUNIT_ASSERT_EQUAL(std::string("last words"), leaving.receiveMessage());
		CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::Normal), int(leaving.waitForClose()));
		CPPUNIT_ASSERT(leaving.waitForEndOfStream());
		for (auto* client : {&a, &b})
		{
			CPPUNIT_ASSERT_EQUAL(std::string("first"), client->receiveMessage());
			CPPUNIT_ASSERT_EQUAL(std::string("last words"), client->receiveMessage());
		}
	}

	// The same when the bytes after the messages break the protocol: the
	// close carries the error's code.
	void testMessagesBeforeAProtocolErrorInTheSameReadAreDelivered()
	{
		RelayServer server;
		WsTestClient bystander(server.port), offender(server.port);
		std::string reserved = frame(ws::Opcode::Text, "x");
		reserved[0] = static_cast<char>(reserved[0] | 0x20);
		offender.sendRaw(frame(ws::Opcode::Text, "before the error") + reserved);
		CPPUNIT_ASSERT_EQUAL(std::string("before the error"), offender.receiveMessage());
		CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::ProtocolError), int(offender.waitForClose()));
		CPPUNIT_ASSERT(offender.waitForEndOfStream());
		CPPUNIT_ASSERT_EQUAL(std::string("before the error"), bystander.receiveMessage());
	}

	void testHandshakeRefusals()
	{
		RelayServer server;
		Poco::Net::NameValueCollection noKey;
		noKey.set("Sec-WebSocket-Key", "");
		CPPUNIT_ASSERT_EQUAL(400, WsTestClient::handshakeStatus(server.port, "/", noKey));
		Poco::Net::NameValueCollection badKey;
		badKey.set("Sec-WebSocket-Key", "short");
		CPPUNIT_ASSERT_EQUAL(400, WsTestClient::handshakeStatus(server.port, "/", badKey));
		Poco::Net::NameValueCollection oldVersion;
		oldVersion.set("Sec-WebSocket-Version", "8");
		CPPUNIT_ASSERT_EQUAL(426, WsTestClient::handshakeStatus(server.port, "/", oldVersion));
		Poco::Net::NameValueCollection noUpgrade;
		noUpgrade.set("Upgrade", "");
		noUpgrade.set("Connection", "keep-alive");
		const int plain = WsTestClient::handshakeStatus(server.port, "/", noUpgrade);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(plain), plain == 426 || plain == 400);
	}

	void testOriginPolicy()
	{
		RelayServer server("allowed_origins = self:8080, https://chat.example.org");
		Poco::Net::NameValueCollection pageOrigin;
		pageOrigin.set("Origin", "http://127.0.0.1:8080");
		CPPUNIT_ASSERT_EQUAL(101, WsTestClient::handshakeStatus(server.port, "/", pageOrigin));
		Poco::Net::NameValueCollection listed;
		listed.set("Origin", "https://chat.example.org");
		CPPUNIT_ASSERT_EQUAL(101, WsTestClient::handshakeStatus(server.port, "/", listed));
		Poco::Net::NameValueCollection otherSite;
		otherSite.set("Origin", "http://evil.example");
		CPPUNIT_ASSERT_EQUAL(403, WsTestClient::handshakeStatus(server.port, "/", otherSite));
		Poco::Net::NameValueCollection otherPort;
		otherPort.set("Origin", "http://127.0.0.1:9999");
		CPPUNIT_ASSERT_EQUAL(403, WsTestClient::handshakeStatus(server.port, "/", otherPort));
		Poco::Net::NameValueCollection nullOrigin;
		nullOrigin.set("Origin", "null");
		CPPUNIT_ASSERT_EQUAL(403, WsTestClient::handshakeStatus(server.port, "/", nullOrigin));
		// No Origin: not a browser.
		CPPUNIT_ASSERT_EQUAL(101, WsTestClient::handshakeStatus(server.port, "/", {}));
	}

	void testConnectionLimits()
	{
		RelayServer server("max_connections_per_ip = 3\nclose_timeout_ms = 200");
		std::vector<std::unique_ptr<WsTestClient>> clients;
		for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<WsTestClient>(server.port));
		CPPUNIT_ASSERT_EQUAL(503, WsTestClient::handshakeStatus(server.port, "/", {}));
		// A slot comes back when a client leaves.
		clients.back()->sendClose(ws::CloseCode::Normal);
		CPPUNIT_ASSERT(clients.back()->waitForEndOfStream());
		int status = 0;
		for (int attempt = 0; attempt < 100 && status != 101; ++attempt)
			status = WsTestClient::handshakeStatus(server.port, "/", {});
		CPPUNIT_ASSERT_EQUAL(101, status);
	}

	void testThousandClientFanOut()
	{
		rlimit limit{};
		getrlimit(RLIMIT_NOFILE, &limit);
		limit.rlim_cur = limit.rlim_max;
		setrlimit(RLIMIT_NOFILE, &limit);

		RelayServer server("max_connections_per_ip = 2000");
		std::vector<std::unique_ptr<WsTestClient>> clients;
		for (int i = 0; i < 1000; ++i) clients.push_back(std::make_unique<WsTestClient>(server.port));
		clients[500]->sendText("to all thousand");
		for (auto& client : clients) CPPUNIT_ASSERT_EQUAL(std::string("to all thousand"), client->receiveMessage());
	}

	void testConnectDisconnectCycles()
	{
		RelayServer server("max_connections_per_ip = 8");
		WsTestClient witness(server.port);
		for (int i = 0; i < 200; ++i)
		{
			WsTestClient client(server.port);
			client.sendText("cycle " + std::to_string(i));
			CPPUNIT_ASSERT_EQUAL("cycle " + std::to_string(i), client.receiveMessage());
			CPPUNIT_ASSERT_EQUAL("cycle " + std::to_string(i), witness.receiveMessage());
			if (i % 2)
				client.sendClose(ws::CloseCode::Normal); // clean close
			// else: the socket is just dropped
		}
		// Had slots leaked, the per-IP limit of 8 would have refused by now.
		WsTestClient last(server.port);
		last.sendText("done");
		CPPUNIT_ASSERT_EQUAL(std::string("done"), last.receiveMessage());
	}

	// On an idle server nothing may wait for the loop's 250 ms tick: every
	// join gets its 101, and its first message comes back, at once. The
	// bound is generous (a busy machine must not fail it) and below a tick
	// (a loop that slept on work would). Two I/O threads: joins alternate
	// between them and each one's batches go to both.
	void testJoinsAndDeliveriesOnAnIdleServerTakeNoTick()
	{
		RelayServer server("io_threads = 2");
		std::vector<std::unique_ptr<WsTestClient>> members;
		const auto elapsedMs = [](std::chrono::steady_clock::time_point since) {
			return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - since).count();
		};
		for (int i = 0; i < 50; ++i)
		{
			const std::string join = "join " + std::to_string(i);
			auto started = std::chrono::steady_clock::now();
			members.push_back(std::make_unique<WsTestClient>(server.port));
			const auto upgradeMs = elapsedMs(started);
			CPPUNIT_ASSERT_MESSAGE(join + ": 101 after " + std::to_string(upgradeMs) + " ms", upgradeMs < 100);
			started = std::chrono::steady_clock::now();
			members.back()->sendText(join);
			CPPUNIT_ASSERT_EQUAL(join, members.back()->receiveMessage());
			const auto deliveryMs = elapsedMs(started);
			CPPUNIT_ASSERT_MESSAGE(join + ": delivered after " + std::to_string(deliveryMs) + " ms", deliveryMs < 100);
		}
	}

	void testSigtermSendsGoingAway()
	{
		// Long timeouts: the server must end each connection as soon as the
		// client answers its close, not when a timer runs out.
		RelayServer server("close_timeout_ms = 60000\ndrain_timeout_ms = 60000");
		WsTestClient a(server.port), b(server.port);
		::kill(server.process->pid(), SIGTERM);
		CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::GoingAway), int(a.waitForClose()));
		CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::GoingAway), int(b.waitForClose()));
		a.sendClose(ws::CloseCode::GoingAway);
		CPPUNIT_ASSERT_MESSAGE("no prompt TCP close after the close handshake", a.waitForEndOfStream(5000));
		CPPUNIT_ASSERT(server.process->running()); // b has not answered yet
		b.sendClose(ws::CloseCode::Normal);
		CPPUNIT_ASSERT(b.waitForEndOfStream(5000));
		CPPUNIT_ASSERT_EQUAL(0, server.process->waitForExit(Poco::Timespan(5, 0)));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RelayTest);
