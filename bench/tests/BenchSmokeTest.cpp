// webchat-bench's smoke scenario against the real webchatd running the relay
// plugin, then the chat-room plugin, on a free loopback port: every
// handshake, delivery, order and the slow-consumer case must check out (in
// the chat room also every event's JSON, welcomes and message ids).
// Correctness only, never speed.
#include "ServerProcess.h"
#include "TestPaths.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace webchat::test;

class BenchSmokeTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BenchSmokeTest);
	CPPUNIT_TEST(testSmokePasses);
	CPPUNIT_TEST(testChatroomSmokePasses);
	CPPUNIT_TEST(testChatroomRateLimitFails);
	CPPUNIT_TEST(testRefusesOtherHosts);
	CPPUNIT_TEST_SUITE_END();

public:
	// The bench is one thread: on a machine busy with other work it can fall
	// behind reading one client while its senders go on, and with the default
	// 1 MiB that client would be closed as a slow consumer. 4 MiB still closes
	// the smoke's real non-reader, which is sent 8 MB.
	static constexpr const char* slowConsumerHeadroom = "max_queued_bytes = 4194304\n";

	void testSmokePasses()
	{
		const Poco::UInt16 port = freeLoopbackPort();
		const std::string ini = writeTempFile(
			"[server]\n"
			"plugin_path = " + pluginDir() + "\n"
			"\n"
			"[listeners.chat]\n"
			"address = 127.0.0.1\n"
			"port = " + std::to_string(port) + "\n"
			"plugin = relay\n"
			"class = RelayPlugin\n" + slowConsumerHeadroom);
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));

		ServerProcess bench({"smoke", "--port", std::to_string(port), "--server-pid", std::to_string(server.pid()),
			"--timeout", "120"}, "", WEBCHAT_BENCH_PATH);
		const int code = bench.waitForExit(Poco::Timespan(180, 0));
		const std::string output = bench.output();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, code);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat-bench smoke: PASS") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("FAIL") == std::string::npos);

		CPPUNIT_ASSERT_MESSAGE(server.output(), server.running());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	// The default history backend (sqlite), in a database of the test's own.
	static std::string chatroomIni(Poco::UInt16 port, const std::string& limits)
	{
		return writeTempFile(
			"[server]\n"
			"plugin_path = " + pluginDir() + "\n"
			"\n"
			"[listeners.chat]\n"
			"address = 127.0.0.1\n"
			"port = " + std::to_string(port) + "\n"
			"plugin = chatroom\n"
			"class = ChatroomPlugin\n"
			"database = " + makeTempDir() + "/chat.db\n" + slowConsumerHeadroom + limits);
	}

	void testChatroomSmokePasses()
	{
		const Poco::UInt16 port = freeLoopbackPort();
		// The smoke sends 100 messages a second per sender and more: far
		// above the room's default rate limit (10/s, burst 20).
		ServerProcess server({"--config=" + chatroomIni(port, "rate_per_second = 1000000\nrate_burst = 1000000\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));

		ServerProcess bench({"smoke", "--protocol", "chatroom", "--room", "smoke", "--port", std::to_string(port),
			"--server-pid", std::to_string(server.pid()), "--timeout", "120"}, "", WEBCHAT_BENCH_PATH);
		const int code = bench.waitForExit(Poco::Timespan(180, 0));
		const std::string output = bench.output();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, code);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat-bench smoke: PASS") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("FAIL") == std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("== chatroom/smoke/slow-consumer: PASS ==") != std::string::npos);

		CPPUNIT_ASSERT_MESSAGE(server.output(), server.running());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	void testChatroomRateLimitFails()
	{
		// The benchmark must not mistake refused messages for a quiet room.
		const Poco::UInt16 port = freeLoopbackPort();
		ServerProcess server({"--config=" + chatroomIni(port, "rate_per_second = 10\nrate_burst = 20\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		ServerProcess bench({"throughput", "--protocol", "chatroom", "--port", std::to_string(port), "--clients", "3",
			"--senders", "1", "--messages", "100", "--timeout", "30"}, "", WEBCHAT_BENCH_PATH);
		const int code = bench.waitForExit(Poco::Timespan(60, 0));
		const std::string output = bench.output();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 1, code);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("rate_limited") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat-bench throughput: FAIL") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	void testRefusesOtherHosts()
	{
		// 192.0.2.1 is TEST-NET-1; refused before any socket exists, so
		// nothing leaves the machine either way.
		ServerProcess bench({"smoke", "--host", "192.0.2.1", "--port", "8000"}, "", WEBCHAT_BENCH_PATH);
		const int code = bench.waitForExit(Poco::Timespan(30, 0));
		const std::string output = bench.output();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 2, code);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("not a loopback address") != std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(BenchSmokeTest);
