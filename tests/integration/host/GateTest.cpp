//
// The HTTP gate of a real webchatd (probe plugin; relay and status where
// they matter), on the wire: slow request heads hold no worker thread,
// header_timeout_ms is absolute and keep_alive_timeout_ms bounds idle
// connections, the pending limits refuse at once and are counted,
// keep-alive and pipelining work through the gate, malformed heads are
// answered and closed before any plugin sees them, bytes behind a head are
// left for whoever reads next, and a head in progress survives a reload.
// Timeouts are short so the whole suite stays fast.
//

#include "HostConfig.h"
#include "HttpGet.h"
#include "PluginFolder.h"
#include "ServerProcess.h"
#include "SingleListenerServer.h"
#include "TestPaths.h"
#include "WireClient.h"
#include "WsTestClient.h"

#include "webchat/engine/Protocol.h"

#include "Poco/NumberParser.h"
#include "Poco/String.h"
#include "Poco/Thread.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <iostream>
#include <memory>
#include <sstream>

using namespace webchat::test;

namespace {

using Clock = std::chrono::steady_clock;

long long millisecondsSince(Clock::time_point start)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

const std::string slowHead = "GET /hello HTTP/1.1\r\nHost: localhost\r\nUser-Agent: one byte at a time\r\n\r\n";

std::string get(const std::string& path, const std::string& fields = "")
{
	return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + fields + "\r\n";
}

// 127.0.0.2, 127.0.0.3, ...: a client address of its own for each.
std::string otherAddress(int i)
{
	return "127.0.0." + std::to_string(2 + i);
}

// webchatd with a probe listener "main" (extraKeys in its section) and a
// status listener for /metrics.
class GatedServer
{
public:
	explicit GatedServer(const std::string& extraKeys):
		port(freeLoopbackPort()),
		statusPort(freeLoopbackPort()),
		ini(makeTempDir() + "/webchat.ini")
	{
		write(extraKeys);
		process = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + ini});
		if (!process->waitForPort(port) || !process->waitForPort(statusPort)) CPPUNIT_FAIL("webchatd did not start: " + process->output());
	}

	// The configuration file, as a reload reads it.
	void write(const std::string& extraKeys)
	{
		writeIni(ini, "[server]\nplugin_path = " + probeAndShippedPluginFolder() + "\n" + probeListener("main", port, extraKeys) +
			"[listeners.status]\naddress = 127.0.0.1\nport = " + std::to_string(statusPort) + "\nplugin = status\nclass = StatusPlugin\n");
	}

	// The value of a series of the main listener, e.g.
	// metric("webchat_http_connections_refused_total", "reason=\"max_pending\"").
	double metric(const std::string& name, const std::string& labels = "")
	{
		const std::string series = name + "{listener=\"main\"" + (labels.empty() ? "" : "," + labels) + "} ";
		const auto reply = httpGet(statusPort, "/metrics");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		std::istringstream lines(reply.body);
		for (std::string line; std::getline(lines, line);)
		{
			if (line.compare(0, series.size(), series) == 0) return Poco::NumberParser::parseFloat(line.substr(series.size()));
		}
		CPPUNIT_FAIL("no " + series + "in:\n" + reply.body);
		return -1;
	}

	// Waits (up to 5 s) until the main listener's gate holds this many
	// connections waiting for a head.
	void expectPending(double expected)
	{
		const auto start = Clock::now();
		double pending = metric("webchat_http_pending_connections");
		while (pending != expected && millisecondsSince(start) < 5000)
		{
			Poco::Thread::sleep(20);
			pending = metric("webchat_http_pending_connections");
		}
		CPPUNIT_ASSERT_EQUAL(expected, pending);
	}

	double refused(const std::string& reason)
	{
		return metric("webchat_http_connections_refused_total", "reason=\"" + reason + "\"");
	}

	Poco::UInt16 port;
	Poco::UInt16 statusPort;
	std::string ini;
	std::unique_ptr<ServerProcess> process;
};

void expectHello(WireClient& client, const std::string& request)
{
	CPPUNIT_ASSERT(client.send(request));
	const WireResponse response = client.readResponse();
	CPPUNIT_ASSERT_EQUAL_MESSAGE(response.head, 200, response.status);
	CPPUNIT_ASSERT_EQUAL(std::string("hello"), response.body);
}

