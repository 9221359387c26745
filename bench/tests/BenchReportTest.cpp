// webchat-bench's records and `webchat-bench report`: a report and a run's
// record read back from their JSON, redis-server's commandstats, the
// machine's load figures, and the Markdown tables bench/run.sh prints,
// rendered from fixed records.
#include "CommandLine.h"
#include "MachineLoad.h"
#include "RedisStats.h"
#include "Report.h"
#include "ResultTables.h"
#include "RunRecord.h"

#include "Poco/JSON/Object.h"
#include "Poco/JSON/ParseHandler.h"
#include "Poco/JSON/Parser.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

using namespace webchat::bench;

namespace {

// A record as webchat-bench writes it, of one report with these figures
// (JSON members, without braces).
std::string recordJson(const std::string& name, const std::string& scenario, const std::string& figures,
	const std::string& parameters = "", const std::string& redisCommandStats = "", bool pass = true)
{
	return "{\"tool\":\"webchat-bench\",\"name\":\"" + name + "\",\"scenario\":\"" + scenario + "\",\"pass\":" +
		(pass ? "true" : "false") + ",\"machine\":{\"load_average_at_start\":0.52,\"cpu_contention_percent\":3.4}," +
		"\"redis_commandstats\":{" + redisCommandStats + "},\"reports\":[{\"scenario\":\"" + name + "/" + scenario +
		"\",\"pass\":" + (pass ? "true" : "false") + ",\"parameters\":{" + parameters + "},\"figures\":{" + figures +
		"},\"units\":{},\"headline\":[\"deliveries_per_s\"],\"targets\":[],\"failures\":[" + (pass ? "" : "\"3 lost\"") +
		"],\"notes\":[]}]}";
}

RunRecord record(const std::string& name, const std::string& scenario, const std::string& figures,
	const std::string& parameters = "", const std::string& redisCommandStats = "")
{
	return RunRecord::fromJson(recordJson(name, scenario, figures, parameters, redisCommandStats));
}

bool hasLine(const std::string& text, const std::string& line)
{
	return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

} // namespace

class BenchReportTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(BenchReportTest);
	CPPUNIT_TEST(testReportRoundTrip);
	CPPUNIT_TEST(testRecordRoundTrip);
	CPPUNIT_TEST(testRecordRejects);
	CPPUNIT_TEST(testCommandStats);
	CPPUNIT_TEST(testRedisAddress);
	CPPUNIT_TEST(testMachineLoad);
	CPPUNIT_TEST(testReportCommandLine);
	CPPUNIT_TEST(testShortest);
	CPPUNIT_TEST(testRatio);
	CPPUNIT_TEST(testRelayAndChatroom);
	CPPUNIT_TEST(testRelayVerdicts);
	CPPUNIT_TEST(testRelayAndPeers);
	CPPUNIT_TEST(testTlsTable);
	CPPUNIT_TEST(testBackendsTable);
	CPPUNIT_TEST(testEveryRun);
	CPPUNIT_TEST(testNoComparison);
	CPPUNIT_TEST_SUITE_END();

public:
	void testReportRoundTrip()
	{
		Report report("chatroom-tls/throughput");
		report.parameter("clients", std::uint64_t{100});
		report.parameter("tls", "TLSv1.3 TLS_AES_256_GCM_SHA384");
		report.figure("deliveries_per_s", std::uint64_t{2098278});
		report.figure("latency_p50_ms", 22.020, 3);
		report.figure("server_cpu_percent", std::uint64_t{6}, "%");
		report.figure("server_cpu_ns_per_delivery", 27.7, 1, "ns");
		report.figure("kept_up", true);
		report.figure("server_rss_peak_kib", std::optional<double>(), 0);
		report.figure("non_reader_outcome", std::string("close frame 1008 | later"));
		report.headline({"deliveries_per_s", "server_cpu_percent", "server_cpu_ns_per_delivery", "kept_up"});
		report.target("deliveries_per_s", ">= 2000000", true);
		report.target("rss", "<= 2 KiB", std::nullopt);
		report.fail("3 lost");
		report.note("a note");

		Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
		const Poco::JSON::Object::Ptr object = parser.parse(report.json()).extract<Poco::JSON::Object::Ptr>();
		const Report back = Report::fromJson(*object);
		CPPUNIT_ASSERT_EQUAL(report.markdownRow(), back.markdownRow());
		CPPUNIT_ASSERT_EQUAL(std::string("| chatroom-tls/throughput | **FAIL** | deliveries_per_s: 2098278<br>server_cpu_percent: 6 %"
			"<br>server_cpu_ns_per_delivery: 27.7 ns<br>kept_up: yes<br>FAIL: 3 lost | deliveries_per_s >= 2000000: met<br>"
			"rss <= 2 KiB: not measured |"), back.markdownRow());
		CPPUNIT_ASSERT(!back.passed());
		// Values without units, numbers in their shortest form, parameters too.
		CPPUNIT_ASSERT_EQUAL(std::string("22.02"), back.value("latency_p50_ms").value_or("?"));
		CPPUNIT_ASSERT_EQUAL(std::string("6"), back.value("server_cpu_percent").value_or("?"));
		CPPUNIT_ASSERT_EQUAL(std::string("n/a"), back.value("server_rss_peak_kib").value_or("?"));
		CPPUNIT_ASSERT_EQUAL(std::string("yes"), back.value("kept_up").value_or("?"));
		CPPUNIT_ASSERT_EQUAL(std::string("TLSv1.3 TLS_AES_256_GCM_SHA384"), back.value("tls").value_or("?"));
		CPPUNIT_ASSERT_EQUAL(std::string("100"), back.value("clients").value_or("?"));
		CPPUNIT_ASSERT(!back.value("nothing"));
		// The figures keep their order (printText lists them as written).
		std::ostringstream reread;
		back.printText(reread);
		CPPUNIT_ASSERT(reread.str().find("deliveries_per_s") < reread.str().find("latency_p50_ms"));
		CPPUNIT_ASSERT(reread.str().find("server_cpu_ns_per_delivery  27.7 ns") != std::string::npos);
	}

