// The slowloris scenario's parts: source addresses, the never-ending head,
// nearest-rank percentiles, reading HTTP responses and server frames, the
// gate's refusals by reason from Prometheus text, its command line, its
// table in `webchat-bench report`, and the slow connections' bookkeeping
// against a listener of the test's own that closes every connection at once.
#include "CommandLine.h"
#include "Endpoint.h"
#include "ResultTables.h"
#include "RunRecord.h"
#include "ServerMetrics.h"
#include "SlowlorisRun.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <arpa/inet.h>
#include <atomic>
#include <netinet/in.h>
#include <poll.h>
#include <stdexcept>
#include <string>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

using namespace webchat::bench;

namespace {

bool hasLine(const std::string& text, const std::string& line)
{
	return text.find(line + "\n") != std::string::npos;
}

// A record of one slowloris report with these figures (JSON members).
std::string slowlorisRecord(const std::string& name, const std::string& figures, bool pass = true)
{
	return "{\"tool\":\"webchat-bench\",\"name\":\"" + name + "\",\"scenario\":\"slowloris\",\"pass\":" +
		(pass ? "true" : "false") + ",\"machine\":{\"load_average_at_start\":0.5,\"cpu_contention_percent\":2}," +
		"\"redis_commandstats\":{},\"reports\":[{\"scenario\":\"" + name + "/slowloris\",\"pass\":" + (pass ? "true" : "false") +
		",\"parameters\":{\"slow\":1000,\"interval_ms\":2000,\"follow_up\":\"no\"},\"figures\":{" + figures +
		"},\"units\":{},\"headline\":[\"page_probe_p99_ms\"],\"targets\":[],\"failures\":[" +
		(pass ? "" : "\"GET / failed: timed out\"") + "],\"notes\":[]}]}";
}

// A listener on 127.0.0.1 that accepts every connection and closes it at
// once, until destroyed.
class ClosingListener
{
public:
	ClosingListener()
	{
		_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		sockaddr_in address{};
		address.sin_family = AF_INET;
		address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		socklen_t length = sizeof address;
		if (_fd < 0 || ::bind(_fd, reinterpret_cast<sockaddr*>(&address), length) != 0 || ::listen(_fd, 64) != 0 ||
			::getsockname(_fd, reinterpret_cast<sockaddr*>(&address), &length) != 0)
			throw std::runtime_error("cannot listen on 127.0.0.1");
		_port = ntohs(address.sin_port);
		_thread = std::thread([this] {
			while (!_stopping)
			{
				pollfd readable{_fd, POLLIN, 0};
				if (::poll(&readable, 1, 50) <= 0) continue;
				const int client = ::accept(_fd, nullptr, nullptr);
				if (client < 0) continue;
				++_accepted;
				::close(client);
			}
		});
	}
	~ClosingListener()
	{
		_stopping = true;
		_thread.join();
		::close(_fd);
	}
	std::uint16_t port() const { return _port; }
	std::size_t accepted() const { return _accepted; }

private:
	int _fd = -1;
	std::uint16_t _port = 0;
	std::atomic<bool> _stopping{false};
	std::atomic<std::size_t> _accepted{0};
	std::thread _thread;
};

} // namespace

class BenchSlowlorisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BenchSlowlorisTest);
	CPPUNIT_TEST(testSourceAddresses);
	CPPUNIT_TEST(testSlowHeadNeverEnds);
	CPPUNIT_TEST(testNearestRank);
	CPPUNIT_TEST(testHttpResponseProgress);
	CPPUNIT_TEST(testServerFrame);
	CPPUNIT_TEST(testRefusalsByReason);
	CPPUNIT_TEST(testCommandLine);
	CPPUNIT_TEST(testTable);
	CPPUNIT_TEST(testClosedAtOnceCounted);
	CPPUNIT_TEST(testBaselineOpensNothing);
	CPPUNIT_TEST_SUITE_END();