// One honest GET from 127.0.0.1 on a new connection: answered 200, and
// how long it took.
long long timedHonestGet(Poco::UInt16 port)
{
	const auto start = Clock::now();
	WireClient honest(port);
	expectHello(honest, get("/hello"));
	return millisecondsSince(start);
}

// Sends a long head a byte every 100 ms until the server closes the
// connection: how long after the first byte, or -1 if still open after
// limitMs.
long long trickleUntilClosed(WireClient& client, int limitMs)
{
	const std::string endless = "GET /hello HTTP/1.1\r\nHost: localhost\r\nX-Padding: " + std::string(limitMs / 100, 'p') + "\r\n\r\n";
	const auto start = Clock::now();
	for (std::size_t i = 0; i < endless.size() && millisecondsSince(start) < limitMs; ++i)
	{
		client.send(endless.substr(i, 1));
		if (client.waitForClose(100)) return millisecondsSince(start);
	}
	return -1;
}

// A keep-alive connection that makes one request, then waits: how long
// after the response the server closed it (-1: still open after 3 s).
long long idleLifetime(Poco::UInt16 port)
{
	WireClient idle(port);
	expectHello(idle, get("/hello"));
	const auto answered = Clock::now();
	return idle.waitForClose(3000) ? millisecondsSince(answered) : -1;
}

std::vector<WireClient*> pointers(const std::vector<std::unique_ptr<WireClient>>& clients)
{
	std::vector<WireClient*> raw;
	for (const auto& client : clients) raw.push_back(client.get());
	return raw;
}

} // namespace

class GateTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(GateTest);
	CPPUNIT_TEST(testSlowHeadsHoldNoWorkerThread);
	CPPUNIT_TEST(testSlowFollowUpRequestsHoldNoWorkerThread);
	CPPUNIT_TEST(testHeaderTimeoutIsAbsolute);
	CPPUNIT_TEST(testFollowUpHeadTimedFromItsFirstByte);
	CPPUNIT_TEST(testIdleKeepAliveOutlivesHeaderTimeout);
	CPPUNIT_TEST(testIdleKeepAliveClosedAtItsTimeout);
	CPPUNIT_TEST(testPendingPerIpLimit);
	CPPUNIT_TEST(testIdleKeepAliveMakesRoomForANewConnection);
	CPPUNIT_TEST(testPendingLimit);
	CPPUNIT_TEST(testSeveralRequestsOnOneConnection);
	CPPUNIT_TEST(testPipelinedRequestsAnsweredInOrder);
	CPPUNIT_TEST(testUnreadBodyIsSkipped);
	CPPUNIT_TEST(testKeepAliveRequestsHonoured);
	CPPUNIT_TEST(testLastRequestsUnreadBodyIsReadBeforeClosing);
	CPPUNIT_TEST(testMalformedHeadsRefusedBeforeThePlugin);
	CPPUNIT_TEST(testFramesSentWithTheUpgradeAreRelayed);
	CPPUNIT_TEST(testHeadInProgressSurvivesReload);
	CPPUNIT_TEST_SUITE_END();

