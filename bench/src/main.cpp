//
// webchat-bench: load generator and checker for webchatd's relay and
// chat-room plugins.
// See CommandLine.cpp (or --help) for the scenarios and options.
//

#include "ChatroomClients.h"
#include "CommandLine.h"
#include "Endpoint.h"
#include "LoadLoop.h"
#include "MachineLoad.h"
#include "Payload.h"
#include "ProcessStats.h"
#include "RedisStats.h"
#include "Report.h"
#include "ResultTables.h"
#include "RunRecord.h"
#include "Scenarios.h"
#include "ServerMetrics.h"
#include "SlowlorisRun.h"
#include "TlsClient.h"

#include <algorithm>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <sched.h>
#include <sys/resource.h>
#include <unistd.h>

using namespace webchat::bench;

namespace {

enum ExitCode { AllPassed = 0, SomeFailed = 1, BadUsage = 2, CannotRun = 3 };

// Thousands of sockets need thousands of descriptors: take all we may.
rlim_t raiseFileLimit()
{
	rlimit limit{};
	if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return 0;
	if (limit.rlim_cur < limit.rlim_max)
	{
		limit.rlim_cur = limit.rlim_max;
		::setrlimit(RLIMIT_NOFILE, &limit);
		::getrlimit(RLIMIT_NOFILE, &limit);
	}
	return limit.rlim_cur;
}

void pinToCpu(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (::sched_setaffinity(0, sizeof set, &set) != 0)
		throw std::runtime_error("cannot pin to CPU " + std::to_string(cpu) + ": " + std::strerror(errno));
}

double defaultTimeout(const std::string& scenario, double duration)
{
	if (scenario == "idle") return 60;
	if (scenario == "throughput") return 120;
	if (scenario == "latency") return duration + 60;
	if (scenario == "slow-consumer") return 180;
	return 120; // smoke
}

// --protocol chatroom: the room's options; nothing for the relay.
std::optional<ChatroomOptions> chatroomOptions(const CommandLine& line)
{
	const std::string protocol = line.text("protocol", "relay");
	if (protocol == "relay")
	{
		if (line.has("room")) throw UsageError("--room needs --protocol chatroom");
		if (line.has("room-shards")) throw UsageError("--room-shards needs --protocol chatroom");
		return std::nullopt;
	}
	if (protocol != "chatroom") throw UsageError("--protocol must be relay or chatroom, not '" + protocol + "'");
	// Each client's request target is /<room>?nick=...: a path would be ignored.
	if (line.has("path")) throw UsageError("--path is for the relay; the chat room's path is /<room> (--room)");
	if (line.flag("binary")) throw UsageError("--binary: the chat room speaks text frames only");
	ChatroomOptions options;
	options.rooms = line.list("room", options.rooms);
	if (options.rooms.empty() || options.rooms.size() > 10000) throw UsageError("--room takes 1 to 10000 rooms");
	for (const std::string& room: options.rooms)
	{
		if (room.empty()) throw UsageError("--room must not be empty (nor any of its comma-separated rooms)");
		if (std::count(options.rooms.begin(), options.rooms.end(), room) > 1) throw UsageError("--room names " + room + " twice");
	}
	if (line.has("room-shards"))
	{
		const std::size_t redisProcesses = line.integers("redis-pid", 0, 4194304).size();
		for (const std::uint64_t shard: line.integers("room-shards", 1, 1000)) options.roomShards.push_back(shard - 1);
		if (options.roomShards.size() != options.rooms.size())
			throw UsageError("--room-shards needs one shard per room of --room");
		if (redisProcesses < 2) throw UsageError("--room-shards needs several --redis-pid (one per shard)");
		for (const std::size_t shard: options.roomShards)
			if (shard >= redisProcesses) throw UsageError("--room-shards names shard " + std::to_string(shard + 1) + ", --redis-pid has " + std::to_string(redisProcesses));
	}
	return options;
}

TrafficConfig trafficConfig(const CommandLine& line, std::size_t concurrency, const std::string& scenario)
{
	const bool paced = scenario == "latency";
	const bool slowConsumer = scenario == "slow-consumer";
	TrafficConfig config;
	config.concurrency = concurrency;
	config.clients = line.integer("clients", paced ? 5000 : 100, 1, 1000000);
	config.senders = line.integer("senders", paced ? 5 : 10, 1, 100000);
	if (config.senders > config.clients) throw UsageError("--senders must not exceed --clients");
	// The slow consumer needs more bytes than the server's queue limit plus
	// the kernel's socket buffers (up to 4 MiB each way on loopback) to show
	// anything: 10 x 2000 x 512 B is about 10 MB.
	config.size = line.integer("size", slowConsumer ? 512 : 64, MinPayloadSize, 1024 * 1024);
	config.binary = line.flag("binary");
	config.chatroom = chatroomOptions(line);
	if (paced)
	{
		config.rate = line.number("rate", 200, 0.1, 10000000);
		config.duration = line.number("duration", 10, 0.1, 3600);
		if (config.rate * config.duration / static_cast<double>(config.senders) > 4e9)
			throw UsageError("--rate x --duration is too many messages per sender");
	}
	else
	{
		config.messages = static_cast<std::uint32_t>(line.integer("messages", 2000, 1, 100000000));
		config.window = line.integer("window", 0, 0, 1000000);
	}
	config.nonReaderReceiveBuffer = static_cast<int>(line.integer("rcvbuf", 4096, 1024, 64 * 1024 * 1024));
	return config;
}

// --name, or else the protocol, as given.
std::string givenName(const CommandLine& line)
{
	return line.text("name", line.text("protocol", "relay"));
}

// givenName(), checked.
std::string runName(const CommandLine& line)
{
	const std::string name = givenName(line);
	const bool valid = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
		return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
	});
	if (!valid) throw UsageError("--name takes letters, digits, '.', '_' and '-', not '" + name + "'");
	return name;
}

