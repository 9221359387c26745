//
// trusted_proxies through the real webchatd: behind a trusted proxy, the
// client its X-Forwarded-For names is who the logs and the per-address
// limits see; from anyone else the header is ignored.
//

#include "HostConfig.h"
#include "HttpGet.h"
#include "ServerProcess.h"
#include "TestPaths.h"
#include "WsTestClient.h"

#include "Poco/Net/NameValueCollection.h"

#include <cppunit/extensions/HelperMacros.h>

using namespace webchat::test;

namespace {

// A relay listener allowing 2 connections per address.
std::string relayConfig(Poco::UInt16 port, const std::string& extra)
{
	return "[server]\nplugin_path = " + pluginDir() + "\n[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) +
		"\nplugin = relay\nclass = RelayPlugin\nmax_connections_per_ip = 2\n" + extra;
}

Poco::Net::NameValueCollection forwardedFor(const std::string& client)
{
	Poco::Net::NameValueCollection headers;
	headers.set("X-Forwarded-For", client);
	return headers;
}

} // namespace

class TrustedProxiesIntegrationTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TrustedProxiesIntegrationTest);
	CPPUNIT_TEST(testPerAddressLimitCountsForwardedClients);
	CPPUNIT_TEST(testHeaderIgnoredFromUntrustedPeer);
	CPPUNIT_TEST(testAccessLogNamesTheClient);
	CPPUNIT_TEST(testBadTrustedProxiesRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPerAddressLimitCountsForwardedClients()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(relayConfig(port, "trusted_proxies = 127.0.0.1\n"))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		WsTestClient first(port, "/", forwardedFor("198.51.100.1"));
		WsTestClient second(port, "/", forwardedFor("198.51.100.1"));
		// The same client a third time: its own limit.
		CPPUNIT_ASSERT_EQUAL(503, WsTestClient::handshakeStatus(port, "/", forwardedFor("198.51.100.1")));
		// Another client through the same proxy: its own count.
		WsTestClient other(port, "/", forwardedFor("198.51.100.2"));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testHeaderIgnoredFromUntrustedPeer()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(relayConfig(port, "trusted_proxies = 10.0.0.0/8\n"))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		// 127.0.0.1 is no trusted proxy: whatever it claims, it is one client.
		WsTestClient first(port, "/", forwardedFor("198.51.100.1"));
		WsTestClient second(port, "/", forwardedFor("198.51.100.2"));
		CPPUNIT_ASSERT_EQUAL(503, WsTestClient::handshakeStatus(port, "/", forwardedFor("198.51.100.3")));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testAccessLogNamesTheClient()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("main", port, "trusted_proxies = 127.0.0.1")))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		CPPUNIT_ASSERT_EQUAL(200, httpRequest(port, "GET", "/hello", forwardedFor("6.6.6.6, 203.0.113.9")).status);
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForOutput("GET /hello 200"));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "203.0.113.9"));
		CPPUNIT_ASSERT_MESSAGE(server.output(), !contains(server.output(), "6.6.6.6"));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testBadTrustedProxiesRefused()
	{
		expectConfigError(config(probeListener("main", freeLoopbackPort(), "trusted_proxies = 10.0.0.0/8, nginx.local")),
			{"listeners.main.trusted_proxies = 10.0.0.0/8, nginx.local: expected addresses or CIDRs: nginx.local is not an address or a CIDR"});
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TrustedProxiesIntegrationTest);