public:
	// POCO alone would give the first slow head the only worker thread
	// until the head or timeout_ms (30 s) ends.
	void testSlowHeadsHoldNoWorkerThread()
	{
		GatedServer server("threads = 1\nheader_timeout_ms = 20000\n");
		std::vector<std::unique_ptr<WireClient>> slow;
		for (int i = 0; i < 10; ++i) slow.push_back(std::make_unique<WireClient>(server.port, otherAddress(i)));
		Trickle trickle(pointers(slow), slowHead, 100);
		Poco::Thread::sleep(300); // every slow client has begun its head

		const long long elapsed = timedHonestGet(server.port);
		std::clog << " [honest GET " << elapsed << " ms beside 10 trickled heads]";
		CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed < 1000);
		CPPUNIT_ASSERT_MESSAGE("the slow heads were not trickling any more", !trickle.finished());
		const std::size_t sent = trickle.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), trickle.failures());
		// The slow heads are served too, once complete.
		for (auto& client : slow) expectHello(*client, slowHead.substr(sent));
	}

	// Between keep-alive requests the connection is the gate's too: a
	// follow-up request trickled after a complete first one holds nothing.
	void testSlowFollowUpRequestsHoldNoWorkerThread()
	{
		GatedServer server("threads = 1\nheader_timeout_ms = 20000\n");
		std::vector<std::unique_ptr<WireClient>> slow;
		for (int i = 0; i < 10; ++i)
		{
			slow.push_back(std::make_unique<WireClient>(server.port, otherAddress(i)));
			expectHello(*slow.back(), get("/hello"));
		}
		Trickle trickle(pointers(slow), slowHead, 100);
		Poco::Thread::sleep(300);

		const long long elapsed = timedHonestGet(server.port);
		std::clog << " [honest GET " << elapsed << " ms beside 10 trickled follow-ups]";
		CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed < 1000);
		CPPUNIT_ASSERT(!trickle.finished());
		const std::size_t sent = trickle.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), trickle.failures());
		for (auto& client : slow) expectHello(*client, slowHead.substr(sent));
	}

	// Each byte comes well within any per-read timeout; the head as a whole
	// does not come within header_timeout_ms.
	void testHeaderTimeoutIsAbsolute()
	{
		GatedServer server("header_timeout_ms = 600\n");
		const auto start = Clock::now();
		WireClient slow(server.port, otherAddress(0));
		CPPUNIT_ASSERT_MESSAGE("still open after 3 s", trickleUntilClosed(slow, 3000) >= 0);
		// From the accept, which came before the first byte.
		const long long sinceConnect = millisecondsSince(start);
		std::clog << " [closed " << sinceConnect << " ms after the connect]";
		CPPUNIT_ASSERT_MESSAGE(std::to_string(sinceConnect) + " ms", sinceConnect >= 400 && sinceConnect <= 2000);
		CPPUNIT_ASSERT_EQUAL(std::string(), slow.received()); // closed without an answer
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("header_timeout"));
	}

	// Between keep-alive requests the clock starts again at the next
	// request's first byte, however long the connection was idle.
	void testFollowUpHeadTimedFromItsFirstByte()
	{
		GatedServer server("header_timeout_ms = 600\nkeep_alive_timeout_ms = 5000\n");
		WireClient client(server.port);
		expectHello(client, get("/hello"));
		CPPUNIT_ASSERT(!client.waitForClose(800));
		const long long elapsed = trickleUntilClosed(client, 3000);
		std::clog << " [follow-up closed " << elapsed << " ms after its first byte]";
		CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed >= 400 && elapsed <= 2000);
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("header_timeout"));
	}

	// Waiting idle for the next request is not a late head...
	void testIdleKeepAliveOutlivesHeaderTimeout()
	{
		GatedServer server("header_timeout_ms = 300\nkeep_alive_timeout_ms = 1200\n");
		const long long elapsed = idleLifetime(server.port);
		std::clog << " [idle closed after " << elapsed << " ms]";
		CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed >= 1000 && elapsed <= 2500);
		// An idle connection that ends was not refused.
		CPPUNIT_ASSERT_EQUAL(0.0, server.refused("header_timeout"));
	}

	// ...and does not wait for the header timeout either.
	void testIdleKeepAliveClosedAtItsTimeout()
	{
		GatedServer server("header_timeout_ms = 5000\nkeep_alive_timeout_ms = 400\n");
		const long long elapsed = idleLifetime(server.port);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed >= 300 && elapsed <= 1500);
	}

	void testPendingPerIpLimit()
	{
		GatedServer server("max_pending_per_ip = 3\nheader_timeout_ms = 20000\n");
		std::vector<std::unique_ptr<WireClient>> waiting;
		for (int i = 0; i < 3; ++i)
		{
			waiting.push_back(std::make_unique<WireClient>(server.port, otherAddress(0)));
			CPPUNIT_ASSERT(waiting.back()->send("GET /hello HTTP/1.1\r\n"));
		}
		server.expectPending(3);

		WireClient fourth(server.port, otherAddress(0));
		const auto start = Clock::now();
		CPPUNIT_ASSERT_MESSAGE("a 4th connection from one address was kept", fourth.waitForClose(1000));
		std::clog << " [4th closed after " << millisecondsSince(start) << " ms]";
		CPPUNIT_ASSERT_EQUAL(std::string(), fourth.received());
		for (auto& client : waiting) CPPUNIT_ASSERT(client->open());
		// Another address is served.
		WireClient other(server.port, otherAddress(1));
		expectHello(other, get("/hello", "Connection: close\r\n"));
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("max_pending_per_ip"));
		CPPUNIT_ASSERT_EQUAL(0.0, server.refused("max_pending"));

		// One of the three completes its request (and leaves): room again.
		expectHello(*waiting.front(), "Host: localhost\r\nConnection: close\r\n\r\n");
		server.expectPending(2);
		WireClient again(server.port, otherAddress(0));
		CPPUNIT_ASSERT_MESSAGE("refused with room under the limit", !again.waitForClose(300));
		expectHello(again, get("/hello"));
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("max_pending_per_ip"));
	}

	// A browser keeps several keep-alive connections idle after loading a
	// page: at the per-address limit, a new connection from that address
	// takes the place of the oldest idle one instead of being refused.
	void testIdleKeepAliveMakesRoomForANewConnection()
	{
		GatedServer server("max_pending_per_ip = 2\nheader_timeout_ms = 20000\nkeep_alive_timeout_ms = 20000\n");
		WireClient first(server.port, otherAddress(0));
		expectHello(first, get("/hello"));
		WireClient second(server.port, otherAddress(0));
		expectHello(second, get("/hello"));
		server.expectPending(2); // both idle, waiting for their next request

		WireClient third(server.port, otherAddress(0));
		CPPUNIT_ASSERT_MESSAGE("the oldest idle connection was kept", first.waitForClose(2000));
		CPPUNIT_ASSERT(second.open());
		expectHello(third, get("/hello"));
		CPPUNIT_ASSERT_EQUAL(0.0, server.refused("max_pending_per_ip"));

		// Without idle ones to end, a newcomer beyond the limit is refused.
		WireClient waitingHead(server.port, otherAddress(1)), otherHead(server.port, otherAddress(1));
		CPPUNIT_ASSERT(waitingHead.send("GET /hello HTTP/1.1\r\n"));
		CPPUNIT_ASSERT(otherHead.send("GET /hello HTTP/1.1\r\n"));
		server.expectPending(4);
		WireClient refused(server.port, otherAddress(1));
		CPPUNIT_ASSERT_MESSAGE("a 3rd waiting connection from one address was kept", refused.waitForClose(1000));
		CPPUNIT_ASSERT(second.open() && waitingHead.open() && otherHead.open());
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("max_pending_per_ip"));
	}

	void testPendingLimit()
	{
		GatedServer server("max_pending = 4\nmax_pending_per_ip = 100\nheader_timeout_ms = 20000\n");
		std::vector<std::unique_ptr<WireClient>> waiting;
		for (int i = 0; i < 4; ++i)
		{
			waiting.push_back(std::make_unique<WireClient>(server.port, otherAddress(i)));
			CPPUNIT_ASSERT(waiting.back()->send("GET /hello HTTP/1.1\r\n"));
		}
		server.expectPending(4);
		WireClient fifth(server.port, otherAddress(4));
		CPPUNIT_ASSERT_MESSAGE("a 5th waiting connection was kept", fifth.waitForClose(1000));
		CPPUNIT_ASSERT_EQUAL(std::string(), fifth.received());
		for (auto& client : waiting) CPPUNIT_ASSERT(client->open());
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("max_pending"));
		CPPUNIT_ASSERT_EQUAL(0.0, server.refused("max_pending_per_ip"));

		expectHello(*waiting.back(), "Host: localhost\r\nConnection: close\r\n\r\n");
		server.expectPending(3);
		WireClient again(server.port, otherAddress(5));
		expectHello(again, get("/hello"));
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("max_pending"));
	}

	void testSeveralRequestsOnOneConnection()
	{
		GatedServer server("");
		WireClient client(server.port);
		for (int i = 0; i < 5; ++i)
		{
			expectHello(client, get("/hello"));
			CPPUNIT_ASSERT(client.send(get("/missing")));
			CPPUNIT_ASSERT_EQUAL(404, client.readResponse().status);
		}
	}

	void testPipelinedRequestsAnsweredInOrder()
	{
		GatedServer server("");
		WireClient client(server.port);
		CPPUNIT_ASSERT(client.send(get("/hello") + get("/missing") + get("/hello")));
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.readResponse().body);
		CPPUNIT_ASSERT_EQUAL(404, client.readResponse().status);
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.readResponse().body);
		CPPUNIT_ASSERT(client.open());
	}

	// The probe never reads a body: the rest of it is skipped, not taken
	// for the next request.
	void testUnreadBodyIsSkipped()
	{
		GatedServer server("max_body_bytes = 65536\n");
		WireClient client(server.port);
		const std::string body(3000, 'b');
		// All in one write...
		const std::string post = "POST /hello HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
		CPPUNIT_ASSERT(client.send(post + body + get("/missing")));
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.readResponse().body);
		CPPUNIT_ASSERT_EQUAL(404, client.readResponse().status);
		// ...and with most of the body after the response.
		CPPUNIT_ASSERT(client.send(post + body.substr(0, 100)));
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.readResponse().body);
		Poco::Thread::sleep(100);
		CPPUNIT_ASSERT(client.send(body.substr(100) + get("/missing")));
		CPPUNIT_ASSERT_EQUAL(404, client.readResponse().status);
		expectHello(client, get("/hello"));
	}

	void testKeepAliveRequestsHonoured()
	{
		GatedServer server("keep_alive_requests = 3\n");
		WireClient client(server.port);
		for (int i = 0; i < 3; ++i)
		{
			CPPUNIT_ASSERT_MESSAGE("request " + std::to_string(i + 1), client.open());
			CPPUNIT_ASSERT(client.send(get("/hello")));
			const WireResponse response = client.readResponse();
			CPPUNIT_ASSERT_EQUAL_MESSAGE(response.head, 200, response.status);
			// The last one says the connection ends; the others do not.
			const bool closes = Poco::toLower(response.head).find("connection: close") != std::string::npos;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(response.head, i == 2, closes);
		}
		CPPUNIT_ASSERT_MESSAGE("open after keep_alive_requests", client.waitForClose(1000));
	}

	// The last request a connection may make, with a body its handler does
	// not read: the gate reads the rest of the body before it closes, as
	// a reset could cost the client its response.
	void testLastRequestsUnreadBodyIsReadBeforeClosing()
	{
		GatedServer server("keep_alive_requests = 2\nmax_body_bytes = 300000\n");
		WireClient client(server.port);
		expectHello(client, get("/hello"));
		const std::string body(200000, 'b');
		expectHello(client, "POST /hello HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
			body.substr(0, 100));
		Poco::Thread::sleep(100); // the gate has the connection back
		CPPUNIT_ASSERT_MESSAGE("reset while sending the body", client.send(body.substr(100)));
		CPPUNIT_ASSERT(client.waitForClose(2000));
		CPPUNIT_ASSERT_MESSAGE("reset, not closed", client.closedCleanly(200));
	}

	// Each is answered with its status and closed by the gate: the probe
	// never sees it, so the access log has none of them.
	void testMalformedHeadsRefusedBeforeThePlugin()
	{
		GatedServer server("max_head_bytes = 1024\nmax_body_bytes = 1024\n");
		struct Case
		{
			const char* what;
			std::string bytes;
			int status;
		};
		const std::vector<Case> cases{
			{"Transfer-Encoding with Content-Length", "POST /te-cl HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400},
			{"two different Content-Length", "POST /two-lengths HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", 400},
			{"HTTP/1.1 without Host", "GET /no-host HTTP/1.1\r\nAccept: */*\r\n\r\n", 400},
			{"HTTP/9.9", "GET /nine HTTP/9.9\r\nHost: a\r\n\r\n", 505},
			{"NUL in a value", std::string("GET /nul HTTP/1.1\r\nHost: a\r\nX-Nul: a") + '\0' + "b\r\n\r\n", 400},
			{"obs-fold", "GET /fold HTTP/1.1\r\nHost: a\r\nX-Folded: a\r\n b\r\n\r\n", 400},
			{"a Host with a space and markup", "GET /script HTTP/1.1\r\nHost: a b<script>\r\n\r\n", 400},
			{"a head over max_head_bytes", "GET /long HTTP/1.1\r\nHost: a\r\nX-Long: " + std::string(1100, 'l') + "\r\n\r\n", 431},
			{"a body over max_body_bytes, not sent", "POST /large HTTP/1.1\r\nHost: a\r\nContent-Length: 100000\r\n\r\n", 413},
			{"chunked", "POST /chunked HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 411},
			{"bare LF line endings", "GET /bare-lf HTTP/1.1\nHost: a\n\n", 400},
		};
		for (const auto& each : cases)
		{
			WireClient client(server.port);
			CPPUNIT_ASSERT_MESSAGE(each.what, client.send(each.bytes));
			const WireResponse response = client.readResponse(2000);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::string(each.what) + ": " + response.head, each.status, response.status);
			CPPUNIT_ASSERT_MESSAGE(std::string(each.what) + ": " + response.head, contains(response.head, "\r\nConnection: close\r\n"));
			CPPUNIT_ASSERT_MESSAGE(std::string(each.what) + ": still open", client.waitForClose(1000));
		}
		CPPUNIT_ASSERT_EQUAL(8.0, server.refused("bad_request"));
		CPPUNIT_ASSERT_EQUAL(1.0, server.refused("head_too_large"));
		CPPUNIT_ASSERT_EQUAL(2.0, server.refused("body_not_accepted"));

		// A request that does reach the probe is logged: the only line.
		CPPUNIT_ASSERT_EQUAL(404, httpGet(server.port, "/after-the-refusals").status);
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), server.process->waitForOutput("webchat.main.access: GET /after-the-refusals 404 "));
		const std::string output = server.process->output();
		std::size_t lines = 0;
		for (std::size_t at = output.find("webchat.main.access:"); at != std::string::npos; at = output.find("webchat.main.access:", at + 1)) ++lines;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, std::size_t(1), lines);
	}

	// The gate reads only the head: frames right behind it, in the same
	// write, longer than the gate's own buffer (max_head_bytes), are the
	// engine's to read.
	void testFramesSentWithTheUpgradeAreRelayed()
	{
		SingleListenerServer server("relay", "RelayPlugin", "max_head_bytes = 1024\n");
		WsTestClient listener(server.port);
		const std::string large(3000, 'L');
		std::string bytes = get("/", "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n");
		webchat::ws::appendMaskedFrame(bytes, webchat::ws::Opcode::Text, "right behind the head", 0x12345678);
		webchat::ws::appendMaskedFrame(bytes, webchat::ws::Opcode::Text, large, 0x9abcdef0);
		WireClient early(server.port);
		CPPUNIT_ASSERT(early.send(bytes));
		CPPUNIT_ASSERT_EQUAL(101, early.readResponse().status);
		CPPUNIT_ASSERT_EQUAL(std::string("right behind the head"), listener.receiveMessage());
		CPPUNIT_ASSERT(large == listener.receiveMessage());
		// The relay echoes to the sender as well.
		CPPUNIT_ASSERT_EQUAL(std::string("right behind the head"), early.readServerText());
		CPPUNIT_ASSERT(large == early.readServerText());
	}

	// A connection the replaced instance had accepted, mid-head at the
	// reload, is still that instance's: answered with its greeting.
	void testHeadInProgressSurvivesReload()
	{
		GatedServer server("greeting = before\n");
		WireClient midHead(server.port);
		CPPUNIT_ASSERT(midHead.send("GET /hello HTTP/1.1\r\n"));
		server.expectPending(1);

		server.write("greeting = after\n");
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), sighupAndWait(*server.process, 1));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(server.process->output(), "listener main: probe/ProbePlugin replaced"));
		CPPUNIT_ASSERT_EQUAL(std::string("after"), httpGet(server.port, "/hello").body);

		CPPUNIT_ASSERT(midHead.send("Host: localhost\r\n\r\n"));
		const WireResponse response = midHead.readResponse();
		CPPUNIT_ASSERT_EQUAL(200, response.status);
		CPPUNIT_ASSERT_EQUAL(std::string("before"), response.body);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(GateTest);