	void testRecordRoundTrip()
	{
		RunRecord written;
		written.name = "chatroom-redis2";
		written.scenario = "throughput";
		written.loadAverageAtStart = 1.25;
		written.cpuContentionPercent = 12.34;
		written.redisCommandStats["evalsha"] = {20200, 17.84};
		Report report("chatroom-redis2/throughput");
		report.figure("deliveries_per_s", std::uint64_t{2350000});
		written.reports.push_back(report);
		CPPUNIT_ASSERT(written.passed());

		const RunRecord read = RunRecord::fromJson(written.json());
		CPPUNIT_ASSERT_EQUAL(written.name, read.name);
		CPPUNIT_ASSERT_EQUAL(written.scenario, read.scenario);
		CPPUNIT_ASSERT(read.passed());
		CPPUNIT_ASSERT(read.error.empty());
		CPPUNIT_ASSERT_DOUBLES_EQUAL(1.25, read.loadAverageAtStart.value_or(0), 1e-9);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(12.3, read.cpuContentionPercent.value_or(0), 1e-9); // one decimal
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{20200}, read.redisCommandStats.at("evalsha").calls);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(17.84, read.redisCommandStats.at("evalsha").microsecondsPerCall, 1e-9);
		CPPUNIT_ASSERT_EQUAL(std::string("2350000"), read.value("deliveries_per_s").value_or("?"));

