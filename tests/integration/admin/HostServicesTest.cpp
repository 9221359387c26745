//
// The host's service registry on the real webchatd, with the probe plugin
// (tests/plugins/probe): each probe listener publishes a ProbeService named
// after it once it serves, and any listener finds the others' by name.
//

#include "HostConfig.h"
#include "HttpGet.h"

#include <cppunit/extensions/HelperMacros.h>

using namespace webchat::test;

class HostServicesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HostServicesTest);
	CPPUNIT_TEST(testListenersFindEachOthersServices);
	CPPUNIT_TEST(testAnotherVersionIsNotFound);
	CPPUNIT_TEST(testReloadReplacesAndWithdraws);
	CPPUNIT_TEST_SUITE_END();

public:
	void testListenersFindEachOthersServices()
	{
		const auto port1 = freeLoopbackPort();
		const auto port2 = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("one", port1, "greeting = first") + probeListener("two", port2, "greeting = second")))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port1) && server.waitForPort(port2));
		CPPUNIT_ASSERT_EQUAL(std::string("second"), httpGet(port1, "/service/two").body);
		CPPUNIT_ASSERT_EQUAL(std::string("first"), httpGet(port2, "/service/one").body);
		CPPUNIT_ASSERT_EQUAL(std::string("first"), httpGet(port1, "/service/one").body);
		CPPUNIT_ASSERT_EQUAL(404, httpGet(port1, "/service/three").status);
	}

	void testAnotherVersionIsNotFound()
	{
		const auto port1 = freeLoopbackPort();
		const auto port2 = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("one", port1) + probeListener("two", port2, "service_version = 2")))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port1) && server.waitForPort(port2));
		CPPUNIT_ASSERT_EQUAL(200, httpGet(port2, "/service/one").status);
		CPPUNIT_ASSERT_EQUAL(404, httpGet(port1, "/service/two").status);
	}

	void testReloadReplacesAndWithdraws()
	{
		const std::string ini = makeTempDir() + "/webchat.ini";
		const auto port1 = freeLoopbackPort();
		const auto port2 = freeLoopbackPort();
		writeIni(ini, config(probeListener("one", port1) + probeListener("two", port2, "greeting = before")));
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port1) && server.waitForPort(port2));
		CPPUNIT_ASSERT_EQUAL(std::string("before"), httpGet(port1, "/service/two").body);

		// Replaced: the successor's service, though the predecessor lives on.
		writeIni(ini, config(probeListener("one", port1) + probeListener("two", port2, "greeting = after")));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 1));
		CPPUNIT_ASSERT_EQUAL(std::string("after"), httpGet(port1, "/service/two").body);

		// Removed: withdrawn.
		writeIni(ini, config(probeListener("one", port1)));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 2));
		CPPUNIT_ASSERT_EQUAL(404, httpGet(port1, "/service/two").status);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HostServicesTest);
