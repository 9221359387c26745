// webchat-bench's bookkeeping: payload format, delivery checks, latency
// percentiles, command line, loopback-only endpoints, handshake checks,
// /proc parsing and the JSON report.
#include "CommandLine.h"
#include "DeliveryChecker.h"
#include "Endpoint.h"
#include "LatencyHistogram.h"
#include "Payload.h"
#include "ProcessStats.h"
#include "Report.h"
#include "TrafficRun.h"
#include "UpgradeHandshake.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

using namespace webchat::bench;

class BenchUnitTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BenchUnitTest);
	CPPUNIT_TEST(testPayloadRoundTrip);
	CPPUNIT_TEST(testPayloadRejectsDamage);
	CPPUNIT_TEST(testCheckerInOrder);
	CPPUNIT_TEST(testCheckerDuplicateAndLate);
	CPPUNIT_TEST(testCheckerLostAndUnknown);
	CPPUNIT_TEST(testHistogramBuckets);
	CPPUNIT_TEST(testHistogramPercentiles);
	CPPUNIT_TEST(testCommandLine);
	CPPUNIT_TEST(testCommandLineErrors);
	CPPUNIT_TEST(testLoopbackOnly);
	CPPUNIT_TEST(testHandshakeAccept);
	CPPUNIT_TEST(testHandshakeRejects);
	CPPUNIT_TEST(testVmRss);
	CPPUNIT_TEST(testReportJson);
	CPPUNIT_TEST(testAutoWindow);
	CPPUNIT_TEST(testNonReaderOutcome);
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
		const CommandLine line({"throughput", "--clients", "50", "--senders=5", "--json", "--size", "128"});
		CPPUNIT_ASSERT_EQUAL(std::string("throughput"), line.scenario());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{50}, line.integer("clients", 100, 1, 1000));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{5}, line.integer("senders", 10, 1, 1000));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{2000}, line.integer("messages", 2000, 1, 1000000));
		CPPUNIT_ASSERT(line.flag("json"));
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
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "--json=yes"}), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"idle", "stray"}), UsageError);
		const CommandLine line({"idle", "--connections", "12x", "--port", "70000", "--hold", "-1"});
		CPPUNIT_ASSERT_THROW(line.integer("connections", 1, 1, 10), UsageError);
		CPPUNIT_ASSERT_THROW(line.integer("port", 8000, 1, 65535), UsageError);
		CPPUNIT_ASSERT_THROW(line.number("hold", 1, 0, 10), UsageError);
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
};

CPPUNIT_TEST_SUITE_REGISTRATION(BenchUnitTest);
