// webchat-bench's smoke scenario against the real webchatd running the relay
// plugin (with a status listener: the server's counters reported beside the
// bench's), then the chat-room plugin, on a free loopback port: every
// handshake, delivery, order and the slow-consumer case must check out (in
// the chat room also every event's JSON, welcomes and message ids); and two
// chat-room instances sharing their room through a real redis-server, the
// clients spread over both (--ports), their records (--json, with
// redis-server's commandstats) tabled by `webchat-bench report`; and the
// relay over TLS (wss, --tls) with a certificate made at test time by the
// openssl command (nothing secret is committed); and the slowloris
// scenario at small scale against the shipped configuration. Correctness
// only, never speed.
#include "ServerProcess.h"
#include "TestPaths.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <unistd.h>

using namespace webchat::test;

class BenchSmokeTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BenchSmokeTest);
	CPPUNIT_TEST(testSmokePasses);
	CPPUNIT_TEST(testChatroomSmokePasses);
	CPPUNIT_TEST(testChatroomRateLimitFails);
	CPPUNIT_TEST(testSeveralRooms);
	CPPUNIT_TEST(testTwoInstancesThroughRedis);
	CPPUNIT_TEST(testTlsSmokePasses);
	CPPUNIT_TEST(testDeflateSmokePasses);
	CPPUNIT_TEST(testRefusesOtherHosts);
	CPPUNIT_TEST(testSlowlorisSmall);
	CPPUNIT_TEST(testIdleFromSeveralAddresses);
	CPPUNIT_TEST(testIdlePingCheck);
	CPPUNIT_TEST_SUITE_END();