		// A run that could not go ahead: its error, no reports, a FAIL.
		RunRecord failed;
		failed.name = "relay";
		failed.scenario = "idle";
		failed.error = "cannot connect";
		failed.exitStatus = 3;
		const RunRecord failedRead = RunRecord::fromJson(failed.json());
		CPPUNIT_ASSERT(!failedRead.passed());
		CPPUNIT_ASSERT_EQUAL(std::string("cannot connect"), failedRead.error);
		CPPUNIT_ASSERT_EQUAL(3, failedRead.exitStatus);
		CPPUNIT_ASSERT(!failedRead.loadAverageAtStart);
		CPPUNIT_ASSERT(failedRead.reports.empty());
	}

	void testRecordRejects()
	{
		CPPUNIT_ASSERT_THROW(RunRecord::fromJson("not json"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(RunRecord::fromJson("[1,2]"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(RunRecord::fromJson("{\"tool\":\"other\"}"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(RunRecord::fromJson("{\"tool\":\"webchat-bench\",\"scenario\":\"idle\",\"pass\":true,\"reports\":[]}"),
			std::invalid_argument); // no name
		// "pass" must agree with the reports.
		std::string lying = recordJson("relay", "throughput", "\"deliveries_per_s\":1");
		lying.replace(lying.find("\"pass\":true"), 11, "\"pass\":false");
		CPPUNIT_ASSERT_THROW(RunRecord::fromJson(lying), std::invalid_argument);
		// A report without its figures.
		std::string partial = recordJson("relay", "throughput", "\"deliveries_per_s\":1");
		partial.replace(partial.find("\"figures\""), 9, "\"figuresX\"");
		CPPUNIT_ASSERT_THROW(RunRecord::fromJson(partial), std::invalid_argument);
		CPPUNIT_ASSERT_NO_THROW(RunRecord::fromJson(recordJson("relay", "throughput", "\"deliveries_per_s\":1")));
	}

	void testCommandStats()
	{
		const std::string info = "# Commandstats\r\n"
			"cmdstat_evalsha:calls=20200,usec=360368,usec_per_call=17.84,rejected_calls=0,failed_calls=0\r\n"
			"cmdstat_xread:calls=412,usec=9000,usec_per_call=21.84\r\n"
			"cmdstat_broken:calls=x,usec_per_call=1.0\r\n"
			"cmdstat_nocalls:usec_per_call=1.0\r\n"
			"used_memory:123\r\n";
		const std::map<std::string, CommandStat> stats = parseCommandStats(info);
		CPPUNIT_ASSERT_EQUAL(std::size_t{2}, stats.size());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{20200}, stats.at("evalsha").calls);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(17.84, stats.at("evalsha").microsecondsPerCall, 1e-9);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{412}, stats.at("xread").calls);
		CPPUNIT_ASSERT(parseCommandStats("").empty());
		// A Redis Cluster's masters: calls summed, time per call over all calls.
		std::map<std::string, CommandStat> total;
		addCommandStats(total, {{"evalsha", {100, 20.0}}, {"xread", {10, 5.0}}});
		addCommandStats(total, {{"evalsha", {300, 40.0}}, {"ping", {1, 1.0}}});
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{400}, total["evalsha"].calls);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(35.0, total["evalsha"].microsecondsPerCall, 1e-9);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{10}, total["xread"].calls);
		CPPUNIT_ASSERT_DOUBLES_EQUAL(5.0, total["xread"].microsecondsPerCall, 1e-9);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{1}, total["ping"].calls);
	}

	void testRedisAddress()
	{
		CPPUNIT_ASSERT_NO_THROW(RedisStatsSource("127.0.0.1:16379"));
		CPPUNIT_ASSERT_NO_THROW(RedisStatsSource("[::1]:6379"));
		CPPUNIT_ASSERT_THROW(RedisStatsSource("127.0.0.1"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(RedisStatsSource("127.0.0.1:0"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(RedisStatsSource("127.0.0.1:70000"), std::invalid_argument);
		CPPUNIT_ASSERT_THROW(RedisStatsSource("192.0.2.1:6379"), std::invalid_argument); // not loopback
		// Nothing listens on port 1: an error, not a hang.
		CPPUNIT_ASSERT_THROW(RedisStatsSource("127.0.0.1:1").commandStats(), std::runtime_error);
	}

	void testMachineLoad()
	{
		CPPUNIT_ASSERT_DOUBLES_EQUAL(0.52, parseLoadAverage("0.52 0.58 0.59 1/123 4567\n").value_or(-1), 1e-9);
		CPPUNIT_ASSERT(!parseLoadAverage(""));
		CPPUNIT_ASSERT(!parseLoadAverage("x 1 2"));
		const std::string pressure = "some avg10=1.00 avg60=0.50 avg300=0.10 total=123456\n"
			"full avg10=0.00 avg60=0.00 avg300=0.00 total=99\n";
		CPPUNIT_ASSERT_EQUAL(std::uint64_t{123456}, parseCpuPressureTotalUs(pressure).value_or(0));
		CPPUNIT_ASSERT(!parseCpuPressureTotalUs("full avg10=0.00 total=99\n"));
		CPPUNIT_ASSERT(!parseCpuPressureTotalUs("some avg10=0.00\n"));
		CPPUNIT_ASSERT(!parseCpuPressureTotalUs(""));
		// 250 ms stalled over 1 s.
		CPPUNIT_ASSERT_DOUBLES_EQUAL(25.0, CpuContention::percent(250000, 1000000000).value_or(-1), 1e-9);
		CPPUNIT_ASSERT(!CpuContention::percent(1, 0));
	}

	void testReportCommandLine()
	{
		const CommandLine report({"report", "--markdown", "a.json", "b.json"});
		CPPUNIT_ASSERT_EQUAL(std::string("report"), report.scenario());
		CPPUNIT_ASSERT_EQUAL(std::size_t{2}, report.files().size());
		CPPUNIT_ASSERT_EQUAL(std::string("b.json"), report.files()[1]);
		CPPUNIT_ASSERT_THROW(CommandLine({"report", "--markdown"}), UsageError); // no records
		CPPUNIT_ASSERT_THROW(CommandLine({"report", "--port", "8000", "a.json"}), UsageError); // no load options
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "a.json"}), UsageError); // files only for report
		// --json takes a file (or -), --name a setup.
		const CommandLine run({"throughput", "--json", "-", "--name", "relay-tls", "--redis-address", "127.0.0.1:6379"});
		CPPUNIT_ASSERT_EQUAL(std::string("-"), run.text("json", ""));
		CPPUNIT_ASSERT_EQUAL(std::string("relay-tls"), run.text("name", ""));
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "--json"}), UsageError);
		CPPUNIT_ASSERT_THROW(CommandLine({"throughput", "--json-out", "x"}), UsageError);
	}

	void testShortest()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("22.02"), shortest(22.020));
		CPPUNIT_ASSERT_EQUAL(std::string("81"), shortest(81.0));
		CPPUNIT_ASSERT_EQUAL(std::string("0.5"), shortest(0.5));
		CPPUNIT_ASSERT_EQUAL(std::string("2098278"), shortest(2098278));
		CPPUNIT_ASSERT_EQUAL(std::string("0"), shortest(-0.0));
	}

	void testRatio()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("42 %"), ResultTables::ratio("875314", "2098278"));
		CPPUNIT_ASSERT_EQUAL(std::string("308 %"), ResultTables::ratio("85.2", "27.7"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), ResultTables::ratio("1", "0"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), ResultTables::ratio("yes", "1"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), ResultTables::ratio("1", ""));
		CPPUNIT_ASSERT_EQUAL(std::string(""), ResultTables::ratio("n/a", "5"));
		CPPUNIT_ASSERT_EQUAL(std::string("2.4x"), ResultTables::factor("236.6", "99.4"));
		CPPUNIT_ASSERT_EQUAL(std::string("310x"), ResultTables::factor("14051.5", "45.3"));
		CPPUNIT_ASSERT_EQUAL(std::string("0.5x"), ResultTables::factor("1", "2"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), ResultTables::factor("1", "0"));
		CPPUNIT_ASSERT_EQUAL(std::string(""), ResultTables::factor("n/a", "5"));
	}

	void testRelayAndChatroom()
	{
		const std::string counters = ",\"server_messages_in\":20000,\"agree_messages_in\":\"yes (server 20000, bench 20000)\"";
		const ResultTables tables({
			record("relay", "throughput", "\"deliveries_per_s\":2098278,\"latency_p50_ms\":22.020,\"server_cpu_ns_per_delivery\":27.7" + counters),
			record("chatroom", "throughput", "\"deliveries_per_s\":875314,\"latency_p50_ms\":23.593,\"server_cpu_ns_per_delivery\":85.2" + counters),
			record("relay", "slow-consumer", "\"non_reader_outcome\":\"close frame 1008, connection closed 12 ms later\""),
			record("chatroom", "slow-consumer", "\"non_reader_outcome\":\"close frame 1008, connection closed 6 ms later\""),
		});
		const std::string table = tables.comparison();
		CPPUNIT_ASSERT(hasLine(table, "| scenario | figure | relay | chat room | chat room / relay |"));
		CPPUNIT_ASSERT(hasLine(table, "| --- | --- | --- | --- | --- |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | result | PASS | PASS |  |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | CPU contention | 3 % | 3 % |  |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | deliveries/s | 2098278 | 875314 | 42 % |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | latency p50 (ms) | 22.02 | 23.593 | 107 % |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | server CPU per delivery (ns) | 27.7 | 85.2 | 308 % |"));
		// A figure neither run reports: empty cells, no share.
		CPPUNIT_ASSERT(hasLine(table, "| throughput | bench CPU (%) |  |  |  |"));
		// The server's counters: every line, never a share.
		CPPUNIT_ASSERT(hasLine(table, "| throughput | server: messages in | 20000 | 20000 |  |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | agree: messages | yes (server 20000, bench 20000) | yes (server 20000, bench 20000) |  |"));
		CPPUNIT_ASSERT(hasLine(table, "| slow-consumer | non-reader | close frame 1008, connection closed 12 ms later | "
			"close frame 1008, connection closed 6 ms later |  |"));
		// Scenarios in the order they ran.
		CPPUNIT_ASSERT(table.find("| throughput | result") < table.find("| slow-consumer | result"));
		CPPUNIT_ASSERT(hasLine(table, "Chat room vs relay throughput: 42 % of the relay's deliveries/s: **less than half** "
			"(the aim is at least half; profile the chat-room server, see bench/README.md)."));
		CPPUNIT_ASSERT(hasLine(table, "Server CPU per delivery: relay 27.7 ns, chat room 85.2 ns: on its one core the chat "
			"room could deliver about 33 % of what the relay could (an estimate; the side further from saturation batches "
			"less, so its cost per delivery reads high)."));
		CPPUNIT_ASSERT(tables.contention().find("relay-throughput: 3 %; chatroom-throughput: 3 %; relay-slow-consumer: 3 %") !=
			std::string::npos);
	}

	void testRelayVerdicts()
	{
		// At least half, and the benchmark's core the limit.
		const ResultTables half({record("relay", "throughput", "\"deliveries_per_s\":1000,\"bench_cpu_percent\":96"),
			record("chatroom", "throughput", "\"deliveries_per_s\":500,\"bench_cpu_percent\":89")});
		const std::string verdict = half.comparison();
		CPPUNIT_ASSERT(hasLine(verdict, "Chat room vs relay throughput: 50 % of the relay's deliveries/s: **at least half** (the aim met)."));
		CPPUNIT_ASSERT(hasLine(verdict, "The benchmark's own core was 96 % busy in the relay throughput run: there the "
			"benchmark, not the server, limited deliveries/s."));
		CPPUNIT_ASSERT(verdict.find("in the chatroom throughput run") == std::string::npos);
		CPPUNIT_ASSERT(verdict.find("Server CPU per delivery") == std::string::npos);
		// A failed run: not measured.
		const ResultTables failed({record("relay", "throughput", "\"deliveries_per_s\":1000"),
			RunRecord::fromJson(recordJson("chatroom", "throughput", "\"deliveries_per_s\":900", "", "", false))});
		CPPUNIT_ASSERT(hasLine(failed.comparison(), "| throughput | result | PASS | FAIL |  |"));
		CPPUNIT_ASSERT(hasLine(failed.comparison(), "Chat room vs relay throughput: not measured (both throughput runs must PASS)."));
		// Without a throughput run: the table, no verdict.
		const ResultTables idle({record("relay", "idle", "\"handshakes_per_s\":16300"), record("chatroom", "idle", "\"handshakes_per_s\":8150")});
		CPPUNIT_ASSERT(hasLine(idle.comparison(), "| idle | handshakes/s | 16300 | 8150 | 50 % |"));
		CPPUNIT_ASSERT(idle.comparison().find("Chat room vs relay") == std::string::npos);
	}

	void testTlsTable()
	{
		const std::string tls = "\"tls\":\"TLSv1.3 TLS_AES_256_GCM_SHA384\"";
		const ResultTables tables({
			record("relay", "throughput", "\"deliveries_per_s\":2000,\"server_cpu_ns_per_delivery\":25.0,\"bench_cpu_ns_per_delivery\":45.5,"
				"\"bench_cpu_percent\":97,\"agree_messages_in\":\"yes (server 1, bench 1)\",\"server_messages_in\":1"),
			record("relay-tls", "throughput", "\"deliveries_per_s\":1240,\"server_cpu_ns_per_delivery\":65.0,\"bench_cpu_ns_per_delivery\":75.5,"
				"\"bench_cpu_percent\":99,\"agree_messages_in\":\"yes (server 1, bench 1)\"", tls),
			record("chatroom-tls", "throughput", "\"deliveries_per_s\":500", tls),
			record("relay", "latency", "\"kept_up\":true"),
			record("relay-tls", "latency", "\"kept_up\":false", tls),
		});
		const std::string table = tables.comparison();
		// A share column after a TLS setup whose plaintext twin ran; none
		// after chatroom-tls (no plaintext chat room here).
		CPPUNIT_ASSERT(hasLine(table, "| scenario | figure | relay | relay over TLS | TLS / plaintext | chat room over TLS |"));
		CPPUNIT_ASSERT(hasLine(table, "| --- | --- | --- | --- | --- | --- |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | result | PASS | PASS |  | PASS |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | CPU contention / load average at start | 3 % / 0.52 | 3 % / 0.52 |  | 3 % / 0.52 |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | TLS |  | TLSv1.3 TLS_AES_256_GCM_SHA384 |  | TLSv1.3 TLS_AES_256_GCM_SHA384 |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | deliveries/s | 2000 | 1240 | 62 % | 500 |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | server CPU per delivery (ns) | 25 | 65 | 260 % |  |"));
		// Agreement lines without a share, the bare counters left out.
		CPPUNIT_ASSERT(hasLine(table, "| throughput | agree: messages | yes (server 1, bench 1) | yes (server 1, bench 1) |  |  |"));
		CPPUNIT_ASSERT(table.find("server: messages in") == std::string::npos);
		CPPUNIT_ASSERT(hasLine(table, "| latency | kept up | yes | no |  |  |"));
		CPPUNIT_ASSERT(hasLine(table, "relay throughput, server CPU per delivery: 25 ns in plaintext, 65 ns over TLS (+40.0 ns, 260 %)."));
		CPPUNIT_ASSERT(hasLine(table, "relay throughput, bench CPU per delivery: 45.5 ns in plaintext, 75.5 ns over TLS (+30.0 ns, 166 %)."));
		CPPUNIT_ASSERT(hasLine(table, "The benchmark's own core was 97 % busy in the relay throughput run: there the benchmark, "
			"not the server, limited deliveries/s."));
		CPPUNIT_ASSERT(hasLine(table, "The benchmark's own core was 99 % busy in the relay over TLS throughput run: there the "
			"benchmark, not the server, limited deliveries/s."));
		CPPUNIT_ASSERT(table.find("chat room throughput, server CPU") == std::string::npos); // no plaintext twin
	}

	void testBackendsTable()
	{
		const std::string redisStats = "\"evalsha\":{\"calls\":20200,\"usec_per_call\":17.84},\"xread\":{\"calls\":400,\"usec_per_call\":3.5}";
		const ResultTables tables({
			record("chatroom", "throughput", "\"deliveries_per_s\":4800000,\"server_cpu_percent\":60,\"server_messages_in\":20000,"
				"\"agree_messages_in\":\"yes (server 20000, bench 20000)\""),
			record("chatroom-redis", "throughput", "\"deliveries_per_s\":2350000,\"server_cpu_percent\":70,\"redis_cpu_percent\":29.5,"
				"\"redis_cpu_us_per_message\":20.8", "", redisStats),
			record("chatroom-redis2", "throughput", "\"deliveries_per_s\":2130000,\"server_cpu_percent\":71,\"redis_cpu_percent\":28", "",
				"\"evalsha\":{\"calls\":20100,\"usec_per_call\":16}"),
		});
		const std::string table = tables.comparison();
		CPPUNIT_ASSERT(hasLine(table, "| scenario | figure | chat room, SQLite | chat room, Redis, 1 webchatd | chat room, Redis, 2 webchatd |"));
		CPPUNIT_ASSERT(hasLine(table, "| --- | --- | --- | --- | --- |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | result | PASS | PASS | PASS |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | CPU contention / load average at start | 3 % / 0.52 | 3 % / 0.52 | 3 % / 0.52 |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | deliveries/s | 4800000 | 2350000 | 2130000 |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | redis-server CPU per message (us) |  | 20.8 |  |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | agree: messages | yes (server 20000, bench 20000) |  |  |"));
		CPPUNIT_ASSERT(table.find("server: messages in") == std::string::npos);
		CPPUNIT_ASSERT(hasLine(table, "| throughput | webchatd + redis-server CPU (%) |  | 99.5 | 99 |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | redis-server EVALSHA (calls x time per call) |  | 20200 x 17.84 us | 20100 x 16 us |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | redis-server XREAD (calls x time per call) |  | 400 x 3.5 us |  |"));
		CPPUNIT_ASSERT(table.find("Chat room vs relay") == std::string::npos);
	}

	void testEveryRun()
	{
		RunRecord failed;
		failed.name = "relay-tls";
		failed.scenario = "idle";
		failed.error = "cannot load --tls-ca | x";
		failed.exitStatus = 3;
		RunRecord missing;
		missing.name = "chatroom-idle";
		missing.error = "no record: cannot read /r/chatroom-idle.json";
		const ResultTables tables({record("relay", "throughput", "\"deliveries_per_s\":2098278"), failed, missing});
		const std::string rows = tables.everyRun();
		CPPUNIT_ASSERT(hasLine(rows, "Every run:"));
		CPPUNIT_ASSERT(hasLine(rows, Report::markdownHeader()));
		CPPUNIT_ASSERT(hasLine(rows, "| relay/throughput | PASS | deliveries_per_s: 2098278 |  |"));
		CPPUNIT_ASSERT(hasLine(rows, "| relay-tls/idle | **FAIL** (exit 3) | cannot load --tls-ca / x |  |"));
		CPPUNIT_ASSERT(hasLine(rows, "| chatroom-idle | **FAIL** | no record: cannot read /r/chatroom-idle.json |  |"));
		// The whole document: contention, then the rows (no comparison for
		// these names).
		const std::string all = tables.markdown();
		CPPUNIT_ASSERT(all.find("relay-throughput: 3 %; relay-tls-idle: n/a; chatroom-idle: n/a.") != std::string::npos);
		CPPUNIT_ASSERT(all.find("CPU contention") < all.find("Every run:"));
	}

	void testRelayAndPeers()
	{
		// Two other servers run by bench/run.sh's PEER, beside the relay and
		// the chat room: each a column with its share of the relay.
		const ResultTables tables({
			record("relay", "throughput", "\"deliveries_per_s\":13000000,\"server_cpu_ns_per_delivery\":60,\"bench_cpu_percent\":97"),
			record("chatroom", "throughput", "\"deliveries_per_s\":5000000,\"server_cpu_ns_per_delivery\":90"),
			record("peer-uws", "throughput", "\"deliveries_per_s\":2600000,\"server_cpu_ns_per_delivery\":300"),
			record("peer-ws", "throughput", "\"deliveries_per_s\":130000"),
			record("relay", "idle", "\"server_cpu_us_per_handshake\":20"),
			record("peer-uws", "idle", "\"server_cpu_us_per_handshake\":50"),
		});
		const std::string table = tables.comparison();
		CPPUNIT_ASSERT(hasLine(table, "| scenario | figure | relay | chat room | chat room / relay | uws | uws / relay | ws | ws / relay |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | deliveries/s | 13000000 | 5000000 | 38 % | 2600000 | 20 % | 130000 | 1 % |"));
		CPPUNIT_ASSERT(hasLine(table, "| throughput | result | PASS | PASS |  | PASS |  | PASS |  |"));
		CPPUNIT_ASSERT(hasLine(table, "| idle | server CPU per handshake (us) | 20 |  |  | 50 | 250 % |  |  |"));
		CPPUNIT_ASSERT(hasLine(table, "| idle | result | PASS | FAIL |  | PASS |  | FAIL |  |"));
		CPPUNIT_ASSERT(hasLine(table, "Relay vs uws throughput: the relay delivered 5.0x uws's deliveries/s."));
		CPPUNIT_ASSERT(hasLine(table, "Server CPU per delivery: relay 60 ns, uws 300 ns (uws spends 5.0x the relay's)."));
		CPPUNIT_ASSERT(hasLine(table, "Server CPU per handshake: relay 20 us, uws 50 us (uws spends 2.5x the relay's)."));
		CPPUNIT_ASSERT(hasLine(table, "Relay vs ws throughput: the relay delivered 100x ws's deliveries/s."));
		// ws reported no CPU: no line claims one.
		CPPUNIT_ASSERT(table.find("relay 60 ns, ws") == std::string::npos);
		// The chat room's verdict is still there.
		CPPUNIT_ASSERT(table.find("Chat room vs relay throughput: 38 %") != std::string::npos);

		// The relay and a peer alone compare too; a peer without the relay
		// does not.
		const ResultTables alone({record("relay", "throughput", "\"deliveries_per_s\":2"), record("peer-ws", "throughput", "\"deliveries_per_s\":1")});
		CPPUNIT_ASSERT(hasLine(alone.comparison(), "| scenario | figure | relay | ws | ws / relay |"));
		CPPUNIT_ASSERT(alone.comparison().find("Chat room") == std::string::npos);
		CPPUNIT_ASSERT(ResultTables({record("peer-ws", "throughput", "\"deliveries_per_s\":1")}).comparison().empty());
	}

	void testNoComparison()
	{
		const ResultTables relayOnly({record("relay", "throughput", "\"deliveries_per_s\":1")});
		CPPUNIT_ASSERT(relayOnly.comparison().empty());
		CPPUNIT_ASSERT(relayOnly.markdown().find("| scenario | figure |") == std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(BenchReportTest);
