//
// Per-address budgets through the real webchatd: WebSocket handshakes are
// limited per client address across connections (429 with Retry-After),
// while other addresses are served.
//

#include "HostConfig.h"
#include "ServerProcess.h"
#include "TestPaths.h"

#include "WireClient.h"

#include <cppunit/extensions/HelperMacros.h>

using namespace webchat::test;

namespace {

// One WebSocket upgrade from source (a loopback address): the answer's head.
WireResponse upgradeFrom(const std::string& source, Poco::UInt16 port)
{
	WireClient client(port, source);
	CPPUNIT_ASSERT(client.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"));
	return client.readResponse();
}

} // namespace

class AddressBudgetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AddressBudgetTest);
	CPPUNIT_TEST(testHandshakesPerAddress);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHandshakesPerAddress()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile("[server]\nplugin_path = " + pluginDir() +
			"\n[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) +
			"\nplugin = relay\nclass = RelayPlugin\nhandshakes_per_ip_per_second = 0.5\nhandshakes_per_ip_burst = 3\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		// The burst, each connection closed again at once: a budget of
		// handshakes, not of open connections.
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(101, upgradeFrom("127.0.0.2", port).status);
		const WireResponse refused = upgradeFrom("127.0.0.2", port);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(refused.head, 429, refused.status);
		// One token every 2 s: the wait is said in whole seconds.
		CPPUNIT_ASSERT_MESSAGE(refused.head, contains(refused.head, "Retry-After: 2\r\n") || contains(refused.head, "Retry-After: 1\r\n"));
		// Another address has a budget of its own.
		CPPUNIT_ASSERT_EQUAL(101, upgradeFrom("127.0.0.3", port).status);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AddressBudgetTest);
