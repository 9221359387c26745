//
// The HTTP gate of a real webchatd on a TLS listener: clients that stall
// before or inside the handshake, or trickle their head through TLS, hold
// no worker thread; the handshake counts against header_timeout_ms;
// pipelined requests wait in OpenSSL's buffer, an unread body there is
// skipped or read before closing. (Frames behind an upgrade request:
// TlsTest::testFramesSentWithTheUpgradeAreKept.)
//

#include "PluginFolder.h"
#include "ServerProcess.h"
#include "TestCertificate.h"
#include "TestPaths.h"
#include "WireClient.h"

#include "Poco/Thread.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <iostream>
#include <memory>

using namespace webchat::test;

namespace {

using Clock = std::chrono::steady_clock;
using Tls = WireClient::Tls;

long long millisecondsSince(Clock::time_point start)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

const std::string slowHead = "GET /hello HTTP/1.1\r\nHost: localhost\r\nUser-Agent: one record a byte\r\n\r\n";

std::string get(const std::string& path)
{
	return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
}

std::string otherAddress(int i)
{
	return "127.0.0." + std::to_string(2 + i);
}

void expectHello(WireClient& client, const std::string& request)
{
	CPPUNIT_ASSERT(client.send(request));
	const WireResponse response = client.readResponse();
	CPPUNIT_ASSERT_EQUAL_MESSAGE(response.head, 200, response.status);
	CPPUNIT_ASSERT_EQUAL(std::string("hello"), response.body);
}

} // namespace

class TlsGateTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TlsGateTest);
	CPPUNIT_TEST(testStalledTlsClientsHoldNoWorkerThread);
	CPPUNIT_TEST(testHandshakeCountsAgainstHeaderTimeout);
	CPPUNIT_TEST(testPipelinedRequestsOverTls);
	CPPUNIT_TEST(testUnreadBodyIsNeverARequest);
	CPPUNIT_TEST(testUnreadBodyIsReadBeforeClosing);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		dir = makeTempDir();
		certificate = TestCertificate::generate(dir, "gate");
	}

	// Silent after connecting, silent after the ClientHello, or a head a
	// record at a time: none of them holds the only worker thread.
	void testStalledTlsClientsHoldNoWorkerThread()
	{
		start("plugin = probe\nclass = ProbePlugin\nthreads = 1\nheader_timeout_ms = 20000\n");
		std::vector<std::unique_ptr<WireClient>> silent;
		for (int i = 0; i < 4; ++i)
		{
			silent.push_back(std::make_unique<WireClient>(port, otherAddress(i), Tls::None));
			silent.push_back(std::make_unique<WireClient>(port, otherAddress(i), Tls::ClientHelloOnly));
		}
		std::vector<std::unique_ptr<WireClient>> slow;
		std::vector<WireClient*> trickled;
		for (int i = 0; i < 4; ++i)
		{
			slow.push_back(std::make_unique<WireClient>(port, otherAddress(4 + i), Tls::Handshake));
			trickled.push_back(slow.back().get());
		}
		Trickle trickle(trickled, slowHead, 100);
		Poco::Thread::sleep(300);

		const auto begin = Clock::now();
		WireClient honest(port, "127.0.0.1", Tls::Handshake);
		expectHello(honest, get("/hello"));
		const long long elapsed = millisecondsSince(begin);
		std::clog << " [honest https GET " << elapsed << " ms beside 8 stalled handshakes and 4 trickled heads]";
		CPPUNIT_ASSERT_MESSAGE(std::to_string(elapsed) + " ms", elapsed < 1000);
		CPPUNIT_ASSERT(!trickle.finished());
		for (auto& client : silent) CPPUNIT_ASSERT(client->open());
		const std::size_t sent = trickle.stop();
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), trickle.failures());
		for (auto& client : slow) expectHello(*client, slowHead.substr(sent));
	}

	// A new connection's header_timeout_ms runs from its accept, handshake
	// included.
	void testHandshakeCountsAgainstHeaderTimeout()
	{
		start("plugin = probe\nclass = ProbePlugin\nheader_timeout_ms = 600\n");
		const auto begin = Clock::now();
		WireClient silent(port, otherAddress(0), Tls::None);
		WireClient stalled(port, otherAddress(1), Tls::ClientHelloOnly);
		CPPUNIT_ASSERT(silent.waitForClose(3000));
		const long long silentClosed = millisecondsSince(begin);
		CPPUNIT_ASSERT(stalled.waitForClose(3000));
		const long long stalledClosed = millisecondsSince(begin);
		std::clog << " [closed after " << silentClosed << " and " << stalledClosed << " ms]";
		CPPUNIT_ASSERT_MESSAGE(std::to_string(silentClosed) + " ms", silentClosed >= 400 && silentClosed <= 2000);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(stalledClosed) + " ms", stalledClosed >= 400 && stalledClosed <= 2000);
	}

	// Requests that arrive together sit decrypted in OpenSSL's buffer,
	// where the socket shows nothing: the gate must look there too.
	void testPipelinedRequestsOverTls()
	{
		start("plugin = probe\nclass = ProbePlugin\n");
		WireClient client(port, "127.0.0.1", Tls::Handshake);
		CPPUNIT_ASSERT(client.send(get("/hello") + get("/missing") + get("/hello")));
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.readResponse().body);
		CPPUNIT_ASSERT_EQUAL(404, client.readResponse().status);
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.readResponse().body);
		expectHello(client, get("/hello"));
	}

	// A body the handler does not read is skipped, never taken for the
	// next request, though OpenSSL holds it decrypted when the handler is
	// done: a body that is a request itself would otherwise be answered
	// (200 hello) without the gate ever checking its head.
	void testUnreadBodyIsNeverARequest()
	{
		start("plugin = probe\nclass = ProbePlugin\n");
		WireClient client(port, "127.0.0.1", Tls::Handshake);
		const std::string body = get("/hello");
		CPPUNIT_ASSERT(client.send("POST /missing HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
			body + get("/missing")));
		CPPUNIT_ASSERT_EQUAL(404, client.readResponse().status);
		const WireResponse next = client.readResponse();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(next.head + next.body, 404, next.status);
		expectHello(client, get("/hello"));
	}

	// A connection POCO closes after a response (Connection: close) with
	// the body unread: the body is read before the connection closes, as
	// in plaintext, since a reset could cost the client its response.
	void testUnreadBodyIsReadBeforeClosing()
	{
		start("plugin = probe\nclass = ProbePlugin\nmax_body_bytes = 300000\n");
		WireClient client(port, "127.0.0.1", Tls::Handshake);
		const std::string body(200000, 'b');
		expectHello(client, "POST /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: " +
			std::to_string(body.size()) + "\r\n\r\n" + body.substr(0, 100));
		Poco::Thread::sleep(100); // POCO has closed its side
		CPPUNIT_ASSERT_MESSAGE("reset while sending the body", client.send(body.substr(100)));
		CPPUNIT_ASSERT(client.waitForClose(2000));
		CPPUNIT_ASSERT_MESSAGE("reset, not closed", client.closedCleanly(200));
	}

private:
	// webchatd with one TLS listener "main" of this test's certificate.
	void start(const std::string& keys)
	{
		port = freeLoopbackPort();
		server = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + writeTempFile(
			"[server]\nplugin_path = " + probeAndShippedPluginFolder() + "\n"
			"[listeners.main]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\n" + keys +
			"tls_certificate = " + certificate.certificateFile + "\ntls_private_key = " + certificate.privateKeyFile + "\n")});
		if (!server->waitForPort(port)) CPPUNIT_FAIL("webchatd did not start: " + server->output());
	}

	std::string dir;
	TestCertificate certificate;
	Poco::UInt16 port = 0;
	std::unique_ptr<ServerProcess> server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(TlsGateTest);