void writeRecord(const std::string& path, const RunRecord& record)
{
	std::ofstream out(path);
	out << record.json() << "\n";
	if (!out) std::cerr << "webchat-bench: cannot write " << path << std::endl;
}

// A run that cannot go ahead still leaves a record (--json FILE), so that
// its table says why.
void writeFailedRecord(const std::optional<CommandLine>& line, const std::string& error, int exitStatus)
{
	if (!line || line->scenario() == "report") return;
	const std::string path = line->text("json", "");
	if (path.empty() || path == "-") return;
	RunRecord record;
	record.name = givenName(*line);
	record.scenario = line->scenario();
	record.error = error;
	record.exitStatus = exitStatus;
	writeRecord(path, record);
}

// A file's record; one that cannot be read or parsed is a run that left
// nothing usable, named after the file ("relay-throughput.json").
RunRecord readRecord(const std::string& path)
{
	std::ifstream in(path);
	std::ostringstream text;
	if (in) text << in.rdbuf();
	if (!in)
	{
		RunRecord missing;
		missing.name = std::filesystem::path(path).stem().string();
		missing.error = "no record: cannot read " + path;
		return missing;
	}
	try
	{
		return RunRecord::fromJson(text.str());
	}
	catch (const std::invalid_argument& error)
	{
		RunRecord unreadable;
		unreadable.name = std::filesystem::path(path).stem().string();
		unreadable.error = path + ": " + error.what();
		return unreadable;
	}
}

int report(const CommandLine& line)
{
	std::vector<RunRecord> records;
	for (const std::string& file: line.files()) records.push_back(readRecord(file));
	bool passed = true;
	for (const RunRecord& record: records) passed = passed && record.passed();
	std::cout << ResultTables(std::move(records)).markdown() << std::flush;
	return passed ? AllPassed : SomeFailed;
}