public:
	// The bench is one thread: on a machine busy with other work it can fall
	// behind reading one client while its senders go on, and with the default
	// 1 MiB that client would be closed as a slow consumer. 4 MiB still closes
	// the smoke's real non-reader, which is sent 8 MB. And the bench opens
	// its connections all at once from one address: more may wait for
	// their heads at a time than max_pending_per_ip allows a single client.
	static constexpr const char* slowConsumerHeadroom = "max_queued_bytes = 4194304\nmax_pending_per_ip = 4096\n"
		"handshakes_per_ip_per_second = 1000000\nhandshakes_per_ip_burst = 1000000\n";

	// The relay (listener chat) on port with a status listener on
	// statusPort beside it, added with --define as bench/run.sh does (the
	// smoke also reports the server's own counters). chatKeys go into the
	// relay's section, moreSections after it; listening once it returns.
	static std::unique_ptr<ServerProcess> startRelay(Poco::UInt16 port, Poco::UInt16 statusPort,
		const std::string& chatKeys = "", const std::string& moreSections = "")
	{
		const std::string ini = writeTempFile(
			"[server]\n"
			"plugin_path = " + pluginDir() + "\n"
			"\n"
			"[listeners.chat]\n"
			"address = 127.0.0.1\n"
			"port = " + std::to_string(port) + "\n"
			"plugin = relay\n"
			"class = RelayPlugin\n" + slowConsumerHeadroom + chatKeys + moreSections);
		auto server = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + ini,
			"--define=listeners.status.address=127.0.0.1", "--define=listeners.status.port=" + std::to_string(statusPort),
			"--define=listeners.status.plugin=status", "--define=listeners.status.class=StatusPlugin"});
		CPPUNIT_ASSERT_MESSAGE(server->output(), server->waitForPort(port));
		CPPUNIT_ASSERT_MESSAGE(server->output(), server->waitForPort(statusPort));
		return server;
	}

	// Runs webchat-bench with arguments; it must exit 0 with everything
	// PASS and nothing FAIL. Returns what it printed.
	static std::string benchPasses(const std::vector<std::string>& arguments)
	{
		ServerProcess bench(arguments, "", WEBCHAT_BENCH_PATH);
		const int code = bench.waitForExit(Poco::Timespan(180, 0));
		const std::string output = bench.output();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, code);
		CPPUNIT_ASSERT_MESSAGE(output, output.find(": PASS") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("FAIL") == std::string::npos);
		return output;
	}

	// The million-connection mode at small scale: 5,000 idle connections
	// from 4 source addresses. The relay takes at most 1,250 from one
	// address, so every one of them opens only if they really come from
	// 127.0.0.2-127.0.0.5; the kernel's share per connection is reported.
	void testIdleFromSeveralAddresses()
	{
		const Poco::UInt16 port = freeLoopbackPort();
		Poco::UInt16 statusPort = freeLoopbackPort();
		while (statusPort == port) statusPort = freeLoopbackPort();
		const std::unique_ptr<ServerProcess> started = startRelay(port, statusPort, "max_connections_per_ip = 1250\n");
		ServerProcess& server = *started;

		const std::string output = benchPasses({"idle", "--port", std::to_string(port), "--connections", "5000",
			"--addresses", "4", "--hold", "1", "--server-pid", std::to_string(server.pid()), "--timeout", "120"});
		for (const char* line: {R"(established\s+5000\n)", R"(failed\s+0\n)", R"(addresses\s+127\.0\.0\.2-127\.0\.0\.5\n)",
				R"(kernel_tcp_buffers_per_connection_both_ends_bytes\s+-?\d+)", R"(server_rss_per_connection_bytes\s+\d+)"})
			CPPUNIT_ASSERT_MESSAGE(line + std::string(" missing:\n") + output, std::regex_search(output, std::regex(line)));
		// Root reads /proc/slabinfo (CI runs as root).
		if (::geteuid() == 0)
			CPPUNIT_ASSERT_MESSAGE(output, output.find("kernel_slab_per_connection_both_ends_bytes") != std::string::npos);

		// The same from one address: beyond 1,250 the relay refuses.
		ServerProcess refused({"idle", "--port", std::to_string(port), "--connections", "1300",
			"--hold", "0", "--timeout", "60"}, "", WEBCHAT_BENCH_PATH);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(refused.output(), 1, refused.waitForExit(Poco::Timespan(90, 0)));
		CPPUNIT_ASSERT_MESSAGE(refused.output(), std::regex_search(refused.output(), std::regex(R"(established\s+1250\n)")));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	void testIdlePingCheck()
	{
		// A short ping interval: every held connection is pinged, answers,
		// and stays (a late pong would drop it); the server's CPU while
		// holding is reported per connection.
		const Poco::UInt16 port = freeLoopbackPort();
		Poco::UInt16 statusPort = freeLoopbackPort();
		while (statusPort == port) statusPort = freeLoopbackPort();
		const std::unique_ptr<ServerProcess> started =
			startRelay(port, statusPort, "max_connections_per_ip = 1250\nping_interval_ms = 300\npong_timeout_ms = 1000\n");
		ServerProcess& server = *started;
		const std::string output = benchPasses({"idle", "--port", std::to_string(port), "--connections", "2000", "--addresses", "2",
			"--hold", "1.5", "--ping-check", "--server-pid", std::to_string(server.pid()), "--timeout", "120"});
		for (const char* line: {R"(established\s+2000\n)", R"(dropped_while_held\s+0\n)", R"(connections_pinged_while_holding\s+2000\n)",
				R"(server_cpu_ns_per_connection_per_s_while_holding\s+[\d.]+)"})
			CPPUNIT_ASSERT_MESSAGE(line + std::string(" missing:\n") + output, std::regex_search(output, std::regex(line)));
		// 1.5 s at one ping per 300 ms of silence and a tick of 250: at
		// least two each.
		std::smatch pings;
		CPPUNIT_ASSERT_MESSAGE(output, std::regex_search(output, pings, std::regex(R"(pings_answered_while_holding\s+(\d+)\n)")));
		CPPUNIT_ASSERT_MESSAGE(output, std::stoull(pings[1]) >= 4000);

		// Held for less than the interval: --ping-check fails the run.
		ServerProcess tooShort({"idle", "--port", std::to_string(port), "--connections", "10", "--hold", "0", "--ping-check",
			"--timeout", "60"}, "", WEBCHAT_BENCH_PATH);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(tooShort.output(), 1, tooShort.waitForExit(Poco::Timespan(90, 0)));
		CPPUNIT_ASSERT_MESSAGE(tooShort.output(), tooShort.output().find("were not pinged while held") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	void testSmokePasses()
	{
		const Poco::UInt16 port = freeLoopbackPort();
		Poco::UInt16 statusPort = freeLoopbackPort();
		while (statusPort == port) statusPort = freeLoopbackPort();
		const std::unique_ptr<ServerProcess> started = startRelay(port, statusPort);
		ServerProcess& server = *started;

		const std::string output = benchPasses({"smoke", "--port", std::to_string(port), "--server-pid",
			std::to_string(server.pid()), "--metrics-url", "http://127.0.0.1:" + std::to_string(statusPort) + "/metrics",
			"--timeout", "120"});
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat-bench smoke: PASS") != std::string::npos);
		// The server-counter lines are there (what they say is report-only).
		CPPUNIT_ASSERT_MESSAGE(output, output.find("warning") == std::string::npos);
		for (const char* line: {"server_counters", "server_messages_in", "bench_messages_sent", "agree_messages_in",
				"server_bytes_out", "server_connections_accepted", "agree_connections", "server_slow_consumers_closed",
				"agree_slow_consumers", "server_protocol_errors", "agree_protocol_errors"})
			CPPUNIT_ASSERT_MESSAGE(line + std::string(" missing:\n") + output, output.find(line) != std::string::npos);

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
		ServerProcess server({"--config=" + chatroomIni(port, "rate_per_second = 1000000\nrate_burst = 1000000\nrate_per_ip_per_second = 1000000\nrate_per_ip_burst = 1000000\npresence_events_per_ip_per_minute = 1000000\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));

		const std::string output = benchPasses({"smoke", "--protocol", "chatroom", "--room", "smoke", "--port",
			std::to_string(port), "--server-pid", std::to_string(server.pid()), "--timeout", "120"});
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat-bench smoke: PASS") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("== chatroom/smoke/slow-consumer: PASS ==") != std::string::npos);

		CPPUNIT_ASSERT_MESSAGE(server.output(), server.running());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	// --room a,b,c: clients (and senders) spread over three rooms, each
	// message owed to its own room's members only, ids +1 per room. A
	// server that delivered across rooms, or a bench that expected it, fails.
	void testSeveralRooms()
	{
		const Poco::UInt16 port = freeLoopbackPort();
		ServerProcess server({"--config=" + chatroomIni(port, "rate_per_second = 1000000\nrate_burst = 1000000\nrate_per_ip_per_second = 1000000\nrate_per_ip_burst = 1000000\npresence_events_per_ip_per_minute = 1000000\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		const std::string output = benchPasses({"throughput", "--protocol", "chatroom", "--room", "one,two,three", "--clients",
			"10", "--senders", "5", "--messages", "200", "--port", std::to_string(port), "--server-pid",
			std::to_string(server.pid()), "--timeout", "60"});
		// A report line: "  <key>   <value>".
		const auto field = [&output](const std::string& key) {
			const std::size_t at = output.find("\n  " + key + " ");
			if (at == std::string::npos) return std::string();
			const std::size_t value = output.find_first_not_of(' ', at + 3 + key.size());
			return output.substr(value, output.find('\n', value) - value);
		};
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, std::string("one,two,three"), field("rooms"));
		// 5 senders x 200 messages, each to its room's members: rooms of
		// 4, 3 and 3 clients with 2, 2 and 1 senders: (2 x 4 + 2 x 3 + 1 x 3) x 200.
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, std::string("3400"), field("deliveries_expected"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, std::string("3400"), field("deliveries_verified"));

		// Bad room lists are refused before anything connects.
		for (const std::vector<std::string>& wrong: {std::vector<std::string>{"--room", "a,a"},
				 std::vector<std::string>{"--room", "a,,b"}, std::vector<std::string>{"--room", "a,b", "--room-shards", "1,1"},
				 std::vector<std::string>{"--room", "a,b", "--room-shards", "1", "--redis-pid",
					 std::to_string(server.pid()) + "," + std::to_string(server.pid())}})
		{
			std::vector<std::string> arguments = {"throughput", "--protocol", "chatroom", "--port", std::to_string(port)};
			arguments.insert(arguments.end(), wrong.begin(), wrong.end());
			ServerProcess bench(arguments, "", WEBCHAT_BENCH_PATH);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(bench.output(), 2, bench.waitForExit(Poco::Timespan(30, 0)));
			CPPUNIT_ASSERT_MESSAGE(bench.output(), bench.output().find("--room") != std::string::npos);
		}
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

	// backend = redis, two webchatd on one redis-server (its own port and
	// folder, as bench/run.sh starts it): clients round-robin over both
	// instances must see one room, every message once, in each sender's
	// order, with ids +1 per room, whichever instance they are on.
	void testTwoInstancesThroughRedis()
	{
		const Poco::UInt16 redisPort = freeLoopbackPort();
		ServerProcess redis({"--port", std::to_string(redisPort), "--bind", "127.0.0.1", "--dir", makeTempDir(),
			"--appendonly", "yes", "--appendfsync", "everysec", "--save", "", "--daemonize", "no", "--logfile", ""},
			"", WEBCHAT_REDIS_SERVER);
		CPPUNIT_ASSERT_MESSAGE(redis.output(), redis.waitForPort(redisPort));
		const std::string limits = "rate_per_second = 1000000\nrate_burst = 1000000\nrate_per_ip_per_second = 1000000\nrate_per_ip_burst = 1000000\npresence_events_per_ip_per_minute = 1000000\nbackend = redis\nredis_address = 127.0.0.1:" +
			std::to_string(redisPort) + "\n";
		const Poco::UInt16 port1 = freeLoopbackPort();
		ServerProcess first({"--config=" + chatroomIni(port1, limits)});
		Poco::UInt16 port2 = freeLoopbackPort();
		while (port2 == port1 || port2 == redisPort) port2 = freeLoopbackPort();
		ServerProcess second({"--config=" + chatroomIni(port2, limits)});
		CPPUNIT_ASSERT_MESSAGE(first.output(), first.waitForPort(port1));
		CPPUNIT_ASSERT_MESSAGE(second.output(), second.waitForPort(port2));

		const std::string ports = std::to_string(port1) + "," + std::to_string(port2);
		const std::string pids = std::to_string(first.pid()) + "," + std::to_string(second.pid());
		const std::string records = makeTempDir();
		std::vector<std::string> reportArguments = {"report", "--markdown"};
		for (const std::vector<std::string>& load: {
				 std::vector<std::string>{"throughput", "--clients", "12", "--senders", "4", "--messages", "200"},
				 std::vector<std::string>{"latency", "--clients", "12", "--senders", "4", "--rate", "200", "--duration", "0.5"}})
		{
			std::vector<std::string> arguments = load;
			for (const std::string& word: {std::string("--protocol"), std::string("chatroom"), std::string("--room"), std::string("shared"),
					 std::string("--ports"), ports, std::string("--server-pid"), pids, std::string("--redis-pid"),
					 std::to_string(redis.pid()), std::string("--timeout"), std::string("60"), std::string("--name"),
					 std::string("chatroom-redis2"), std::string("--redis-address"), "127.0.0.1:" + std::to_string(redisPort),
					 std::string("--json"), records + "/" + load[0] + ".json"})
				arguments.push_back(word);
			reportArguments.push_back(records + "/" + load[0] + ".json");
			ServerProcess bench(arguments, "", WEBCHAT_BENCH_PATH);
			const int code = bench.waitForExit(Poco::Timespan(120, 0));
			const std::string output = bench.output();
			CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 0, code);
			CPPUNIT_ASSERT_MESSAGE(output, output.find(": PASS ==") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(output, output.find("FAIL") == std::string::npos);
			// Both instances named, both pids read, redis-server's CPU measured.
			CPPUNIT_ASSERT_MESSAGE(output, output.find(":" + std::to_string(port2) + "/shared") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(output, output.find("servers") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(output, output.find("redis_cpu_percent") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(output, output.find("== chatroom-redis2/" + load[0] + ": PASS ==") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(output, output.find("warning") == std::string::npos);
		}
		// The records, tabled: the backends table with redis-server's own
		// accounting (its INFO commandstats, read by the bench itself).
		ServerProcess report(reportArguments, "", WEBCHAT_BENCH_PATH);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(report.output(), 0, report.waitForExit(Poco::Timespan(30, 0)));
		const std::string tables = report.output();
		for (const char* line: {"| scenario | figure | chat room, Redis, 2 webchatd |", "| throughput | result | PASS |",
				 "| latency | result | PASS |", "| throughput | redis-server EVALSHA (calls x time per call) | ",
				 "| chatroom-redis2/throughput | PASS |", "| chatroom-redis2/latency | PASS |"})
			CPPUNIT_ASSERT_MESSAGE(line + std::string(" missing:\n") + tables, tables.find(line) != std::string::npos);
		// Every post is one EVALSHA: at least the 4 x 200 messages sent.
		const std::size_t evalsha = tables.find("EVALSHA (calls x time per call) | ") + 34;
		CPPUNIT_ASSERT_MESSAGE(tables, std::stoul(tables.substr(evalsha)) >= 800);
		CPPUNIT_ASSERT_MESSAGE(tables, tables.find(" us |", evalsha) != std::string::npos);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(first.output(), 0, first.stop());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(second.output(), 0, second.stop());
	}

	// A self-signed certificate for 127.0.0.1 and localhost, and its key, in
	// dir (made now: no key material in the tree).
	static void makeCertificate(const std::string& dir, const std::string& name)
	{
		ServerProcess openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
			"-keyout", dir + "/" + name + ".key", "-out", dir + "/" + name + ".pem", "-days", "2", "-subj", "/CN=localhost",
			"-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"}, "", WEBCHAT_BENCH_OPENSSL);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(openssl.output(), 0, openssl.waitForExit(Poco::Timespan(30, 0)));
	}

	// wss: the whole smoke (idle, throughput, paced, slow consumer) over
	// TLS against the relay with a certificate, verified against that
	// certificate (--tls-ca), the server's counters beside the bench's. Then
	// the checks that show TLS is really spoken: a certificate the server
	// does not have fails verification, and a plaintext client or a TLS
	// client on the wrong kind of port fails its handshake.
	// --deflate: every client negotiates permessage-deflate and inflates
	// what it gets; every delivery is still checked, and fewer bytes leave
	// the server per delivery than a 64-byte message takes uncompressed.
	void testDeflateSmokePasses()
	{
		const Poco::UInt16 port = freeLoopbackPort();
		Poco::UInt16 statusPort = freeLoopbackPort();
		while (statusPort == port) statusPort = freeLoopbackPort();
		const std::unique_ptr<ServerProcess> started = startRelay(port, statusPort);
		ServerProcess& server = *started;
		const std::string output = benchPasses({"smoke", "--deflate", "--port", std::to_string(port), "--server-pid",
			std::to_string(server.pid()), "--metrics-url", "http://127.0.0.1:" + std::to_string(statusPort) + "/metrics",
			"--timeout", "120"});
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat-bench smoke: PASS") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("permessage_deflate") != std::string::npos);
		const std::size_t at = output.find("server_bytes_out_per_delivery");
		CPPUNIT_ASSERT_MESSAGE(output, at != std::string::npos);
		const double bytes = std::stod(output.substr(output.find_first_of("0123456789", at)));
		CPPUNIT_ASSERT_MESSAGE(output, bytes < 64 + 2);
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.running());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	void testTlsSmokePasses()
	{
		const std::string dir = makeTempDir();
		makeCertificate(dir, "server");
		makeCertificate(dir, "other");
		const Poco::UInt16 port = freeLoopbackPort();
		Poco::UInt16 statusPort = freeLoopbackPort();
		while (statusPort == port) statusPort = freeLoopbackPort();
		Poco::UInt16 plainPort = freeLoopbackPort();
		while (plainPort == port || plainPort == statusPort) plainPort = freeLoopbackPort();
		// Beside the TLS relay, a plaintext one (for a TLS client to fail on).
		const std::unique_ptr<ServerProcess> started = startRelay(port, statusPort,
			"tls_certificate = " + dir + "/server.pem\ntls_private_key = " + dir + "/server.key\n",
			"\n[listeners.plain]\naddress = 127.0.0.1\nport = " + std::to_string(plainPort) + "\nplugin = relay\nclass = RelayPlugin\n");
		ServerProcess& server = *started;
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(plainPort));

		const std::string output = benchPasses({"smoke", "--tls", "--tls-ca", dir + "/server.pem", "--port",
			std::to_string(port), "--server-pid", std::to_string(server.pid()), "--metrics-url",
			"http://127.0.0.1:" + std::to_string(statusPort) + "/metrics", "--timeout", "120"});
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat-bench smoke: PASS") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("== smoke/slow-consumer: PASS ==") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("non_reader_closed_1008                      yes") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("wss://127.0.0.1:" + std::to_string(port) + "/") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("verified against " + dir + "/server.pem") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("TLSv1.3 TLS_") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("agree_messages_in") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("warning") == std::string::npos);

		// reasons: what the failure must say, any one of them.
		const auto failsToConnect = [](std::vector<std::string> arguments, const std::vector<std::string>& reasons) {
			for (const char* word: {"--clients", "2", "--senders", "1", "--messages", "10", "--timeout", "5"})
				arguments.push_back(word);
			ServerProcess refused(arguments, "", WEBCHAT_BENCH_PATH);
			const int code = refused.waitForExit(Poco::Timespan(60, 0));
			const std::string output = refused.output();
			CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 1, code);
			CPPUNIT_ASSERT_MESSAGE(output, output.find("clients failed to connect") != std::string::npos);
			bool said = false;
			for (const std::string& reason: reasons) said = said || output.find(reason) != std::string::npos;
			CPPUNIT_ASSERT_MESSAGE("why missing:\n" + output, said);
		};
		const std::string tlsPort = std::to_string(port);
		failsToConnect({"throughput", "--tls", "--tls-ca", dir + "/other.pem", "--port", tlsPort}, {"certificate verify failed"});
		// A plaintext client on the TLS port: reset, or closed unanswered.
		failsToConnect({"throughput", "--port", tlsPort}, {"connection reset", "connection closed before the response"});
		// A TLS client on a plaintext relay listener: no TLS answer. POCO's
		// HTTP parser answers 400 at once, or (when the ClientHello's random
		// bytes look like the start of a request line) waits for the rest of
		// the request until the listener's timeout: either way no connection.
		failsToConnect({"throughput", "--tls", "--port", std::to_string(plainPort)},
			{"TLS handshake", "timed out connecting or handshaking"});

		CPPUNIT_ASSERT_MESSAGE(server.output(), server.running());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}

	void testRefusesOtherHosts()
	{
		// 192.0.2.1 is TEST-NET-1; refused before any socket exists, so
		// nothing leaves the machine either way.
		const std::string records = makeTempDir();
		ServerProcess bench({"smoke", "--host", "192.0.2.1", "--port", "8000", "--json", records + "/relay-smoke.json"}, "",
			WEBCHAT_BENCH_PATH);
		const int code = bench.waitForExit(Poco::Timespan(30, 0));
		const std::string output = bench.output();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 2, code);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("not a loopback address") != std::string::npos);
		// The run still leaves its record, which the report tables as a FAIL
		// with its reason, beside a run that left none at all.
		ServerProcess report({"report", "--markdown", records + "/relay-smoke.json", records + "/relay-idle.json"}, "",
			WEBCHAT_BENCH_PATH);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(report.output(), 1, report.waitForExit(Poco::Timespan(30, 0)));
		const std::string tables = report.output();
		CPPUNIT_ASSERT_MESSAGE(tables, tables.find("| relay/smoke | **FAIL** (exit 2) | ") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(tables, tables.find("not a loopback address") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(tables, tables.find("| relay-idle | **FAIL** | no record: cannot read " + records) != std::string::npos);
	}

	// The whole number a report's text gives for key ("  key   12"), or -1.
	static long long figureOf(const std::string& output, const std::string& key)
	{
		const std::size_t at = output.find("\n  " + key + " ");
		if (at == std::string::npos) return -1;
		std::size_t digits = output.find_first_not_of(' ', at + 3 + key.size());
		if (digits == std::string::npos || output[digits] < '0' || output[digits] > '9') return -1;
		return std::stoll(output.substr(digits));
	}

	// The slowloris scenario at small scale against the shipped
	// configuration (page, chat room, status on free ports; header timeout
	// 1 s, 5 heads waiting per address): 40 slow connections from 4
	// addresses (10 each), 10 honest probes. The probes pass, the server
	// refuses what is beyond max_pending_per_ip at once and closes the rest
	// at their header timeout; the same with keep-alive follow-ups.
	void testSlowlorisSmall()
	{
		const Poco::UInt16 pagePort = freeLoopbackPort();
		Poco::UInt16 chatPort = freeLoopbackPort();
		while (chatPort == pagePort) chatPort = freeLoopbackPort();
		Poco::UInt16 statusPort = freeLoopbackPort();
		while (statusPort == pagePort || statusPort == chatPort) statusPort = freeLoopbackPort();
		ServerProcess server({"--config=" + shippedConfig(), "--define=listeners.page.address=127.0.0.1",
			"--define=listeners.page.port=" + std::to_string(pagePort), "--define=listeners.page.header_timeout_ms=1000",
			"--define=listeners.page.max_pending_per_ip=5", "--define=listeners.chat.address=127.0.0.1",
			"--define=listeners.chat.port=" + std::to_string(chatPort), "--define=listeners.chat.database=" + makeTempDir() + "/chat.db",
			"--define=listeners.status.port=" + std::to_string(statusPort)});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(pagePort));
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(chatPort));
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(statusPort));
		const std::vector<std::string> arguments = {"slowloris", "--page-port", std::to_string(pagePort), "--chat-port",
			std::to_string(chatPort), "--slow", "40", "--addresses", "4", "--interval-ms", "200", "--probes", "10",
			"--probe-gap-ms", "150", "--settle-ms", "300", "--server-pid", std::to_string(server.pid()), "--metrics-url",
			"http://127.0.0.1:" + std::to_string(statusPort) + "/metrics", "--timeout", "60"};

		const std::string first = benchPasses(arguments);
		CPPUNIT_ASSERT_MESSAGE(first, first.find("webchat-bench slowloris: PASS") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(first, first.find("warning") == std::string::npos);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(first, 10LL, figureOf(first, "page_probe_probes"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(first, 0LL, figureOf(first, "page_probe_probes_failed"));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(first, 0LL, figureOf(first, "join_probe_probes_failed"));
		// Beyond 5 per address refused at once, by the bench's clock and the server's counter.
		CPPUNIT_ASSERT_MESSAGE(first, figureOf(first, "slow_closed_at_once") > 0);
		CPPUNIT_ASSERT_MESSAGE(first, figureOf(first, "server_refused_max_pending_per_ip") > 0);
		// The others held (20; a refused one counts as open for the moment
		// between its connect and its close), then closed by the server at
		// their header timeout (1 s; the median: a refusal the server was
		// slow to make may also come later than one interval).
		CPPUNIT_ASSERT_MESSAGE(first, figureOf(first, "slow_open_at_probes_max") > 0);
		CPPUNIT_ASSERT_MESSAGE(first, figureOf(first, "slow_open_at_probes_max") < 30);
		CPPUNIT_ASSERT_MESSAGE(first, figureOf(first, "slow_closed_later") > 0);
		CPPUNIT_ASSERT_MESSAGE(first, figureOf(first, "slow_closed_later_after_p50_ms") >= 1000);
		CPPUNIT_ASSERT_MESSAGE(first, figureOf(first, "server_refused_header_timeout") > 0);

		std::vector<std::string> followUp = arguments;
		followUp.push_back("--follow-up");
		const std::string second = benchPasses(followUp);
		const std::size_t followUpLine = second.find("\n  follow_up ");
		CPPUNIT_ASSERT_MESSAGE(second, followUpLine != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(second, second.substr(followUpLine, second.find('\n', followUpLine + 1) - followUpLine).find("yes") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(second, figureOf(second, "slow_first_requests_answered") > 0);
		CPPUNIT_ASSERT_MESSAGE(second, figureOf(second, "slow_closed_later") > 0);
		CPPUNIT_ASSERT_MESSAGE(second, figureOf(second, "server_refused_header_timeout") > 0);

		CPPUNIT_ASSERT_MESSAGE(server.output(), server.running());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, server.stop());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(BenchSmokeTest);
