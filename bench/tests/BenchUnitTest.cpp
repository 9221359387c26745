// webchat-bench's bookkeeping: payload format, delivery checks, latency
// percentiles, command line, loopback-only endpoints, handshake checks,
// /proc parsing, the JSON report, the chat room's events and checks, and
// the TLS options (--tls, --tls-ca).
#include "ChatEvent.h"
#include "ChatroomClients.h"
#include "ClientConnection.h"
#include "CommandLine.h"
#include "DeliveryChecker.h"
#include "Endpoint.h"
#include "KernelSockets.h"
#include "LatencyHistogram.h"
#include "Payload.h"
#include "ProcessStats.h"
#include "Report.h"
#include "SelfSignedTls.h"
#include "ServerMetrics.h"
#include "TlsClient.h"
#include "TrafficRun.h"
#include "UpgradeHandshake.h"

#include "webchat/engine/Handshake.h"
#include "webchat/engine/MessageDecoder.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <future>
#include <netinet/in.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace webchat::bench;
namespace ws = webchat::ws;

class BenchUnitTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BenchUnitTest);
	CPPUNIT_TEST(testPayloadRoundTrip);
	CPPUNIT_TEST(testPayloadRejectsDamage);
	CPPUNIT_TEST(testCheckerInOrder);
	CPPUNIT_TEST(testCheckerDuplicateAndLate);
	CPPUNIT_TEST(testCheckerLostAndUnknown);
	CPPUNIT_TEST(testCheckerGroups);
	CPPUNIT_TEST(testChatroomClientsRooms);
	CPPUNIT_TEST(testHistogramBuckets);
	CPPUNIT_TEST(testHistogramPercentiles);
	CPPUNIT_TEST(testCommandLine);
	CPPUNIT_TEST(testCommandLineErrors);
	CPPUNIT_TEST(testCommandLinePorts);
	CPPUNIT_TEST(testCommandLinePortsErrors);
	CPPUNIT_TEST(testCommandLineLists);
	CPPUNIT_TEST(testSeveralProcesses);
	CPPUNIT_TEST(testLoopbackOnly);
	CPPUNIT_TEST(testHandshakeAccept);
	CPPUNIT_TEST(testHandshakeRejects);
	CPPUNIT_TEST(testHandshakeWithDeflate);
	CPPUNIT_TEST(testVmRss);
	CPPUNIT_TEST(testReportJson);
	CPPUNIT_TEST(testAutoWindow);
	CPPUNIT_TEST(testNonReaderOutcome);
	CPPUNIT_TEST(testChatEventServerLayout);
	CPPUNIT_TEST(testChatEventMessageWithItsSpeaker);
	CPPUNIT_TEST(testChatEventOtherLayout);
	CPPUNIT_TEST(testChatEventMalformed);
	CPPUNIT_TEST(testChatEventNumbers);
	CPPUNIT_TEST(testChatEventAudit);
	CPPUNIT_TEST(testChatroomWelcome);
	CPPUNIT_TEST(testChatroomIdsAndPresence);
	CPPUNIT_TEST(testChatroomCommandLine);
	CPPUNIT_TEST(testTlsCommandLine);
	CPPUNIT_TEST(testTlsCommandLineErrors);
	CPPUNIT_TEST(testTlsContext);
	CPPUNIT_TEST(testTlsConnectionThroughFullSocket);
	CPPUNIT_TEST(testPrometheusParsing);
	CPPUNIT_TEST(testPrometheusMalformed);
	CPPUNIT_TEST(testServerCounters);
	CPPUNIT_TEST(testServerCountersSummed);
	CPPUNIT_TEST(testMetricsUrl);
	CPPUNIT_TEST(testKernelSockets);
	CPPUNIT_TEST(testLoopbackSources);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPayloadRoundTrip()
	{
		for (const std::size_t size: {MinPayloadSize, std::size_t{64}, std::size_t{1000}})
		{
			std::string buffer(size, '\0');
			const PayloadFields in{0xDEADBEEF, 123456, 0x0123456789ABCDEFull};
			encodePayload(buffer.data(), size, in);
			PayloadFields out;
			CPPUNIT_ASSERT(decodePayload(buffer, size, out));
			CPPUNIT_ASSERT_EQUAL(in.sender, out.sender);
			CPPUNIT_ASSERT_EQUAL(in.seq, out.seq);
			CPPUNIT_ASSERT_EQUAL(in.sentNs, out.sentNs);
			for (const char c: buffer) CPPUNIT_ASSERT(c > ' ' && c < 0x7F); // valid UTF-8 text
		}
	}

	void testPayloadRejectsDamage()
	{
		std::string buffer(64, '\0');
		encodePayload(buffer.data(), 64, {1, 2, 3});
		PayloadFields out;
		CPPUNIT_ASSERT(!decodePayload(buffer, 65, out)); // not the size asked for
		CPPUNIT_ASSERT(!decodePayload(std::string_view(buffer).substr(0, 63), 64, out));
		std::string bad = buffer;
		bad[3] = 'x'; // not hex
		CPPUNIT_ASSERT(!decodePayload(bad, 64, out));
		bad = buffer;
		bad[50] = '?'; // padding
		CPPUNIT_ASSERT(!decodePayload(bad, 64, out));
		// Every byte value in every field position (no padding to upset):
		// only 0-9 and a-f pass.
		std::string bare(MinPayloadSize, '\0');
		encodePayload(bare.data(), MinPayloadSize, {0x01234567, 0x89abcdef, 0xfedcba9876543210ull});
		for (std::size_t at = 0; at < MinPayloadSize; ++at)
		{
			for (int c = 0; c < 256; ++c)
			{
				bad = bare;
				bad[at] = static_cast<char>(c);
				const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
				CPPUNIT_ASSERT_EQUAL(hex, decodePayload(bad, MinPayloadSize, out));
			}
		}
		CPPUNIT_ASSERT(decodePayload(bare, MinPayloadSize, out));
		CPPUNIT_ASSERT_EQUAL(std::uint32_t{0x89abcdef}, out.seq);
		CPPUNIT_ASSERT_EQUAL(0xfedcba9876543210ull, static_cast<unsigned long long>(out.sentNs));
		// The padding of another sequence number: a splice.
		std::string other(64, '\0');
		encodePayload(other.data(), 64, {1, 3, 3});
		bad = buffer.substr(0, 40) + other.substr(40);
		CPPUNIT_ASSERT(!decodePayload(bad, 64, out));
	}

	void testCheckerInOrder()
	{
		DeliveryChecker checker(2, 2);
		for (std::uint32_t seq = 0; seq < 5; ++seq)
		{
			for (std::size_t receiver = 0; receiver < 2; ++receiver)
			{
				for (std::uint32_t sender = 0; sender < 2; ++sender)
					CPPUNIT_ASSERT(checker.record(receiver, sender, seq) == DeliveryChecker::Verdict::InOrder);
			}
		}
		CPPUNIT_ASSERT_EQUAL(std::uint32_t{5}, checker.nextExpected(1, 1));
		const auto totals = checker.totals({5, 5}, 0, 2);
		CPPUNIT_ASSERT(totals.clean());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{20}, totals.delivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{20}, totals.expected);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{20}, checker.distinct());
	}

	void testCheckerDuplicateAndLate()
	{
		DeliveryChecker checker(1, 1);
		checker.record(0, 0, 0);
		CPPUNIT_ASSERT(checker.record(0, 0, 0) == DeliveryChecker::Verdict::Duplicate);
		CPPUNIT_ASSERT(checker.record(0, 0, 3) == DeliveryChecker::Verdict::InOrder); // gap: 1, 2 missing
		CPPUNIT_ASSERT(checker.record(0, 0, 1) == DeliveryChecker::Verdict::Late);
		CPPUNIT_ASSERT(checker.record(0, 0, 1) == DeliveryChecker::Verdict::Duplicate);
		CPPUNIT_ASSERT(checker.record(0, 0, 3) == DeliveryChecker::Verdict::Duplicate);
		CPPUNIT_ASSERT(checker.record(0, 0, 2) == DeliveryChecker::Verdict::Late);
		CPPUNIT_ASSERT(checker.record(0, 0, 4) == DeliveryChecker::Verdict::InOrder);
		const auto totals = checker.totals({5}, 0, 1);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, totals.delivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, totals.lost);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, totals.duplicated);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, totals.reordered);
	}

	void testCheckerLostAndUnknown()
	{
		DeliveryChecker checker(3, 2);
		checker.record(0, 0, 0);
		checker.record(0, 0, 2); // 1 never comes
		checker.record(1, 1, 0);
		CPPUNIT_ASSERT(checker.record(0, 5, 0) == DeliveryChecker::Verdict::Unknown);
		checker.record(2, 0, 0);
		checker.record(2, 0, 1);
		checker.record(2, 0, 2);
		checker.record(2, 0, 3); // never sent: 3 messages only
		const auto totals = checker.totals({3, 1}, 0, 2); // receivers 0 and 1
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, totals.delivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{8}, totals.expected);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, totals.lost);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.unknown);
		const auto third = checker.totals({3, 1}, 2, 3);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{3}, third.delivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, third.unknown); // seq 3, and sender 5 above
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, third.lost);     // sender 1's message
	}

	// Two rooms: receivers 0 and 2 hear sender 0, receivers 1 and 3 sender 1.
	void testCheckerGroups()
	{
		DeliveryChecker checker(4, 2, 2);
		CPPUNIT_ASSERT(checker.hears(2, 0));
		CPPUNIT_ASSERT(!checker.hears(2, 1));
		for (std::uint32_t seq = 0; seq < 3; ++seq)
		{
			CPPUNIT_ASSERT(checker.record(0, 0, seq) == DeliveryChecker::Verdict::InOrder);
			CPPUNIT_ASSERT(checker.record(1, 1, seq) == DeliveryChecker::Verdict::InOrder);
			CPPUNIT_ASSERT(checker.record(3, 1, seq) == DeliveryChecker::Verdict::InOrder);
		}
		checker.record(2, 0, 0); // 1 and 2 never come
		// Another room's message: counted as unknown, not as a delivery.
		CPPUNIT_ASSERT(checker.record(2, 1, 0) == DeliveryChecker::Verdict::Unknown);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{10}, checker.distinct());
		const auto totals = checker.totals({3, 3}, 0, 4);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{12}, totals.expected); // 4 receivers x their room's 3
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{10}, totals.delivered);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, totals.lost);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.unknown);
		CPPUNIT_ASSERT(!totals.clean());
		// One group: everyone hears everyone.
		DeliveryChecker one(2, 2);
		CPPUNIT_ASSERT(one.hears(0, 1));
		CPPUNIT_ASSERT(one.record(0, 1, 0) == DeliveryChecker::Verdict::InOrder);
	}

	// Several rooms: client i joins the (i mod n)-th, named in its request target.
	void testChatroomClientsRooms()
	{
		ChatroomOptions options;
		options.rooms = {"a", "b b", "c"};
		ChatroomClients clients(options, 5);
		CPPUNIT_ASSERT_EQUAL(std::size_t{0}, clients.roomOf(0));
		CPPUNIT_ASSERT_EQUAL(std::size_t{1}, clients.roomOf(4));
		CPPUNIT_ASSERT_EQUAL("/a?nick=" + clients.nick(0), clients.requestTarget(0));
		CPPUNIT_ASSERT_EQUAL("/b%20b?nick=" + clients.nick(1), clients.requestTarget(1));
		CPPUNIT_ASSERT_EQUAL("/c?nick=" + clients.nick(2), clients.requestTarget(2));
		CPPUNIT_ASSERT_EQUAL("/a?nick=" + clients.nick(3), clients.requestTarget(3));
		ChatroomClients single(ChatroomOptions{}, 2);
		CPPUNIT_ASSERT_EQUAL("/bench?nick=" + single.nick(1), single.requestTarget(1));
	}

	void testHistogramBuckets()
	{
		std::uint64_t previous = 0;
		for (std::size_t bucket = 1; bucket < LatencyHistogram::BucketCount; ++bucket)
		{
			const std::uint64_t upper = LatencyHistogram::upperBound(bucket);
			CPPUNIT_ASSERT(upper > previous);
			CPPUNIT_ASSERT_EQUAL(bucket, LatencyHistogram::bucketOf(upper));
			CPPUNIT_ASSERT_EQUAL(bucket, LatencyHistogram::bucketOf(previous + 1));
			previous = upper;
		}
		CPPUNIT_ASSERT_EQUAL(UINT64_MAX, previous);
	}

	void testHistogramPercentiles()
	{
		LatencyHistogram histogram;
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, histogram.percentile(99));
		for (std::uint64_t i = 1; i <= 1000; ++i) histogram.record(i * 1000); // 1 us .. 1 ms
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1000}, histogram.count());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1000000}, histogram.max());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1000}, histogram.min());
		const auto within = [](std::uint64_t value, std::uint64_t exact) {
			return value >= exact && value <= exact + exact / 30;
		};
		CPPUNIT_ASSERT(within(histogram.percentile(50), 500000));
		CPPUNIT_ASSERT(within(histogram.percentile(99), 990000));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1000000}, histogram.percentile(100));
		LatencyHistogram other;
		other.record(5000000);
		histogram.merge(other);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{5000000}, histogram.max());
	}

	void testCommandLine()
	{
		const CommandLine line({"throughput", "--clients", "50", "--senders=5", "--markdown", "--size", "128"});
		CPPUNIT_ASSERT_EQUAL(std::string("throughput"), line.scenario());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{50}, line.integer("clients", 100, 1, 1000));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, line.integer("senders", 10, 1, 1000));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2000}, line.integer("messages", 2000, 1, 1000000));
		CPPUNIT_ASSERT(line.flag("markdown"));
		CPPUNIT_ASSERT(!line.flag("binary"));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), line.text("host", "127.0.0.1"));
		const CommandLine latency({"latency", "--rate", "12.5"});
		CPPUNIT_ASSERT_EQUAL(12.5, latency.number("rate", 200, 0.1, 1e6));
		CPPUNIT_ASSERT(CommandLine({"--help"}).help());
	}

	void testCommandLineErrors()
	{
		CPPUNIT_ASSERT_THROW(CommandLine({}), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"nonsense"}), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--rate", "5"}), UsageError); // not an idle option
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--connections"}), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--markdown=yes"}), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "stray"}), UsageError);
		const CommandLine line({"idle", "--connections", "12x", "--port", "70000", "--hold", "-1"});
		CPPUNIT_ASSERT_THROW(line.integer("connections", 1, 1, 10), UsageError);
		CPPUNIT_ASSERT_THROW(line.integer("port", 8000, 1, 65535), UsageError);
		CPPUNIT_ASSERT_THROW(line.number("hold", 1, 0, 10), UsageError);
	}

	void testCommandLinePorts()
	{
		// One server: --port, or the default.
		CPPUNIT_ASSERT(CommandLine({"throughput"}).ports() == std::vector<std::uint16_t>{8000});
		CPPUNIT_ASSERT(CommandLine({"throughput", "--port", "8100"}).ports() == std::vector<std::uint16_t>{8100});
		// Several, in the order given (client i goes to the (i mod n)-th).
		CPPUNIT_ASSERT((CommandLine({"throughput", "--ports", "8000,8001"}).ports() == std::vector<std::uint16_t>{8000, 8001}));
		CPPUNIT_ASSERT((CommandLine({"idle", "--ports=9001,9000,9002"}).ports() == std::vector<std::uint16_t>{9001, 9000, 9002}));
		CPPUNIT_ASSERT(CommandLine({"latency", "--ports", "65535"}).ports() == std::vector<std::uint16_t>{65535});
		CPPUNIT_ASSERT(CommandLine({"smoke", "--ports", "1,2"}).has("ports"));
		CPPUNIT_ASSERT(CommandLine({"slow-consumer", "--ports", "1,2"}).has("ports"));
		std::string many;
		for (int port = 1; port <= static_cast<int>(CommandLine::MaxPorts); ++port) many += (port > 1 ? "," : "") + std::to_string(port);
		CPPUNIT_ASSERT_EQUAL(CommandLine::MaxPorts, CommandLine({"throughput", "--ports", many}).ports().size());
	}

	void testCommandLinePortsErrors()
	{
		auto ports = [](const std::vector<std::string>& arguments) { return CommandLine(arguments).ports(); };
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--port", "8000", "--ports", "8000,8001"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", ""}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "8000,"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", ",8000"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "8000,,8001"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "8000, 8001"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "8000;8001"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "0,8001"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "8000,65536"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "8000,-1"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "8000,8000"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", "99999999999999999999999"}), UsageError);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports"}), UsageError); // needs a value
		std::string tooMany;
		for (int port = 1; port <= static_cast<int>(CommandLine::MaxPorts) + 1; ++port) tooMany += (port > 1 ? "," : "") + std::to_string(port);
		CPPUNIT_ASSERT_THROW(ports({"throughput", "--ports", tooMany}), UsageError);
	}

	void testCommandLineLists()
	{
		const CommandLine line({"throughput", "--server-pid", "12,345", "--redis-pid", "7",
			"--metrics-url", "http://127.0.0.1:9100/metrics,http://127.0.0.1:9101/metrics"});
		CPPUNIT_ASSERT((line.integers("server-pid", 0, 4194304) == std::vector<std::uint64_t>{12, 345}));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{7}, line.integer("redis-pid", 0, 0, 4194304));
		CPPUNIT_ASSERT((line.list("metrics-url", {}) ==
			std::vector<std::string>{"http://127.0.0.1:9100/metrics", "http://127.0.0.1:9101/metrics"}));
		CPPUNIT_ASSERT(line.list("room", {"bench"}) == std::vector<std::string>{"bench"});
		CPPUNIT_ASSERT(line.integers("clients", 1, 10).empty());
		// One pid, as before.
		CPPUNIT_ASSERT(CommandLine({"idle", "--server-pid", "42"}).integers("server-pid", 0, 4194304) == std::vector<std::uint64_t>{42});
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--server-pid", "42,x"}).integers("server-pid", 0, 4194304), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--server-pid", "42,"}).integers("server-pid", 0, 4194304), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--server-pid", "5000000"}).integers("server-pid", 0, 4194304), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--metrics-url", "http://127.0.0.1:1/m,,http://127.0.0.1:2/m"}).list("metrics-url", {}),
			UsageError);
	}

	void testSeveralProcesses()
	{
		const ProcessStats one(::getpid());
		const ProcessStats twice(std::vector<pid_t>{::getpid(), ::getpid()});
		CPPUNIT_ASSERT(twice.enabled());
		CPPUNIT_ASSERT_EQUAL(std::size_t{2}, twice.pids().size());
		CPPUNIT_ASSERT_EQUAL(::getpid(), twice.pid());
		// Summed: the same process twice reads about twice as much.
		const auto rss = one.residentKiB().value_or(0), rssTwice = twice.residentKiB().value_or(0);
		CPPUNIT_ASSERT(rss > 0 && rssTwice >= 2 * rss - 1024 && rssTwice <= 2 * rss + 1024);
		const double cpu = one.cpuSeconds().value_or(-1), cpuTwice = twice.cpuSeconds().value_or(-1);
		CPPUNIT_ASSERT(cpu > 0 && cpuTwice >= 2 * cpu);
		// Zero pids are dropped; none left: disabled, like ProcessStats(0).
		CPPUNIT_ASSERT(!ProcessStats(std::vector<pid_t>{0, 0}).enabled());
		CPPUNIT_ASSERT(!ProcessStats(std::vector<pid_t>{}).residentKiB());
		CPPUNIT_ASSERT(!ProcessStats(0).cpuSeconds());
		// One that cannot be read makes the sum unreadable, not smaller.
		CPPUNIT_ASSERT(!ProcessStats(std::vector<pid_t>{::getpid(), 4194304}).residentKiB());
	}

	void testLoopbackOnly()
	{
		const Endpoint v4 = resolveLoopback("127.0.0.1", 8000, "/");
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1:8000"), v4.hostHeader);
		CPPUNIT_ASSERT_EQUAL(std::string("ws://127.0.0.1:8000/"), v4.display);
		CPPUNIT_ASSERT_EQUAL(std::string("127.9.8.7:1"), resolveLoopback("127.9.8.7", 1, "/x").hostHeader);
		CPPUNIT_ASSERT_EQUAL(std::string("[::1]:8000"), resolveLoopback("::1", 8000, "/").hostHeader);
		CPPUNIT_ASSERT_THROW(resolveLoopback("192.0.2.1", 8000, "/"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(resolveLoopback("10.0.0.1", 8000, "/"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(resolveLoopback("0.0.0.0", 8000, "/"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(resolveLoopback("2001:db8::1", 8000, "/"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(resolveLoopback("::ffff:192.0.2.1", 8000, "/"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(resolveLoopback("127.0.0.1", 8000, "chat"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(resolveLoopback("127.0.0.1", 8000, "/a b"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(resolveLoopback("127.0.0.1", 0, "/"), std::invalid_argument);
	}

	void testHandshakeAccept()
	{
		// RFC 6455 1.3: "the sample nonce" -> dGhlIHNhbXBsZSBub25jZQ==
		const unsigned char* nonce = reinterpret_cast<const unsigned char*>("the sample nonce");
		const UpgradeHandshake handshake("127.0.0.1:8000", "/chat", nonce);
		CPPUNIT_ASSERT_EQUAL(std::string("dGhlIHNhbXBsZSBub25jZQ=="), handshake.key());
		const std::string& request = handshake.request();
		CPPUNIT_ASSERT(request.rfind("GET /chat HTTP/1.1\r\n", 0) == 0);
		CPPUNIT_ASSERT(request.find("\r\nHost: 127.0.0.1:8000\r\n") != std::string::npos);
		CPPUNIT_ASSERT(request.find("\r\nSec-WebSocket-Version: 13\r\n") != std::string::npos);
		CPPUNIT_ASSERT(request.size() >= 4 && request.compare(request.size() - 4, 4, "\r\n\r\n") == 0);

		const std::string response = "HTTP/1.1 101 Switching Protocols\r\nupgrade: WebSocket\r\n"
			"Connection: keep-alive, Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
		CPPUNIT_ASSERT_EQUAL(response.size(), UpgradeHandshake::headEnd(response + "\x81\x00"));
		CPPUNIT_ASSERT_EQUAL(std::size_t{0}, UpgradeHandshake::headEnd(response.substr(0, response.size() - 1)));
		CPPUNIT_ASSERT_EQUAL(std::string(), handshake.check(response));
		CPPUNIT_ASSERT_EQUAL(std::string("AAECAwQFBgcICQoLDA0ODw=="),
			base64(reinterpret_cast<const unsigned char*>("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"), 16));
		CPPUNIT_ASSERT_EQUAL(std::string("Zm9vYg=="), base64(reinterpret_cast<const unsigned char*>("foob"), 4));
	}

	void testHandshakeRejects()
	{
		const unsigned char* nonce = reinterpret_cast<const unsigned char*>("the sample nonce");
		const UpgradeHandshake handshake("127.0.0.1:8000", "/", nonce);
		const std::string good = "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n";
		CPPUNIT_ASSERT(!handshake.check("HTTP/1.1 200 OK\r\n" + good).empty());
		CPPUNIT_ASSERT(!handshake.check("HTTP/1.1 503 Service Unavailable\r\n\r\n").empty());
		CPPUNIT_ASSERT(!handshake.check("HTTP/1.1 101 Switching\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").empty());
		CPPUNIT_ASSERT(!handshake.check("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n").empty());
		CPPUNIT_ASSERT(!handshake.check("HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: close\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n").empty());
		CPPUNIT_ASSERT(handshake.check("HTTP/1.1 101 Switching\r\n" + good).empty());
	}

	void testHandshakeWithDeflate()
	{
		const unsigned char* nonce = reinterpret_cast<const unsigned char*>("the sample nonce");
		const UpgradeHandshake offering("127.0.0.1:8000", "/", nonce, true);
		CPPUNIT_ASSERT(offering.request().find("\r\nSec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n") != std::string::npos);
		const std::string good = "HTTP/1.1 101 Switching\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n";
		const std::string accepted = "Sec-WebSocket-Extensions: permessage-deflate; server_no_context_takeover; client_no_context_takeover\r\n";
		CPPUNIT_ASSERT_EQUAL(std::string(), offering.check(good + accepted + "\r\n"));
		CPPUNIT_ASSERT_EQUAL(std::string("permessage-deflate not accepted"), offering.check(good + "\r\n"));
		CPPUNIT_ASSERT(!offering.check(good + "Sec-WebSocket-Extensions: permessage-deflate\r\n\r\n").empty());
		// Not offered: nothing may be accepted.
		const UpgradeHandshake plain("127.0.0.1:8000", "/", nonce);
		CPPUNIT_ASSERT(plain.request().find("Sec-WebSocket-Extensions") == std::string::npos);
		CPPUNIT_ASSERT(!plain.check(good + accepted + "\r\n").empty());
	}

	void testVmRss()
	{
		const std::string status = "Name:\twebchatd\nVmPeak:\t  9999 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 1 kB\n";
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{12345}, ProcessStats::parseVmRssKiB(status).value_or(0));
		CPPUNIT_ASSERT(!ProcessStats::parseVmRssKiB("Name:\tkthreadd\n"));
		CPPUNIT_ASSERT(!ProcessStats::parseVmRssKiB("VmRSS:\t kB\n"));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{9999}, ProcessStats::parseStatusKiB(status, "VmPeak:").value_or(0));
		CPPUNIT_ASSERT(ProcessStats(::getpid()).peakResidentKiB().value_or(0) > 0);
		CPPUNIT_ASSERT(ProcessStats(::getpid()).residentKiB().value_or(0) > 0);
		CPPUNIT_ASSERT(!ProcessStats(0).residentKiB());
		const std::string stat = "42 (we (i)rd) S 1 42 42 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 1 0 5 1000 50";
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{325}, ProcessStats::parseCpuTicks(stat).value_or(0));
		CPPUNIT_ASSERT(!ProcessStats::parseCpuTicks("42 (x) S 1"));
		CPPUNIT_ASSERT(ProcessStats(::getpid()).cpuSeconds().has_value());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{884626}, ProcessStats::parseSchedstatNs("884626 0 1\n").value_or(0));
		CPPUNIT_ASSERT(!ProcessStats::parseSchedstatNs("x 0 1"));
		CPPUNIT_ASSERT(!ProcessStats::parseSchedstatNs(""));
		// The run-queue wait is the second field.
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{73051}, ProcessStats::parseSchedstatField("884626 73051 12\n", 1).value_or(0));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{12}, ProcessStats::parseSchedstatField("884626 73051 12\n", 2).value_or(0));
		CPPUNIT_ASSERT(!ProcessStats::parseSchedstatField("884626\n", 1));
		CPPUNIT_ASSERT(!ProcessStats::parseSchedstatField("884626 x 12", 1));
		CPPUNIT_ASSERT(ProcessStats(::getpid()).runQueueWaitSeconds().has_value());
		CPPUNIT_ASSERT(!ProcessStats(0).runQueueWaitSeconds());
	}

	void testReportJson()
	{
		Report report("throughput");
		report.parameter("clients", std::uint64_t{100});
		report.figure("p99_ms", 1.23456, 2, "ms");
		report.figure("outcome", std::string("close \"frame\"\n"));
		report.figure("rss", std::optional<double>(), 0);
		report.target("deliveries_per_s", ">= 2000000", false);
		CPPUNIT_ASSERT(report.passed());
		report.fail("3 lost");
		CPPUNIT_ASSERT(!report.passed());
		CPPUNIT_ASSERT_EQUAL(std::string("{\"scenario\":\"throughput\",\"pass\":false,\"parameters\":{\"clients\":100},"
			"\"figures\":{\"p99_ms\":1.23,\"outcome\":\"close \\\"frame\\\"\\n\",\"rss\":null},"
			"\"units\":{\"p99_ms\":\"ms\"},\"headline\":[],"
			"\"targets\":[{\"key\":\"deliveries_per_s\",\"goal\":\">= 2000000\",\"met\":false}],"
			"\"failures\":[\"3 lost\"],\"notes\":[]}"), report.json());
	}

	void testAutoWindow()
	{
		TrafficConfig config;
		config.senders = 10;
		config.size = 64;
		// 10 senders x window x 78 bytes stays within 64 KiB.
		CPPUNIT_ASSERT(config.autoWindow() * 10 * 78 <= 64 * 1024);
		CPPUNIT_ASSERT(config.autoWindow() >= 64);
		config.senders = 100000;
		CPPUNIT_ASSERT_EQUAL(std::size_t{1}, config.autoWindow());
		config.rate = 200;
		config.duration = 10;
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2000}, config.totalMessages());
	}

	void testNonReaderOutcome()
	{
		NonReaderResult result;
		CPPUNIT_ASSERT_EQUAL(std::string("none"), result.describe());
		result.present = true;
		result.opened = true;
		CPPUNIT_ASSERT_EQUAL(std::string("still open: never closed by the server"), result.describe());
		result.closeCode = 1008;
		result.ending = ClientConnection::Ending::CloseFrame;
		result.closeToEndNs = 12 * NsPerMs;
		CPPUNIT_ASSERT_EQUAL(std::string("close frame 1008, connection closed 12 ms later"), result.describe());
		CPPUNIT_ASSERT(result.closedWith1008());
		result.ending = ClientConnection::Ending::Reset;
		result.detail = "recv: Connection reset by peer";
		CPPUNIT_ASSERT_EQUAL(std::string("close frame 1008, then connection reset (recv: Connection reset by peer)"),
			result.describe());
		result.closeCode = 0;
		result.ending = ClientConnection::Ending::Eof;
		CPPUNIT_ASSERT_EQUAL(std::string("end of stream without a close frame"), result.describe());
		CPPUNIT_ASSERT(!result.closedWith1008());
	}

	// Exactly what plugins/chatroom/ServerEvents.cpp writes: read in place.
	void testChatEventServerLayout()
	{
		ChatEventParser parser;
		ChatEvent event;
		const std::string payload(64, 'Q');
		const std::string message = "{\"type\":\"message\",\"id\":42,\"nick\":\"b3-1\",\"text\":\"" + payload + "\",\"ts\":1764145003000}";
		CPPUNIT_ASSERT(parser.parse(message, event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.type == ChatEvent::Type::Message);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{42}, event.id);
		CPPUNIT_ASSERT_EQUAL(std::string("b3-1"), std::string(event.nick));
		CPPUNIT_ASSERT_EQUAL(payload, std::string(event.text));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1764145003000}, event.ts);
		// The text points into the frame: nothing copied.
		CPPUNIT_ASSERT(event.text.data() >= message.data() && event.text.data() < message.data() + message.size());

		CPPUNIT_ASSERT(parser.parse("{\"type\":\"join\",\"nick\":\"Chi\",\"ts\":5}", event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.type == ChatEvent::Type::Join);
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), std::string(event.nick));
		CPPUNIT_ASSERT(parser.parse("{\"type\":\"leave\",\"nick\":\"Chi\",\"ts\":0}", event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.type == ChatEvent::Type::Leave);
		CPPUNIT_ASSERT(parser.parse("{\"type\":\"nick\",\"old\":\"Chi\",\"nick\":\"Chi Mai\",\"ts\":7}", event) ==
			ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), std::string(event.oldNick));
		CPPUNIT_ASSERT_EQUAL(std::string("Chi Mai"), std::string(event.nick));
		CPPUNIT_ASSERT(parser.parse("{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\"}", event) ==
			ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.type == ChatEvent::Type::Error);
		CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), std::string(event.code));
		CPPUNIT_ASSERT_EQUAL(std::string("slow down"), std::string(event.text));

		const std::string welcome = "{\"type\":\"welcome\",\"room\":\"H\xc3\xa0 N\xe1\xbb\x99i\",\"nick\":\"An\",\"users\":[\"B\xc3\xacnh\",\"An\"],"
			"\"history\":[{\"type\":\"message\",\"id\":40,\"nick\":\"B\",\"text\":\"x\",\"ts\":1},"
			"{\"type\":\"message\",\"id\":41,\"nick\":\"B\",\"text\":\"\",\"ts\":2}],\"lastId\":41,\"epoch\":\"3f9a0c1d2b4e5f60\","
			"\"gap\":{\"from\":5,\"to\":39},\"reset\":true}";
		CPPUNIT_ASSERT(parser.parse(welcome, event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.type == ChatEvent::Type::Welcome);
		CPPUNIT_ASSERT_EQUAL(std::string("H\xc3\xa0 N\xe1\xbb\x99i"), std::string(event.room));
		CPPUNIT_ASSERT_EQUAL(std::size_t{2}, event.users.size());
		CPPUNIT_ASSERT_EQUAL(std::string("An"), std::string(event.users[1]));
		CPPUNIT_ASSERT((event.historyIds == std::vector<std::uint64_t>{40, 41}));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{41}, event.lastId);
		CPPUNIT_ASSERT_EQUAL(std::string("3f9a0c1d2b4e5f60"), std::string(event.epoch));
		CPPUNIT_ASSERT(event.hasGap && event.gapFrom == 5 && event.gapTo == 39 && event.reset);
		const std::string empty = "{\"type\":\"welcome\",\"room\":\"lobby\",\"nick\":\"An\",\"users\":[\"An\"],\"history\":[],\"lastId\":0}";
		CPPUNIT_ASSERT(parser.parse(empty, event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.historyIds.empty() && !event.hasGap && !event.reset && event.lastId == 0);
		CPPUNIT_ASSERT(event.epoch.empty()); // before epochs existed
	}

	// The speaker's from and verified, as the server writes them, stay on
	// the fast path; anywhere else they are another layout.
	void testChatEventMessageWithItsSpeaker()
	{
		ChatEventParser parser;
		ChatEvent event;
		const std::string withFrom = "{\"type\":\"message\",\"id\":4,\"nick\":\"A\",\"from\":\"AbCdEfGhIjKlMnOpQrStUv\",\"text\":\"hi\",\"ts\":3}";
		const std::string verified = "{\"type\":\"message\",\"id\":5,\"nick\":\"A\",\"from\":\"x\",\"verified\":true,\"text\":\"yo\",\"ts\":3}";
		CPPUNIT_ASSERT(parser.parse(withFrom, event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.id == 4 && event.nick == "A" && event.text == "hi" && event.ts == 3);
		CPPUNIT_ASSERT_EQUAL(std::string(), parser.audit(withFrom, event));
		CPPUNIT_ASSERT(parser.parse(verified, event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT(event.id == 5 && event.text == "yo");
		CPPUNIT_ASSERT(!ChatEventParser::parseFast("{\"type\":\"message\",\"id\":5,\"nick\":\"A\",\"verified\":true,\"from\":\"x\",\"text\":\"yo\",\"ts\":3}", event));
		CPPUNIT_ASSERT(!ChatEventParser::parseFast("{\"type\":\"message\",\"id\":5,\"nick\":\"A\",\"from\":5,\"text\":\"yo\",\"ts\":3}", event));
		CPPUNIT_ASSERT(!ChatEventParser::parseFast("{\"type\":\"message\",\"id\":5,\"nick\":\"A\",\"verified\":false,\"text\":\"yo\",\"ts\":3}", event));
	}

	// Valid JSON the fast path does not read (escapes, order, spaces):
	// Poco::JSON decodes it.
	void testChatEventOtherLayout()
	{
		ChatEventParser parser;
		ChatEvent event;
		CPPUNIT_ASSERT(parser.parse("{\"type\":\"message\",\"id\":1,\"nick\":\"A\",\"text\":\"\\u003cb\\u003e \\\"q\\\"\",\"ts\":3}", event) ==
			ChatEventParser::Result::Slow);
		CPPUNIT_ASSERT_EQUAL(std::string("<b> \"q\""), std::string(event.text));
		CPPUNIT_ASSERT(!ChatEventParser::parseFast("{\"type\":\"message\",\"id\":1,\"nick\":\"A\",\"text\":\"\\n\",\"ts\":3}", event));
		CPPUNIT_ASSERT(parser.parse(" { \"ts\" : 3, \"text\":\"hi\", \"nick\":\"A\", \"id\":7, \"type\":\"message\", \"extra\":[] } ", event) ==
			ChatEventParser::Result::Slow);
		CPPUNIT_ASSERT(event.type == ChatEvent::Type::Message);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{7}, event.id);
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), std::string(event.text));
		// A type the protocol does not have is an event all the same.
		CPPUNIT_ASSERT(parser.parse("{\"type\":\"typing\",\"nick\":\"A\"}", event) == ChatEventParser::Result::Slow);
		CPPUNIT_ASSERT(event.type == ChatEvent::Type::Unknown);
		CPPUNIT_ASSERT_EQUAL(std::string("typing"), std::string(event.typeName));
	}

	void testChatEventMalformed()
	{
		ChatEventParser parser;
		ChatEvent event;
		const std::string good = "{\"type\":\"message\",\"id\":1,\"nick\":\"A\",\"text\":\"hi\",\"ts\":3}";
		CPPUNIT_ASSERT(parser.parse(good, event) == ChatEventParser::Result::Fast);
		// Every strict prefix of a good event is refused, by both paths.
		for (std::size_t length = 0; length < good.size(); ++length)
		{
			CPPUNIT_ASSERT(!ChatEventParser::parseFast(good.substr(0, length), event));
			CPPUNIT_ASSERT(parser.parse(good.substr(0, length), event) == ChatEventParser::Result::Malformed);
		}
		for (const std::string& bad: {
				 good + "x",                                                                      // trailing bytes
				 good + "{}",                                                                     // two objects
				 std::string("[1,2]"),                                                            // not an object
				 std::string("\"message\""),
				 std::string("{\"type\":\"message\",\"id\":01,\"nick\":\"A\",\"text\":\"hi\",\"ts\":3}"),     // leading zero
				 std::string("{\"type\":\"message\",\"id\":-1,\"nick\":\"A\",\"text\":\"hi\",\"ts\":3}"),     // negative
				 std::string("{\"type\":\"message\",\"id\":1.5,\"nick\":\"A\",\"text\":\"hi\",\"ts\":3}"),    // fraction
				 std::string("{\"type\":\"message\",\"id\":\"1\",\"nick\":\"A\",\"text\":\"hi\",\"ts\":3}"),   // a string
				 std::string("{\"type\":\"message\",\"id\":1,\"nick\":\"A\",\"ts\":3}"),                     // no text
				 std::string("{\"type\":\"message\",\"id\":1,\"nick\":\"A\",\"text\":\"h\ti\",\"ts\":3}"),    // raw control character
				 std::string("{\"type\":\"message\",\"id\":1,\"nick\":\"A\",\"text\":\"h\\qi\",\"ts\":3}"),  // bad escape
				 std::string("{\"type\":\"message\",\"id\":1,\"nick\":\"A\",\"text\":\"hi\",\"ts\":3,}"),    // trailing comma
				 std::string("{\"type\":7}"),
				 std::string("{\"nick\":\"A\"}"),                                                       // no type
				 std::string("{\"type\":\"join\",\"ts\":1}"),                                          // join without nick
				 std::string("{\"type\":\"welcome\",\"room\":\"r\",\"nick\":\"A\",\"users\":[\"A\",2],\"history\":[],\"lastId\":0}"),
				 std::string("{\"type\":\"welcome\",\"room\":\"r\",\"nick\":\"A\",\"users\":[\"A\"],\"history\":[{\"type\":\"join\",\"nick\":\"B\",\"ts\":1}],\"lastId\":0}"),
				 std::string("{\"type\":\"welcome\",\"room\":\"r\",\"nick\":\"A\",\"users\":[\"A\"],\"history\":[],\"lastId\":0,\"reset\":1}"),
				 std::string("{\"type\":\"welcome\",\"room\":\"r\",\"nick\":\"A\",\"users\":[\"A\"],\"history\":[],\"lastId\":0,\"epoch\":5}"),
				 std::string("{\"type\":\"welcome\",\"room\":\"r\",\"nick\":\"A\",\"users\":[\"A\"],\"history\":[]}"),
			 })
		{
			CPPUNIT_ASSERT_MESSAGE(bad, parser.parse(bad, event) == ChatEventParser::Result::Malformed);
			CPPUNIT_ASSERT_MESSAGE(bad, !parser.problem().empty());
		}
	}

	// Numbers are read eight digits at a time: every length, at every
	// alignment, and the edges.
	void testChatEventNumbers()
	{
		ChatEventParser parser;
		ChatEvent event;
		std::uint64_t seed = 12345;
		auto digit = [&seed] {
			seed = seed * 6364136223846793005ull + 1442695040888963407ull;
			return static_cast<char>('0' + (seed >> 33) % 10);
		};
		for (std::size_t length = 1; length <= 19; ++length)
		{
			for (std::size_t pad = 0; pad < 9; ++pad)
			{
				std::string id(1, length == 1 ? digit() : static_cast<char>('1' + (seed >> 40) % 9));
				while (id.size() < length) id += digit();
				std::string ts = std::to_string(seed % 10000000000000ull);
				const std::string nick = "b" + std::string(pad, '7');
				const std::string json = "{\"type\":\"message\",\"id\":" + id + ",\"nick\":\"" + nick + "\",\"text\":\"t\",\"ts\":" + ts + "}";
				CPPUNIT_ASSERT_MESSAGE(json, ChatEventParser::parseFast(json, event));
				CPPUNIT_ASSERT_EQUAL_MESSAGE(json, std::stoull(id), static_cast<unsigned long long>(event.id));
				CPPUNIT_ASSERT_EQUAL_MESSAGE(json, std::stoull(ts), static_cast<unsigned long long>(event.ts));
				CPPUNIT_ASSERT_EQUAL(nick, std::string(event.nick));
				CPPUNIT_ASSERT_EQUAL(std::string(), parser.audit(json, event));
			}
		}
		auto message = [](const std::string& id) {
			return "{\"type\":\"message\",\"id\":" + id + ",\"nick\":\"A\",\"text\":\"t\",\"ts\":0}";
		};
		CPPUNIT_ASSERT(ChatEventParser::parseFast(message("0"), event) && event.id == 0);
		CPPUNIT_ASSERT(ChatEventParser::parseFast(message("9999999999999999999"), event));
		CPPUNIT_ASSERT_EQUAL(9999999999999999999ull, static_cast<unsigned long long>(event.id));
		// Twenty digits: not the server's (ids stop at 2^53); Poco::JSON
		// reads what fits 64 bits and refuses the rest.
		CPPUNIT_ASSERT(!ChatEventParser::parseFast(message("12345678901234567890"), event));
		CPPUNIT_ASSERT(parser.parse(message("12345678901234567890"), event) == ChatEventParser::Result::Slow);
		CPPUNIT_ASSERT_EQUAL(12345678901234567890ull, static_cast<unsigned long long>(event.id));
		CPPUNIT_ASSERT(parser.parse(message("99999999999999999999"), event) == ChatEventParser::Result::Malformed);
		for (const std::string bad: {"00", "01", "1a", "-1", "1e3", "1.0", ""})
			CPPUNIT_ASSERT_MESSAGE(bad, !ChatEventParser::parseFast(message(bad), event));
	}

	void testChatEventAudit()
	{
		ChatEventParser parser;
		ChatEvent event;
		const std::string welcome = "{\"type\":\"welcome\",\"room\":\"r\",\"nick\":\"A\",\"users\":[\"B\",\"A\"],"
			"\"history\":[{\"type\":\"message\",\"id\":1,\"nick\":\"B\",\"text\":\"x\",\"ts\":1}],\"lastId\":1,\"epoch\":\"e-1_A\"}";
		CPPUNIT_ASSERT(parser.parse(welcome, event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT_EQUAL(std::string(), parser.audit(welcome, event));
		const std::string message = "{\"type\":\"message\",\"id\":9,\"nick\":\"A\",\"text\":\"hi\",\"ts\":3}";
		CPPUNIT_ASSERT(parser.parse(message, event) == ChatEventParser::Result::Fast);
		CPPUNIT_ASSERT_EQUAL(std::string(), parser.audit(message, event));
		// A fast path that misread would be caught.
		ChatEvent wrong = event;
		wrong.id = 8;
		CPPUNIT_ASSERT(parser.audit(message, wrong).find("id") != std::string::npos);
		wrong = event;
		wrong.text = "ho";
		CPPUNIT_ASSERT(parser.audit(message, wrong).find("text") != std::string::npos);
		CPPUNIT_ASSERT(!parser.audit("{oops", event).empty());
	}

	struct NullObserver: ConnectionObserver
	{
		void onMessage(ClientConnection&, ws::Opcode, std::string_view) override {}
	};

	static std::string welcomeFor(const ChatroomClients& clients, std::size_t index, const std::vector<std::string>& users,
		std::uint64_t lastId, const std::string& history = "", const std::string& epoch = "0123456789abcdef")
	{
		std::string json = "{\"type\":\"welcome\",\"room\":\"bench\",\"nick\":\"" + clients.nick(index) + "\",\"users\":[";
		for (std::size_t i = 0; i < users.size(); ++i) json += (i ? ",\"" : "\"") + users[i] + "\"";
		return json + "],\"history\":[" + history + "],\"lastId\":" + std::to_string(lastId) + ",\"epoch\":\"" + epoch + "\"}";
	}

	static std::string messageEvent(std::uint64_t id, const std::string& nick, const std::string& text)
	{
		return "{\"type\":\"message\",\"id\":" + std::to_string(id) + ",\"nick\":\"" + nick + "\",\"text\":\"" + text + "\",\"ts\":1}";
	}

	void testChatroomWelcome()
	{
		LoadLoop loop;
		NullObserver observer;
		ChatroomOptions options;
		options.auditEvery = 1;
		ChatroomClients clients(options, 3);
		CPPUNIT_ASSERT(clients.nick(0).rfind("b0-", 0) == 0);
		CPPUNIT_ASSERT(clients.nick(0) != ChatroomClients(options, 1).nick(0)); // another run, other nicks
		CPPUNIT_ASSERT_EQUAL("/bench?nick=" + clients.nick(2), clients.requestTarget(2));
		CPPUNIT_ASSERT_EQUAL(std::string("H%C3%A0%20N%E1%BB%99i%2F-._~"), ChatroomClients::percentEncode("H\xc3\xa0 N\xe1\xbb\x99i/-._~"));

		// A good welcome: someone from elsewhere, then this client; history up to lastId.
		ClientConnection first(loop, observer, 0);
		CPPUNIT_ASSERT(!clients.onFrame(first, ws::Opcode::Text,
			welcomeFor(clients, 0, {"someone", clients.nick(0)}, 6, messageEvent(5, "x", "a") + "," + messageEvent(6, "x", "b"))));
		CPPUNIT_ASSERT(!first.isClosed());
		ChatroomTotals totals = clients.totals(0, 3);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.welcomes);
		CPPUNIT_ASSERT(totals.clean());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, totals.joinsExpected); // clients 1 and 2 are to come
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, clients.joinsMissing(0, 3));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.audited);

		// Wrong welcomes fail their connection.
		const std::vector<std::string> wrongs = {
			welcomeFor(clients, 0, {clients.nick(1)}, 0),                  // not for this nick
			welcomeFor(clients, 1, {clients.nick(1), clients.nick(0)}, 0), // not last in users
			welcomeFor(clients, 1, {clients.nick(1)}, 7, messageEvent(5, "x", "a")), // history not up to lastId
			welcomeFor(clients, 1, {clients.nick(1)}, 0, "", ""),                // no epoch
			welcomeFor(clients, 1, {clients.nick(1)}, 0, "", "a b"),             // not an epoch
			welcomeFor(clients, 1, {clients.nick(1)}, 0, "", "fedcba9876543210"), // not the room's epoch
			"{\"type\":\"join\",\"nick\":\"x\",\"ts\":1}",                     // not a welcome
			"{\"type\":\"welcome\"",                                             // not JSON
		};
		for (const std::string& wrong: wrongs)
		{
			ClientConnection second(loop, observer, 1);
			CPPUNIT_ASSERT(!clients.onFrame(second, ws::Opcode::Text, wrong));
			CPPUNIT_ASSERT_MESSAGE(wrong, second.isClosed());
			CPPUNIT_ASSERT(second.ending() == ClientConnection::Ending::Rejected);
		}
		ClientConnection refused(loop, observer, 1);
		CPPUNIT_ASSERT(!clients.onFrame(refused, ws::Opcode::Text, "{\"type\":\"error\",\"code\":\"nick_taken\",\"message\":\"taken\"}"));
		CPPUNIT_ASSERT(refused.isClosed());
		CPPUNIT_ASSERT(refused.detail().find("nick_taken") != std::string::npos);
		totals = clients.totals(0, 3);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{8}, totals.malformed);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.errors);
		CPPUNIT_ASSERT(!totals.firstProblem.empty());
	}

	void testChatroomIdsAndPresence()
	{
		LoadLoop loop;
		NullObserver observer;
		ChatroomClients clients(ChatroomOptions(), 3);
		ClientConnection connection(loop, observer, 1);
		// Client 0 was there first; client 2 comes later.
		clients.onFrame(connection, ws::Opcode::Text, welcomeFor(clients, 1, {clients.nick(0), clients.nick(1)}, 10));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, clients.joinsMissing(0, 3));
		clients.onFrame(connection, ws::Opcode::Text, "{\"type\":\"join\",\"nick\":\"stranger\",\"ts\":1}");
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, clients.joinsMissing(0, 3));
		clients.onFrame(connection, ws::Opcode::Text, "{\"type\":\"join\",\"nick\":\"" + clients.nick(2) + "\",\"ts\":1}");
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, clients.joinsMissing(0, 3));
		clients.onFrame(connection, ws::Opcode::Text, "{\"type\":\"leave\",\"nick\":\"stranger\",\"ts\":2}");

		// Ids start right after lastId and go up by one.
		// (The delivery points into the frame: keep it.)
		const std::string frame = messageEvent(11, clients.nick(0), "payload");
		const auto delivery = clients.onFrame(connection, ws::Opcode::Text, frame);
		CPPUNIT_ASSERT(delivery);
		CPPUNIT_ASSERT_EQUAL(std::string("payload"), std::string(delivery->text));
		CPPUNIT_ASSERT_EQUAL(clients.nick(0), std::string(delivery->nick));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{11}, delivery->id);
		CPPUNIT_ASSERT(clients.onFrame(connection, ws::Opcode::Text, messageEvent(12, "x", "p")));
		ChatroomTotals totals = clients.totals(0, 3);
		CPPUNIT_ASSERT(totals.clean());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, totals.messages);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, totals.joins);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.leaves);
		clients.onFrame(connection, ws::Opcode::Text, messageEvent(14, "x", "p")); // 13 skipped
		clients.onFrame(connection, ws::Opcode::Text, messageEvent(14, "x", "p")); // again
		clients.onFrame(connection, ws::Opcode::Text, messageEvent(3, "x", "p"));  // backwards
		clients.onFrame(connection, ws::Opcode::Text, messageEvent(15, "x", "p")); // in order again
		totals = clients.totals(0, 3);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.idGaps);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2}, totals.idRepeats);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, clients.totals(2, 3).idGaps); // per client
		CPPUNIT_ASSERT(!totals.clean());

		// Errors after the welcome are counted, with a hint for the rate limit.
		clients.onFrame(connection, ws::Opcode::Text, "{\"type\":\"error\",\"code\":\"rate_limited\",\"message\":\"slow down\"}");
		clients.onFrame(connection, ws::Opcode::Binary, "x");
		clients.onFrame(connection, ws::Opcode::Text, "{\"type\":\"typing\"}");
		totals = clients.totals(0, 3);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.errors);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.malformed);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, totals.unknown);
		CPPUNIT_ASSERT(!connection.isClosed());
	}

	void testChatroomCommandLine()
	{
		const CommandLine line({"throughput", "--protocol", "chatroom", "--room", "lobby"});
		CPPUNIT_ASSERT_EQUAL(std::string("chatroom"), line.text("protocol", "relay"));
		CPPUNIT_ASSERT_EQUAL(std::string("lobby"), line.text("room", "bench"));
		CPPUNIT_ASSERT(CommandLine({"idle", "--protocol=chatroom"}).has("protocol"));
		CPPUNIT_ASSERT(CommandLine({"smoke", "--protocol", "chatroom", "--json", "/tmp/x.json"}).has("json"));
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "--protocol"}), UsageError);
		// The window leaves room for the chat room's bigger deliveries.
		TrafficConfig relay;
		TrafficConfig chat;
		chat.chatroom = ChatroomOptions();
		CPPUNIT_ASSERT(chat.autoWindow() * chat.senders * (chat.size + ChatroomClients::DeliveryOverhead) <= 64 * 1024);
		CPPUNIT_ASSERT(chat.autoWindow() < relay.autoWindow());
	}

	void testTlsCommandLine()
	{
		// Plaintext unless --tls: no context, nothing of OpenSSL touched.
		CPPUNIT_ASSERT(!tlsClientOptions(CommandLine({"throughput"})));
		// --tls alone: encrypted, the certificate not verified.
		const auto plain = tlsClientOptions(CommandLine({"throughput", "--tls", "--port", "8443"}));
		CPPUNIT_ASSERT(plain);
		CPPUNIT_ASSERT_EQUAL(std::string(), plain->caFile);
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), plain->host);
		// --tls-ca: verified against that file, for --host.
		const auto verified = tlsClientOptions(CommandLine({"latency", "--tls", "--tls-ca", "/etc/cert.pem", "--host", "localhost"}));
		CPPUNIT_ASSERT(verified);
		CPPUNIT_ASSERT_EQUAL(std::string("/etc/cert.pem"), verified->caFile);
		CPPUNIT_ASSERT_EQUAL(std::string("localhost"), verified->host);
		CPPUNIT_ASSERT_EQUAL(std::string("c.pem"), tlsClientOptions(CommandLine({"idle", "--tls-ca=c.pem", "--tls"}))->caFile);
		// Every scenario takes them, with either protocol and several ports.
		for (const char* scenario: {"idle", "throughput", "latency", "slow-consumer", "smoke"})
			CPPUNIT_ASSERT(tlsClientOptions(CommandLine({scenario, "--tls", "--protocol", "chatroom", "--ports", "1,2"})));
	}

	void testTlsCommandLineErrors()
	{
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "--tls=yes"}), UsageError); // a flag
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "--tls", "--tls-ca"}), UsageError); // no file
		CPPUNIT_ASSERT_THROW(tlsClientOptions(CommandLine({"throughput", "--tls-ca", "c.pem"})), UsageError); // no --tls
		CPPUNIT_ASSERT_THROW(tlsClientOptions(CommandLine({"throughput", "--tls", "--tls-ca="})), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "--tls-cert", "c.pem"}), UsageError); // unknown
	}

	void testTlsContext()
	{
		// No verification: a context without any file.
		TlsClientContext open(TlsClientOptions{"", "127.0.0.1"});
		CPPUNIT_ASSERT(!open.verifies());
		CPPUNIT_ASSERT(open.negotiated().empty());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, open.handshakes());
		// A CA file that is missing, or holds no certificate, stops the run
		// before any socket exists (exit 2, like a bad --host).
		CPPUNIT_ASSERT_THROW(TlsClientContext(TlsClientOptions{"/nonexistent/ca.pem", "127.0.0.1"}), std::invalid_argument);
		char path[] = "/tmp/bench-tls-ca-XXXXXX";
		const int fd = ::mkstemp(path);
		CPPUNIT_ASSERT(fd >= 0);
		::close(fd);
		std::ofstream(path) << "not a certificate\n";
		CPPUNIT_ASSERT_THROW(TlsClientContext(TlsClientOptions{path, "127.0.0.1"}), std::invalid_argument);
		std::remove(path);
		// A session on a socket: SSL_new and SSL_set_fd, nothing sent yet.
		int pair[2];
		CPPUNIT_ASSERT_EQUAL(0, ::socketpair(AF_UNIX, SOCK_STREAM, 0, pair));
		std::string error;
		SSL* session = open.newSession(pair[0], error);
		CPPUNIT_ASSERT_MESSAGE(error, session != nullptr);
		::SSL_free(session);
		::close(pair[0]);
		::close(pair[1]);
	}

	// An in-process wss server for one client, on a blocking socket in a
	// thread of its own: a throwaway self-signed P-256 certificate (made in
	// memory), SSL_accept, the 101, then it reads nothing until told to,
	// decodes every masked frame, answers "done" and a close frame, waits
	// for the client's close and ends with close_notify.
	struct TlsTestServer: ws::MessageDecoder::Handler
	{
		std::vector<std::string> messages;
		bool clientClosed = false;
		ws::MessageDecoder decoder{ws::MessageDecoder::Role::Server, ws::MessageDecoder::Limits{1 << 20}, *this};

		void onMessage(ws::Opcode, std::string_view payload) override { messages.emplace_back(payload); }
		void onPing(std::string_view) override {}
		void onPong(std::string_view) override {}
		void onClose(std::uint16_t, std::string_view) override { clientClosed = true; }

		static SSL_CTX* context() { return webchat::test::selfSignedServerContext(); }

		// Returns what went wrong, or nothing.
		std::string serve(int listening, std::size_t expected, std::future<void> startReading)
		{
			const int fd = ::accept(listening, nullptr, nullptr);
			if (fd < 0) return "accept failed";
			SSL_CTX* ctx = context();
			SSL* ssl = SSL_new(ctx);
			SSL_set_fd(ssl, fd);
			std::string problem = exchange(ssl, expected, std::move(startReading));
			SSL_free(ssl);
			SSL_CTX_free(ctx);
			::close(fd);
			return problem;
		}

		std::string exchange(SSL* ssl, std::size_t expected, std::future<void> startReading)
		{
			if (SSL_accept(ssl) != 1) return "SSL_accept failed";
			std::string head;
			char buffer[65536];
			while (head.find("\r\n\r\n") == std::string::npos)
			{
				const int n = SSL_read(ssl, buffer, sizeof buffer);
				if (n <= 0) return "no upgrade request";
				head.append(buffer, static_cast<std::size_t>(n));
			}
			const std::size_t key = head.find("Sec-WebSocket-Key: ");
			if (key == std::string::npos) return "no key";
			const std::string response = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
				"Sec-WebSocket-Accept: " + ws::computeAcceptKey(head.substr(key + 19, 24)) + "\r\n\r\n";
			SSL_write(ssl, response.data(), static_cast<int>(response.size()));
			// Frames sent right behind the request arrive after the wait.
			std::string early = head.substr(head.find("\r\n\r\n") + 4);
			startReading.wait();
			if (!early.empty()) decoder.feed(early.data(), early.size());
			while (messages.size() < expected)
			{
				const int n = SSL_read(ssl, buffer, sizeof buffer);
				if (n <= 0) return "read ended after " + std::to_string(messages.size()) + " messages";
				if (decoder.feed(buffer, static_cast<std::size_t>(n))) return "bad frames";
			}
			std::string out;
			ws::appendFrame(out, ws::Opcode::Text, "done");
			ws::appendFrame(out, ws::Opcode::Close, ws::closePayload(ws::CloseCode::Normal));
			SSL_write(ssl, out.data(), static_cast<int>(out.size()));
			while (!clientClosed)
			{
				const int n = SSL_read(ssl, buffer, sizeof buffer);
				if (n <= 0) return "no close from the client";
				if (decoder.feed(buffer, static_cast<std::size_t>(n))) return "bad close frame";
			}
			SSL_shutdown(ssl);
			return {};
		}
	};

	struct RecordingObserver: ConnectionObserver
	{
		std::vector<std::string> messages;
		bool ended = false;
		void onMessage(ClientConnection&, ws::Opcode, std::string_view payload) override { messages.emplace_back(payload); }
		void onEnd(ClientConnection&) override { ended = true; }
	};

	// The client's TLS write path through a full socket: 32 MiB of frames
	// queued while the server reads nothing, so SSL_write stops on
	// WANT_WRITE with most of it unsent and is retried, from a buffer that
	// moves, as the socket drains; every frame arrives once, whole and in
	// order, then the server's message, its close and close_notify.
	void testTlsConnectionThroughFullSocket()
	{
		const int listening = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sockaddr_in address{};
		address.sin_family = AF_INET;
		address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		socklen_t length = sizeof address;
		CPPUNIT_ASSERT_EQUAL(0, ::bind(listening, reinterpret_cast<sockaddr*>(&address), sizeof address));
		CPPUNIT_ASSERT_EQUAL(0, ::listen(listening, 1));
		CPPUNIT_ASSERT_EQUAL(0, ::getsockname(listening, reinterpret_cast<sockaddr*>(&address), &length));

		constexpr std::size_t count = 256;
		std::vector<std::string> sent;
		for (std::size_t i = 0; i < count; ++i) sent.push_back(std::string(128 * 1024 - i, static_cast<char>('a' + i % 26)));
		TlsTestServer server;
		std::promise<void> startReading;
		std::future<std::string> served = std::async(std::launch::async,
			[&server, listening, future = startReading.get_future()]() mutable { return server.serve(listening, count, std::move(future)); });

		LoadLoop loop;
		RecordingObserver observer;
		ClientConnection connection(loop, observer, 0);
		Endpoint endpoint = resolveLoopback("127.0.0.1", ntohs(address.sin_port), "/");
		endpoint.tls = std::make_shared<TlsClientContext>(TlsClientOptions{"", "127.0.0.1"});
		connection.connect(endpoint, 1 << 20);
		CPPUNIT_ASSERT(connection.usesTls());
		CPPUNIT_ASSERT(loop.run(nowNs() + 10 * NsPerSecond, [&] { return connection.isOpen() || connection.isClosed(); }));
		CPPUNIT_ASSERT_MESSAGE(connection.detail(), connection.isOpen());
		for (const std::string& message: sent) connection.queueMessage(ws::Opcode::Binary, message);
		connection.flush();
		loop.idleFor(200 * NsPerMs);
		// The socket took what the kernel buffers hold, not 32 MiB.
		CPPUNIT_ASSERT(connection.pendingOutput() > 0);
		startReading.set_value();
		CPPUNIT_ASSERT(loop.run(nowNs() + 30 * NsPerSecond, [&] { return connection.isClosed(); }));
		::close(listening);
		CPPUNIT_ASSERT_EQUAL(std::string(), served.get());
		CPPUNIT_ASSERT_EQUAL(std::size_t{0}, connection.pendingOutput());
		CPPUNIT_ASSERT_EQUAL(count, server.messages.size());
		for (std::size_t i = 0; i < count; ++i) CPPUNIT_ASSERT(server.messages[i] == sent[i]);
		CPPUNIT_ASSERT_EQUAL(std::size_t{1}, observer.messages.size());
		CPPUNIT_ASSERT_EQUAL(std::string("done"), observer.messages.front());
		CPPUNIT_ASSERT_EQUAL_MESSAGE(connection.detail(), std::string("close frame"),
			std::string(ClientConnection::endingName(connection.ending())));
		CPPUNIT_ASSERT(connection.tlsCloseNotify());
		CPPUNIT_ASSERT(observer.ended);
	}

	void testPrometheusParsing()
	{
		// As the status plugin writes it: families with HELP and TYPE, every
		// listener's series, labels in any order, a histogram, a timestamp.
		const std::string text =
			"# HELP webchat_http_requests_total HTTP requests handled.\n"
			"# TYPE webchat_http_requests_total counter\n"
			"webchat_http_requests_total{listener=\"chat\"} 120\n"
			"webchat_http_requests_total{listener=\"status\"} 7\n"
			"webchat_http_request_duration_seconds_bucket{listener=\"chat\",le=\"+Inf\"} 120\n"
			"# TYPE webchat_messages_in_total counter\n"
			"webchat_messages_in_total{listener=\"chat\"} 2000\n"
			"webchat_messages_in_total{listener=\"chatroom\"} 5\n"
			"webchat_bytes_out_total{listener=\"chat\"} 1.5e6 1700000000000\r\n"
			"webchat_protocol_errors_total{listener=\"chat\",code=\"1002\"} 2\n"
			"webchat_protocol_errors_total{code=\"1009\",listener=\"chat\"} 3\n"
			"webchat_handshakes_refused_total{reason=\"a \\\"quoted\\\", listener=\\\"chat\\\"}\",listener=\"x\"} 9\n"
			"webchat_rooms 4\n"
			"\n";
		const auto chat = parsePrometheus(text, "chat");
		CPPUNIT_ASSERT_EQUAL(120.0, chat.at("webchat_http_requests_total"));
		CPPUNIT_ASSERT_EQUAL(120.0, chat.at("webchat_http_request_duration_seconds_bucket"));
		CPPUNIT_ASSERT_EQUAL(2000.0, chat.at("webchat_messages_in_total"));
		CPPUNIT_ASSERT_EQUAL(1.5e6, chat.at("webchat_bytes_out_total"));
		CPPUNIT_ASSERT_EQUAL(5.0, chat.at("webchat_protocol_errors_total")); // summed over codes
		// A listener="chat" inside another label's value is not the label.
		CPPUNIT_ASSERT(!chat.count("webchat_handshakes_refused_total"));
		CPPUNIT_ASSERT(!chat.count("webchat_rooms")); // no listener label
		CPPUNIT_ASSERT_EQUAL(std::size_t{5}, chat.size());
		CPPUNIT_ASSERT_EQUAL(7.0, parsePrometheus(text, "status").at("webchat_http_requests_total"));
		CPPUNIT_ASSERT_EQUAL(9.0, parsePrometheus(text, "x").at("webchat_handshakes_refused_total"));
		CPPUNIT_ASSERT(parsePrometheus(text, "cha").empty());
		CPPUNIT_ASSERT(parsePrometheus("", "chat").empty());
	}

	void testPrometheusMalformed()
	{
		const std::string text =
			"webchat_messages_in_total{listener=\"chat\"}\n"          // no value
			"webchat_messages_in_total{listener=\"chat\"} 12abc\n"    // not a number
			"webchat_messages_in_total{listener=\"chat\"} NaN\n"
			"webchat_messages_in_total{listener=chat} 3\n"             // unquoted
			"webchat_messages_in_total{listener=\"chat} 3\n"          // unterminated
			"webchat_messages_in_total listener=\"chat\" 3\n"
			"{listener=\"chat\"} 3\n"                                 // no name
			"webchat_bytes_in_total{listener=\"chat\"} 10\n";
		const auto chat = parsePrometheus(text, "chat");
		CPPUNIT_ASSERT_EQUAL(std::size_t{1}, chat.size());
		CPPUNIT_ASSERT_EQUAL(10.0, chat.at("webchat_bytes_in_total"));
	}

	void testServerCounters()
	{
		ServerCounters none = ServerCounters::from({{"webchat_http_requests_total", 3}});
		CPPUNIT_ASSERT(!none.found); // the status listener's own series: no WebSocket counters
		const ServerCounters before = ServerCounters::from({{"webchat_messages_in_total", 10},
			{"webchat_connections_total", 2}, {"webchat_bytes_out_total", 100}});
		const ServerCounters after = ServerCounters::from({{"webchat_messages_in_total", 110},
			{"webchat_connections_total", 22}, {"webchat_bytes_out_total", 600}, {"webchat_bytes_in_total", 50},
			{"webchat_slow_consumers_closed_total", 1}, {"webchat_protocol_errors_total", 0},
			{"webchat_handshakes_refused_total", 4}});
		CPPUNIT_ASSERT(before.found && after.found);
		const ServerCounters delta = after.minus(before);
		CPPUNIT_ASSERT(delta.found);
		CPPUNIT_ASSERT_EQUAL(100.0, delta.messagesIn);
		CPPUNIT_ASSERT_EQUAL(20.0, delta.connectionsAccepted);
		CPPUNIT_ASSERT_EQUAL(500.0, delta.bytesOut);
		CPPUNIT_ASSERT_EQUAL(50.0, delta.bytesIn);
		CPPUNIT_ASSERT_EQUAL(1.0, delta.slowConsumersClosed);
		CPPUNIT_ASSERT_EQUAL(0.0, delta.protocolErrors);
		CPPUNIT_ASSERT_EQUAL(4.0, delta.handshakesRefused);
		CPPUNIT_ASSERT_EQUAL(std::string("yes (server 100, bench 100)"), agreement(100, 100));
		CPPUNIT_ASSERT_EQUAL(std::string("NO (server 99, bench 100)"), agreement(99, 100));
	}

	void testServerCountersSummed()
	{
		const ServerCounters a = ServerCounters::from({{"webchat_messages_in_total", 10}, {"webchat_connections_total", 2},
			{"webchat_bytes_out_total", 100}, {"webchat_protocol_errors_total", 1}});
		const ServerCounters b = ServerCounters::from({{"webchat_messages_in_total", 5}, {"webchat_connections_total", 3},
			{"webchat_bytes_in_total", 7}, {"webchat_slow_consumers_closed_total", 1}, {"webchat_handshakes_refused_total", 2}});
		const ServerCounters sum = a.plus(b);
		CPPUNIT_ASSERT(sum.found);
		CPPUNIT_ASSERT_EQUAL(15.0, sum.messagesIn);
		CPPUNIT_ASSERT_EQUAL(5.0, sum.connectionsAccepted);
		CPPUNIT_ASSERT_EQUAL(100.0, sum.bytesOut);
		CPPUNIT_ASSERT_EQUAL(7.0, sum.bytesIn);
		CPPUNIT_ASSERT_EQUAL(1.0, sum.slowConsumersClosed);
		CPPUNIT_ASSERT_EQUAL(1.0, sum.protocolErrors);
		CPPUNIT_ASSERT_EQUAL(2.0, sum.handshakesRefused);
		// An instance without the listener's series spoils the sum.
		CPPUNIT_ASSERT(!a.plus(ServerCounters::from({{"webchat_http_requests_total", 3}})).found);
	}

	void testKernelSockets()
	{
		KernelSockets sockets;
		CPPUNIT_ASSERT(KernelSockets::parseSockstat("sockets: used 180\nTCP: inuse 12 orphan 0 tw 3 alloc 15 mem 7\nUDP: inuse 1 mem 0\n", sockets));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(12), sockets.tcpInUse);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), sockets.tcpMemPages);
		KernelSockets none;
		CPPUNIT_ASSERT(!KernelSockets::parseSockstat("sockets: used 180\nUDP: inuse 1 mem 0\n", none));
		CPPUNIT_ASSERT(!KernelSockets::parseSockstat("TCP: inuse 12 orphan 0\n", none)); // no mem

		const std::string slabinfo =
			"slabinfo - version: 2.1\n"
			"# name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables ...\n"
			"TCPv6                 26     26   2432   13    8 : tunables    0    0    0 : slabdata      2      2      0\n"
			"TCP                  100    112   2304   14    8 : tunables    0    0    0 : slabdata      8      8      0\n"
			"sock_inode_cache     200    210    832   19    4 : tunables    0    0    0 : slabdata     11     11      0\n"
			"filp                1000   1024    256   16    1 : tunables    0    0    0 : slabdata     64     64      0\n"
			"eventpoll_epi         10     32    128   32    1 : tunables    0    0    0 : slabdata      1      1      0\n";
		// TCP, sock_inode_cache, filp and eventpoll_epi; not TCPv6, and no
		// eventpoll_pwq listed.
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(100 * 2304 + 200 * 832 + 1000 * 256 + 10 * 128), *KernelSockets::parseSlabinfo(slabinfo));
		CPPUNIT_ASSERT(!KernelSockets::parseSlabinfo("slabinfo - version: 2.1\nTCPv6 1 1 2432 13 8\n"));
	}

	void testLoopbackSources()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.2"), loopbackSourceAddress(0, 4));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.5"), loopbackSourceAddress(3, 4));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.2"), loopbackSourceAddress(4, 4));
		const sockaddr_in source = loopbackSource(1, 4);
		CPPUNIT_ASSERT_EQUAL(sa_family_t(AF_INET), source.sin_family);
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(0x7f000003), std::uint32_t(ntohl(source.sin_addr.s_addr)));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(0), source.sin_port);
		CPPUNIT_ASSERT_THROW(loopbackSourceAddress(0, 0), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(loopbackSourceAddress(0, 251), std::invalid_argument);
	}

	void testMetricsUrl()
	{
		const MetricsSource source("http://127.0.0.1:9100/metrics", "chat");
		CPPUNIT_ASSERT_EQUAL(std::string("chat"), source.listener());
		CPPUNIT_ASSERT_NO_THROW(MetricsSource("http://localhost:9100/metrics", "chat"));
		CPPUNIT_ASSERT_NO_THROW(MetricsSource("http://[::1]:9100/metrics", "chat"));
		CPPUNIT_ASSERT_THROW(MetricsSource("http://192.0.2.1:9100/metrics", "chat"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(MetricsSource("https://127.0.0.1:9100/metrics", "chat"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(MetricsSource("127.0.0.1:9100", "chat"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(MetricsSource("http://127.0.0.1:9100/metrics", ""), std::invalid_argument);
		CPPUNIT_ASSERT(CommandLine({"smoke", "--metrics-url", "http://127.0.0.1:9100/metrics", "--metrics-listener", "c"})
			.has("metrics-listener"));
		// Nothing listens on port 1 of loopback: a clear error, no exception.
		std::string error;
		CPPUNIT_ASSERT(!MetricsSource("http://127.0.0.1:1/metrics", "chat").fetch(error));
		CPPUNIT_ASSERT(error.find("127.0.0.1:1") != std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(BenchUnitTest);