public:
	// slow connections and probes (back to back, 1 s timeout) against
	// listener, both its page and its chat.
	static SlowlorisConfig against(const ClosingListener& listener, std::size_t slow, std::size_t probes)
	{
		SlowlorisConfig config;
		config.page = resolveLoopback("127.0.0.1", listener.port(), "/");
		config.chat = config.page;
		config.slow = slow;
		config.probes = probes;
		config.probeGapMs = 0;
		config.probeTimeoutMs = 1000;
		return config;
	}

	void testSourceAddresses()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.2"), loopbackSourceAddress(0, 20));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.21"), loopbackSourceAddress(19, 20));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.2"), loopbackSourceAddress(20, 20));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.5"), loopbackSourceAddress(999, 4)); // 999 mod 4 = 3
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.251"), loopbackSourceAddress(249, 250));
		CPPUNIT_ASSERT_THROW(loopbackSourceAddress(0, 0), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(loopbackSourceAddress(0, 251), std::invalid_argument);
	}

	void testSlowHeadNeverEnds()
	{
		const std::string head = slowRequestHead("127.0.0.1:8080");
		CPPUNIT_ASSERT_EQUAL(std::string("GET / HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n"), head.substr(0, 38));
		// What follows it is a header value ('a' on and on): never a blank line.
		CPPUNIT_ASSERT(head.find("\r\n\r\n") == std::string::npos);
		CPPUNIT_ASSERT(head.back() == ' ');
	}

	void testNearestRank()
	{
		std::vector<double> hundred;
		for (int i = 100; i >= 1; --i) hundred.push_back(i); // unsorted
		CPPUNIT_ASSERT_EQUAL(99.0, *nearestRank(hundred, 99));
		CPPUNIT_ASSERT_EQUAL(50.0, *nearestRank(hundred, 50));
		CPPUNIT_ASSERT_EQUAL(100.0, *nearestRank(hundred, 100));
		CPPUNIT_ASSERT_EQUAL(1.0, *nearestRank(hundred, 0));
		// Ten tries: p99 is the slowest of them.
		const std::vector<double> ten = {5, 1, 9, 2, 3, 4, 6, 7, 8, 40};
		CPPUNIT_ASSERT_EQUAL(40.0, *nearestRank(ten, 99));
		CPPUNIT_ASSERT_EQUAL(5.0, *nearestRank(ten, 50));
		CPPUNIT_ASSERT(!nearestRank({}, 99));
	}

	void testHttpResponseProgress()
	{
		const std::string ok = "HTTP/1.1 200 OK\r\ncontent-LENGTH:  5 \r\nConnection: close\r\n\r\n";
		CPPUNIT_ASSERT_EQUAL(0, HttpResponseProgress::of("HTTP/1.1 200 OK\r\n", false).status);
		HttpResponseProgress partial = HttpResponseProgress::of(ok + "hel", false);
		CPPUNIT_ASSERT_EQUAL(200, partial.status);
		CPPUNIT_ASSERT(!partial.complete);
		HttpResponseProgress whole = HttpResponseProgress::of(ok + "hello" + "HTTP/1.1", false);
		CPPUNIT_ASSERT(whole.complete);
		CPPUNIT_ASSERT_EQUAL(ok.size() + 5, whole.length);
		// Without Content-Length: complete only at the end of the stream.
		const std::string open = "HTTP/1.0 404 Not Found\r\n\r\nno such page";
		CPPUNIT_ASSERT(!HttpResponseProgress::of(open, false).complete);
		HttpResponseProgress ended = HttpResponseProgress::of(open, true);
		CPPUNIT_ASSERT(ended.complete);
		CPPUNIT_ASSERT_EQUAL(404, ended.status);
		// No body whatever the headers say.
		CPPUNIT_ASSERT(HttpResponseProgress::of("HTTP/1.1 204 No Content\r\n\r\n", false).complete);
		CPPUNIT_ASSERT(HttpResponseProgress::of("HTTP/1.1 304 Not Modified\r\nContent-Length: 9\r\n\r\n", false).complete);
		CPPUNIT_ASSERT(HttpResponseProgress::of("SSH-2.0-OpenSSH", false).malformed);
		CPPUNIT_ASSERT(HttpResponseProgress::of("HTTP/1.1 2x0 OK\r\n\r\n", false).malformed);
		CPPUNIT_ASSERT(HttpResponseProgress::of("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", false).malformed);
		CPPUNIT_ASSERT(HttpResponseProgress::of("HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", false).malformed);
	}

	void testServerFrame()
	{
		CPPUNIT_ASSERT(!ServerFrame::first(std::string("\x81", 1)));
		const std::string small = std::string("\x81\x05", 2) + "hello";
		const std::optional<ServerFrame> frame = ServerFrame::first(small + "\x81");
		CPPUNIT_ASSERT(frame);
		CPPUNIT_ASSERT_EQUAL(1, frame->opcode);
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), frame->payload);
		CPPUNIT_ASSERT_EQUAL(small.size(), frame->length);
		CPPUNIT_ASSERT(!ServerFrame::first(small.substr(0, 6)));
		// 16-bit and 64-bit lengths.
		const std::string welcome(300, 'w');
		const std::string medium = std::string("\x81\x7e\x01\x2c", 4) + welcome;
		CPPUNIT_ASSERT_EQUAL(welcome, ServerFrame::first(medium)->payload);
		CPPUNIT_ASSERT(!ServerFrame::first(medium.substr(0, 3)));
		const std::string large = std::string("\x82\x7f\0\0\0\0\0\0\x01\x2c", 10) + welcome;
		CPPUNIT_ASSERT_EQUAL(2, ServerFrame::first(large)->opcode);
		CPPUNIT_ASSERT_EQUAL(welcome, ServerFrame::first(large)->payload);
		CPPUNIT_ASSERT_THROW(ServerFrame::first(std::string("\x81\x85\1\2\3\4hello", 11)), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(ServerFrame::first(std::string("\x81\x7f\0\0\0\0\x10\0\0\0", 10)), std::invalid_argument);
	}

	void testRefusalsByReason()
	{
		const std::string text =
			"# TYPE webchat_http_connections_refused_total counter\n"
			"webchat_http_connections_refused_total{listener=\"page\",reason=\"header_timeout\"} 640\n"
			"webchat_http_connections_refused_total{reason=\"max_pending_per_ip\",listener=\"page\"} 3795\n"
			"webchat_http_connections_refused_total{listener=\"chat\",reason=\"header_timeout\"} 2\n"
			"webchat_http_connections_refused_total{listener=\"page\"} 7\n"
			"webchat_http_pending_connections{listener=\"page\"} 320\n";
		const auto page = parsePrometheusBy(text, "page", "webchat_http_connections_refused_total", "reason");
		CPPUNIT_ASSERT_EQUAL(std::size_t{2}, page.size()); // the series without a reason is not one
		CPPUNIT_ASSERT_EQUAL(640.0, page.at("header_timeout"));
		CPPUNIT_ASSERT_EQUAL(3795.0, page.at("max_pending_per_ip"));
		CPPUNIT_ASSERT_EQUAL(2.0, parsePrometheusBy(text, "chat", "webchat_http_connections_refused_total", "reason").at("header_timeout"));
		CPPUNIT_ASSERT(parsePrometheusBy(text, "page", "webchat_http_pending_connections", "reason").empty());
		// The summed view is unchanged: every reason, and the unlabelled one.
		CPPUNIT_ASSERT_EQUAL(4442.0, parsePrometheus(text, "page").at("webchat_http_connections_refused_total"));
	}

	void testCommandLine()
	{
		const CommandLine line({"slowloris", "--page-port", "8080", "--chat-port=8000", "--slow", "40", "--follow-up",
			"--addresses", "4", "--interval-ms", "200", "--probes", "10", "--probe-gap-ms", "50", "--settle-ms", "300"});
		CPPUNIT_ASSERT_EQUAL(std::string("slowloris"), line.scenario());
		CPPUNIT_ASSERT(line.flag("follow-up"));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{40}, line.integer("slow", 1000, 1, 100000));
		CPPUNIT_ASSERT_THROW(CommandLine({"slowloris", "--follow-up=yes"}), UsageError); // a flag
		CPPUNIT_ASSERT_THROW(CommandLine({"slowloris", "--clients", "3"}), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "--slow", "3"}), UsageError);
		CPPUNIT_ASSERT(CommandLine::usage().find("slowloris") != std::string::npos);
	}

	void testTable()
	{
		const std::string figures = "\"page_probe_p99_ms\":4.5,\"join_probe_p99_ms\":6.38,\"slow_open_at_probes_mean\":318.5,"
									"\"slow_closed_at_once\":3795,\"server_refused_max_pending_per_ip\":3795";
		std::vector<RunRecord> runs = {RunRecord::fromJson(slowlorisRecord("shipped", figures)),
			RunRecord::fromJson(slowlorisRecord("per-ip-100", "\"page_probe_p99_ms\":148.46,\"join_probe_p99_ms\":3.7")),
			RunRecord::fromJson(slowlorisRecord("broken", "\"page_probe_p99_ms\":1", false))};
		const std::string table = ResultTables(std::move(runs)).markdown();
		CPPUNIT_ASSERT_MESSAGE(table, hasLine(table, "| figure | shipped | per-ip-100 | broken |"));
		CPPUNIT_ASSERT_MESSAGE(table, hasLine(table, "| result | PASS | PASS | FAIL |"));
		CPPUNIT_ASSERT_MESSAGE(table, hasLine(table, "| slow connections | 1000 | 1000 | 1000 |"));
		CPPUNIT_ASSERT_MESSAGE(table, hasLine(table, "| GET / p99 (ms) | 4.5 | 148.46 | 1 |"));
		CPPUNIT_ASSERT_MESSAGE(table, hasLine(table, "| server: refused, max_pending_per_ip | 3795 |  |  |"));
		CPPUNIT_ASSERT_MESSAGE(table, table.find("shipped: GET / 4.5 ms, join 6.38 ms: **met**;") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(table, table.find("per-ip-100: GET / 148.46 ms, join 3.7 ms: **missed** by 98.46 ms;") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(table, table.find("broken: not measured (a probe failed or the run did not PASS).") != std::string::npos);
		// Not mistaken for a relay / chat-room comparison; every run has its row.
		CPPUNIT_ASSERT_MESSAGE(table, table.find("| scenario | figure |") == std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(table, table.find("| shipped/slowloris |") != std::string::npos);
	}

	// Every slow connection closed right after its connect is counted as
	// closed at once (and opened again at its next tick); none as held.
	void testClosedAtOnceCounted()
	{
		ClosingListener listener;
		SlowlorisConfig config = against(listener, 4, 2);
		config.addresses = 2;
		config.intervalMs = 200;
		config.settleMs = 700;
		const SlowlorisResult result = runSlowloris(config);
		CPPUNIT_ASSERT_EQUAL(std::string(), result.error);
		// Opened over the first interval, then again at each tick after a close.
		CPPUNIT_ASSERT(result.connectsStarted >= 8);
		CPPUNIT_ASSERT(result.closedAtOnce >= 4);
		CPPUNIT_ASSERT(result.closedLaterAfterMs.empty());
		CPPUNIT_ASSERT(result.established >= result.closedAtOnce);
		CPPUNIT_ASSERT(listener.accepted() >= result.closedAtOnce);
		// The honest probes got nothing from such a server: failures, with why.
		CPPUNIT_ASSERT_EQUAL(std::size_t{2}, result.pageProbes.size());
		for (const ProbeResult& probe: result.pageProbes) CPPUNIT_ASSERT(!probe.error.empty());
		for (const ProbeResult& probe: result.joinProbes) CPPUNIT_ASSERT(!probe.error.empty());
	}

	// --slow 0: the probes alone.
	void testBaselineOpensNothing()
	{
		ClosingListener listener;
		SlowlorisConfig config = against(listener, 0, 3);
		config.settleMs = 0;
		const SlowlorisResult result = runSlowloris(config);
		CPPUNIT_ASSERT_EQUAL(std::string(), result.error);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{0}, result.connectsStarted);
		CPPUNIT_ASSERT_EQUAL(std::size_t{3}, result.pageProbes.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t{3}, result.joinProbes.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t{6}, listener.accepted()); // the probes' own connections only
		for (const std::size_t open: result.openAtProbe) CPPUNIT_ASSERT_EQUAL(std::size_t{0}, open);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(BenchSlowlorisTest);