// Writes the record (--json FILE), prints the reports (text, --markdown
// or --json -) and gives the exit status.
int finish(const CommandLine& line, const RunRecord& record)
{
	const std::string json = line.text("json", "");
	const bool passed = record.passed();
	if (!json.empty() && json != "-") writeRecord(json, record);
	if (line.flag("markdown"))
	{
		for (const Report& report: record.reports) std::cout << report.markdownRow() << "\n";
		std::cout.flush();
	}
	else if (json == "-")
		std::cout << record.json() << std::endl;
	else
	{
		for (const Report& report: record.reports)
		{
			report.printText(std::cout);
			std::cout << "\n";
		}
		std::cout << "webchat-bench " << record.scenario << ": " << (passed ? "PASS" : "FAIL") << std::endl;
	}
	return passed ? AllPassed : SomeFailed;
}

int run(const CommandLine& line)
{
	const std::string scenario = line.scenario();
	// One server (--port), or several sharing rooms (--ports): clients round-robin.
	std::vector<Endpoint> endpoints;
	for (const std::uint16_t port: line.ports())
		endpoints.push_back(resolveLoopback(line.text("host", "127.0.0.1"), port, line.text("path", "/")));
	const std::size_t concurrency = line.integer("concurrency", 256, 1, 100000);
	std::vector<pid_t> serverPids;
	for (const std::uint64_t pid: line.integers("server-pid", 0, 4194304))
		if (pid) serverPids.push_back(static_cast<pid_t>(pid));
	std::vector<pid_t> redisPids;
	for (const std::uint64_t pid: line.integers("redis-pid", 0, 4194304))
		if (pid) redisPids.push_back(static_cast<pid_t>(pid));
	const std::string json = line.text("json", "");
	if (json == "-" && line.flag("markdown")) throw UsageError("--json - and --markdown exclude each other");
	const std::optional<ChatroomOptions> chatroom = chatroomOptions(line);
	// Reports name the setup (--name), or else say when it is the chat room.
	const std::string name = runName(line);
	const std::string prefix = line.has("name") ? name + "/" : chatroom ? "chatroom/" : "";
	// --tls: one client context for every connection (a bad --tls-ca stops
	// here, before any socket exists).
	std::shared_ptr<TlsClientContext> tls;
	if (const std::optional<TlsClientOptions> tlsOptions = tlsClientOptions(line))
		tls = std::make_shared<TlsClientContext>(*tlsOptions);
	const std::string scheme = tls ? "wss://" : "ws://";
	std::string display;
	for (Endpoint& endpoint: endpoints)
	{
		endpoint.tls = tls;
		endpoint.deflate = line.flag("deflate");
		endpoint.display = scheme + endpoint.hostHeader + endpoint.path;
		if (chatroom)
		{
			std::string rooms;
			for (const std::string& room: chatroom->rooms) rooms += (rooms.empty() ? "" : ",") + ChatroomClients::percentEncode(room);
			endpoint.display = scheme + endpoint.hostHeader + "/" + (chatroom->rooms.size() == 1 ? rooms : "{" + rooms + "}") +
				"?nick=b<index>-<pid>-<run>";
		}
		display += (display.empty() ? "" : " ") + endpoint.display;
	}
	for (const pid_t pid: serverPids)
	{
		if (!ProcessStats(pid).residentKiB())
			throw UsageError("cannot read /proc/" + std::to_string(pid) + "/status (--server-pid)");
	}
	for (const pid_t pid: redisPids)
	{
		if (!ProcessStats(pid).residentKiB())
			throw UsageError("cannot read /proc/" + std::to_string(pid) + "/status (--redis-pid)");
	}

	std::vector<RedisStatsSource> redisStats;
	for (const std::string& address: line.list("redis-address", {})) redisStats.emplace_back(address);

	std::vector<MetricsSource> metrics;
	for (const std::string& url: line.list("metrics-url", {}))
		metrics.emplace_back(url, line.text("metrics-listener", "chat"));
	if (metrics.empty() && line.has("metrics-listener")) throw UsageError("--metrics-listener needs --metrics-url");

	const double duration = line.number("duration", 10, 0.1, 3600);
	const double timeout = line.number("timeout", defaultTimeout(scenario, duration), 1, 86400);

	// Parse everything before touching the network: a usage error costs nothing.
	IdleConfig idle;
	TrafficConfig traffic;
	if (scenario == "idle")
	{
		idle.connections = line.integer("connections", 10000, 1, 1000000);
		idle.holdNs = secondsToNs(line.number("hold", 1, 0, 3600));
		idle.concurrency = concurrency;
		if (line.has("addresses")) idle.addresses = static_cast<std::size_t>(line.integer("addresses", 1, 1, 250));
		idle.pingCheck = line.flag("ping-check");
		idle.chatroom = chatroom;
	}
	else if (scenario != "smoke")
		traffic = trafficConfig(line, concurrency, scenario);

	if (line.has("cpu")) pinToCpu(static_cast<int>(line.integer("cpu", 0, 0, CPU_SETSIZE - 1)));
	const rlim_t files = raiseFileLimit();
	const std::size_t sockets = scenario == "idle" ? idle.connections : traffic.clients + 1;
	if (files != RLIM_INFINITY && sockets + 32 > files)
		throw UsageError("need " + std::to_string(sockets + 32) + " file descriptors, the hard limit is " + std::to_string(files));

	// The last resort behind every bounded loop: the tool stops by itself.
	::alarm(static_cast<unsigned>(timeout) + 30);

	RunRecord record;
	record.name = name;
	record.scenario = scenario;
	record.loadAverageAtStart = loadAverageNow();
	const CpuContention contention;

	LoadLoop loop;
	RunContext context{loop, std::move(endpoints), ProcessStats(serverPids), nowNs() + secondsToNs(timeout),
		std::move(metrics), ProcessStats(redisPids), display, tls};
	std::vector<Report> reports;
	if (scenario == "idle")
		reports.push_back(idleScenario(context, idle, prefix + scenario));
	else if (scenario == "throughput")
		reports.push_back(throughputScenario(context, traffic, prefix + scenario));
	else if (scenario == "latency")
		reports.push_back(latencyScenario(context, traffic, prefix + scenario));
	else if (scenario == "slow-consumer")
		reports.push_back(slowConsumerScenario(context, traffic, prefix + scenario));
	else
		reports = smokeScenario(context, concurrency, chatroom, prefix);

	record.cpuContentionPercent = contention.percentSinceStart();
	for (const RedisStatsSource& source: redisStats)
	{
		try
		{
			addCommandStats(record.redisCommandStats, source.commandStats());
		}
		catch (const std::runtime_error& error)
		{
			std::cerr << "webchat-bench: warning: " << source.address() << "'s commandstats not read: " << error.what() << std::endl;
		}
	}
	record.reports = reports;
	return finish(line, record);
}

// The slowloris scenario: its own endpoints (the page and chat listeners),
// the slow connections and the probes (SlowlorisRun.h).
int slowloris(const CommandLine& line)
{
	for (const char* other: {"port", "ports", "path", "tls", "tls-ca", "concurrency", "redis-pid", "redis-address"})
	{
		if (line.has(other)) throw UsageError(std::string("--") + other + " does not apply to slowloris (--page-port, --chat-port)");
	}
	const std::string host = line.text("host", "127.0.0.1");
	const auto port = [&](const char* name, std::uint64_t fallback) {
		return static_cast<std::uint16_t>(line.integer(name, fallback, 1, 65535));
	};
	SlowlorisConfig config;
	config.page = resolveLoopback(host, port("page-port", 8080), "/");
	config.chat = resolveLoopback(host, port("chat-port", 8000), "/");
	const std::string protocol = line.text("protocol", "chatroom");
	if (protocol == "chatroom")
	{
		const std::string room = line.text("room", "bench");
		if (room.empty()) throw UsageError("--room must not be empty");
		config.joinPath = "/" + ChatroomClients::percentEncode(room) + "?nick=probe" + std::to_string(::getpid()) + "-";
		config.expectWelcome = true;
	}
	else if (protocol != "relay")
		throw UsageError("--protocol must be relay or chatroom, not '" + protocol + "'");
	else if (line.has("room"))
		throw UsageError("--room needs --protocol chatroom");
	// --slow 0: the probes alone, the baseline to set beside the others.
	config.slow = line.integer("slow", config.slow, 0, 100000);
	config.addresses = line.integer("addresses", config.addresses, 1, 250);
	config.intervalMs = line.integer("interval-ms", config.intervalMs, 10, 600000);
	config.followUp = line.flag("follow-up");
	config.probes = line.integer("probes", config.probes, 1, 100000);
	config.probeGapMs = line.integer("probe-gap-ms", config.probeGapMs, 0, 600000);
	config.settleMs = line.integer("settle-ms", config.intervalMs, 0, 3600000);
	std::vector<pid_t> serverPids;
	for (const std::uint64_t pid: line.integers("server-pid", 0, 4194304))
		if (pid) serverPids.push_back(static_cast<pid_t>(pid));
	if (serverPids.size() > 1) throw UsageError("slowloris takes one --server-pid");
	std::vector<MetricsSource> metrics;
	for (const std::string& url: line.list("metrics-url", {})) metrics.emplace_back(url, line.text("metrics-listener", "page"));
	if (metrics.empty() && line.has("metrics-listener")) throw UsageError("--metrics-listener needs --metrics-url");
	const std::string name = runName(line);
	const std::string json = line.text("json", "");
	if (json == "-" && line.flag("markdown")) throw UsageError("--json - and --markdown exclude each other");
	// At most every probe's timeout twice (GET and join) beyond the load's own time.
	const double expected = static_cast<double>(config.settleMs + config.probes * (config.probeGapMs + 2 * config.probeTimeoutMs)) / 1000;
	const double timeout = line.number("timeout", std::min(expected + 60, 3600.0), 1, 86400);

	if (line.has("cpu")) pinToCpu(static_cast<int>(line.integer("cpu", 0, 0, CPU_SETSIZE - 1)));
	const rlim_t files = raiseFileLimit();
	if (files != RLIM_INFINITY && config.slow + 64 > files)
		throw UsageError("need " + std::to_string(config.slow + 64) + " file descriptors, the hard limit is " + std::to_string(files));
	::alarm(static_cast<unsigned>(timeout) + 30);

	RunRecord record;
	record.name = name;
	record.scenario = line.scenario();
	record.loadAverageAtStart = loadAverageNow();
	const CpuContention contention;
	const std::string prefix = line.has("name") ? name + "/" : "";
	const ProcessStats server(serverPids);
	record.reports.push_back(slowlorisScenario(config, server, metrics, prefix + "slowloris"));
	record.cpuContentionPercent = contention.percentSinceStart();
	return finish(line, record);
}
} // namespace

int main(int argc, char** argv)
{
	// A peer that vanishes must not kill the benchmark (sends also use MSG_NOSIGNAL).
	std::signal(SIGPIPE, SIG_IGN);
	std::optional<CommandLine> line;
	try
	{
		line.emplace(std::vector<std::string>(argv + 1, argv + argc));
		if (line->help())
		{
			std::cout << CommandLine::usage();
			return AllPassed;
		}
		if (line->scenario() == "report") return report(*line);
		if (line->scenario() == "slowloris") return slowloris(*line);
		return run(*line);
	}
	catch (const UsageError& error)
	{
		std::cerr << "webchat-bench: " << error.what() << "\n(webchat-bench --help for usage)" << std::endl;
		writeFailedRecord(line, error.what(), BadUsage);
		return BadUsage;
	}
	catch (const std::invalid_argument& error)
	{
		std::cerr << "webchat-bench: " << error.what() << std::endl;
		writeFailedRecord(line, error.what(), BadUsage);
		return BadUsage;
	}
	catch (const std::exception& error)
	{
		std::cerr << "webchat-bench: " << error.what() << std::endl;
		writeFailedRecord(line, error.what(), CannotRun);
		return CannotRun;
	}
}
