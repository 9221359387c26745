#include "ResultTables.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace webchat::bench {

namespace {

struct Figure
{
	const char* key;
	const char* label;
};

using Figures = std::vector<Figure>;

// Per scenario, the figures every comparison sets side by side.
const std::map<std::string, Figures> Compared = {
	{"idle",
		{{"handshakes_per_s", "handshakes/s"}, {"time_to_all_established_ms", "time to all established (ms)"},
			{"server_rss_per_connection_bytes", "server RSS per connection (bytes)"},
			{"server_rss_all_open_kib", "server RSS all open (KiB)"},
			{"server_cpu_percent_while_connecting", "server CPU while connecting (%)"},
			{"server_cpu_us_per_handshake", "server CPU per handshake (us)"}}},
	{"throughput",
		{{"deliveries_per_s", "deliveries/s"}, {"latency_p50_ms", "latency p50 (ms)"}, {"latency_p99_ms", "latency p99 (ms)"},
			{"server_rss_peak_kib", "server RSS peak (KiB)"}, {"server_cpu_percent", "server CPU (%)"},
			{"bench_cpu_percent", "bench CPU (%)"}, {"server_cpu_ns_per_delivery", "server CPU per delivery (ns)"},
			{"bench_cpu_ns_per_delivery", "bench CPU per delivery (ns)"}}},
	{"latency",
		{{"deliveries_per_s", "deliveries/s"}, {"kept_up", "kept up"}, {"latency_p50_ms", "latency p50 (ms)"},
			{"latency_p99_ms", "latency p99 (ms)"}, {"server_rss_peak_kib", "server RSS peak (KiB)"},
			{"server_cpu_percent", "server CPU (%)"}}},
	{"slow-consumer",
		{{"baseline_deliveries_per_s", "deliveries/s (no slow consumer)"}, {"baseline_latency_p50_ms", "latency p50 (ms)"},
			{"baseline_latency_p99_ms", "latency p99 (ms)"},
			{"with_non_reader_latency_p99_ms", "latency p99 with a non-reader (ms)"},
			{"server_rss_peak_during_kib", "server RSS peak (KiB)"}, {"non_reader_outcome", "non-reader"}}},
};

// With Redis, per scenario, also these.
const std::map<std::string, Figures> RedisExtra = {
	{"throughput",
		{{"messages_per_s", "messages/s"}, {"latency_max_ms", "latency max (ms)"},
			{"redis_cpu_percent", "redis-server CPU (%)"},
			{"redis_cpu_ns_per_delivery", "redis-server CPU per delivery (ns)"},
			{"redis_cpu_us_per_message", "redis-server CPU per message (us)"}}},
	{"latency",
		{{"max_send_lag_ms", "worst send lag (ms)"}, {"latency_max_ms", "latency max (ms)"},
			{"bench_cpu_percent", "bench CPU (%)"}, {"redis_cpu_percent", "redis-server CPU (%)"},
			{"redis_cpu_us_per_message", "redis-server CPU per message (us)"}}},
	{"slow-consumer", {{"baseline_redis_cpu_percent", "redis-server CPU (%)"}}},
};

// A Redis Cluster's masters tabled one by one (redis<k>_cpu_*), at most this many.
constexpr int MaxShardRows = 16;

// Over TLS, per scenario, also these.
const std::map<std::string, Figures> TlsExtra = {
	{"throughput", {{"messages_per_s", "messages/s"}, {"latency_max_ms", "latency max (ms)"}}},
	{"latency",
		{{"max_send_lag_ms", "worst send lag (ms)"}, {"latency_max_ms", "latency max (ms)"},
			{"bench_cpu_percent", "bench CPU (%)"}, {"server_cpu_ns_per_delivery", "server CPU per delivery (ns)"}}},
	{"slow-consumer",
		{{"baseline_server_cpu_ns_per_delivery", "server CPU per delivery (ns)"},
			{"baseline_bench_cpu_ns_per_delivery", "bench CPU per delivery (ns)"}}},
};

// The server's own counters over each run (--metrics-url) beside the
// benchmark's, for every scenario. The agree_* lines hold both counts: the
// wider tables show only those.
const Figures ServerCounters = {
	{"server_messages_in", "server: messages in"}, {"bench_messages_sent", "bench: messages sent"},
	{"agree_messages_in", "agree: messages"}, {"server_bytes_out", "server: bytes out"},
	{"server_connections_accepted", "server: connections accepted"}, {"bench_clients_opened", "bench: clients opened"},
	{"agree_connections", "agree: connections"}, {"server_slow_consumers_closed", "server: slow consumers closed"},
	{"bench_slow_consumers_seen", "bench: slow consumers seen"}, {"agree_slow_consumers", "agree: slow consumers"},
	{"server_protocol_errors", "server: protocol errors"}, {"agree_protocol_errors", "agree: protocol errors (0)"},
};

const std::string Slowloris = "slowloris";

// The slowloris runs, each setup (server settings) a column.
const Figures SlowlorisFigures = {
	{"slow", "slow connections"}, {"interval_ms", "one byte every (ms)"}, {"follow_up", "keep-alive follow-up"},
	{"page_probe_p50_ms", "GET / p50 (ms)"}, {"page_probe_p99_ms", "GET / p99 (ms)"}, {"page_probe_max_ms", "GET / max (ms)"},
	{"page_probe_probes_failed", "GET / failed"}, {"join_probe_p50_ms", "chat join p50 (ms)"},
	{"join_probe_p99_ms", "chat join p99 (ms)"}, {"join_probe_max_ms", "chat join max (ms)"},
	{"join_probe_probes_failed", "chat joins failed"},
	{"slow_open_at_probes_mean", "slow connections held (mean at the probes)"},
	{"slow_open_at_probes_min", "slow connections held (fewest)"},
	{"slow_open_at_probes_max", "slow connections held (most)"}, {"slow_connects", "slow connects"},
	{"slow_closed_at_once", "closed at once (refused)"}, {"slow_closed_later", "closed while trickling"},
	{"slow_closed_later_after_p50_ms", "closed while trickling, after (p50, ms)"},
	{"server_refused_max_pending_per_ip", "server: refused, max_pending_per_ip"},
	{"server_refused_max_pending", "server: refused, max_pending"},
	{"server_refused_header_timeout", "server: closed, header_timeout"},
	{"server_pending_at_end_of_probes", "server: heads pending at the last probe"},
	{"server_cpu_percent", "server CPU (%)"},
	{"server_cpu_wait_ms", "server threads waiting for a CPU (ms)"},
	{"bench_cpu_wait_ms", "bench threads waiting for a CPU (ms)"},
};

const Figures& figuresOf(const std::map<std::string, Figures>& table, const std::string& scenario)
{
	static const Figures none;
	const auto found = table.find(scenario);
	return found == table.end() ? none : found->second;
}

bool isAgreement(const std::string& key)
{
	return key.rfind("agree_", 0) == 0;
}

bool endsWith(const std::string& text, const std::string& tail)
{
	return text.size() >= tail.size() && text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

bool isNumber(const std::string& text)
{
	return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
}

double number(const std::string& text)
{
	return std::strtod(text.c_str(), nullptr);
}

std::string row(const std::vector<std::string>& cells)
{
	std::string line = "|";
	for (const std::string& cell: cells) line += " " + markdownCell(cell) + " |";
	return line + "\n";
}

std::string separator(std::size_t columns)
{
	std::string line = "|";
	for (std::size_t i = 0; i < columns; ++i) line += " --- |";
	return line + "\n";
}

// The setups' names in the backends table.
std::string backendLabel(const std::string& name)
{
	static const std::map<std::string, std::string> labels = {{"relay", "relay"}, {"chatroom", "chat room, SQLite"},
		{"chatroom-redis", "chat room, Redis, 1 webchatd"}, {"chatroom-redis2", "chat room, Redis, 2 webchatd"},
		{"chatroom-cluster1", "chat room, Redis Cluster, rooms on 1 shard"},
		{"chatroom-cluster2", "chat room, Redis Cluster, rooms on 2 shards"},
		{"chatroom-cluster3", "chat room, Redis Cluster, rooms on 3 shards"}};
	const auto found = labels.find(name);
	return found == labels.end() ? name : found->second;
}

// The setups' names in the TLS table and its verdict.
std::string tlsLabel(const std::string& name)
{
	static const std::map<std::string, std::string> labels = {{"relay", "relay"}, {"relay-tls", "relay over TLS"},
		{"chatroom", "chat room"}, {"chatroom-tls", "chat room over TLS"}};
	const auto found = labels.find(name);
	return found == labels.end() ? backendLabel(name) : found->second;
}

// Another WebSocket server run by bench/run.sh's PEER: "peer-<its name>".
bool isPeer(const std::string& name)
{
	return name.rfind("peer-", 0) == 0 && name.size() > 5;
}

// The setups' names in the relay's side-by-side table.
std::string sideLabel(const std::string& name)
{
	if (name == "chatroom") return "chat room";
	return isPeer(name) ? name.substr(5) : name;
}

std::string plaintextOf(const std::string& tlsName)
{
	return tlsName.substr(0, tlsName.size() - 4);
}

} // namespace

ResultTables::ResultTables(std::vector<RunRecord> runs): _runs(std::move(runs))
{
	for (const RunRecord& run: _runs)
	{
		// Slow clients are tabled on their own (their setups are server
		// settings, not plugins to compare).
		if (run.scenario == Slowloris)
		{
			if (std::find(_slowlorisNames.begin(), _slowlorisNames.end(), run.name) == _slowlorisNames.end())
				_slowlorisNames.push_back(run.name);
			continue;
		}
		if (std::find(_names.begin(), _names.end(), run.name) == _names.end()) _names.push_back(run.name);
		if (!run.scenario.empty() && std::find(_scenarios.begin(), _scenarios.end(), run.scenario) == _scenarios.end())
			_scenarios.push_back(run.scenario);
	}
}

std::string ResultTables::ratio(const std::string& a, const std::string& b)
{
	if (!isNumber(a) || !isNumber(b) || number(b) <= 0) return "";
	char text[32];
	std::snprintf(text, sizeof text, "%.0f %%", 100 * number(a) / number(b));
	return text;
}

std::string ResultTables::factor(const std::string& a, const std::string& b)
{
	if (!isNumber(a) || !isNumber(b) || number(b) <= 0) return "";
	const double times = number(a) / number(b);
	char text[32];
	std::snprintf(text, sizeof text, times < 10 ? "%.1fx" : "%.0fx", times);
	return text;
}

const RunRecord* ResultTables::find(const std::string& name, const std::string& scenario) const
{
	for (const RunRecord& run: _runs)
		if (run.name == name && run.scenario == scenario) return &run;
	return nullptr;
}

std::string ResultTables::value(const std::string& name, const std::string& scenario, const std::string& key) const
{
	const RunRecord* run = find(name, scenario);
	if (!run) return "";
	return run->value(key).value_or("");
}

std::string ResultTables::result(const std::string& name, const std::string& scenario) const
{
	const RunRecord* run = find(name, scenario);
	return run && run->passed() ? "PASS" : "FAIL";
}

namespace {

std::string percentOrNothing(const std::optional<double>& percent)
{
	return percent ? fixed(*percent, 0) + " %" : "n/a";
}

} // namespace

std::string ResultTables::contentionOf(const std::string& name, const std::string& scenario) const
{
	const RunRecord* run = find(name, scenario);
	return run ? percentOrNothing(run->cpuContentionPercent) : "";
}

std::string ResultTables::contentionAndLoad(const std::string& name, const std::string& scenario) const
{
	const RunRecord* run = find(name, scenario);
	if (!run) return "";
	return contentionOf(name, scenario) + " / " +
		(run->loadAverageAtStart ? fixed(*run->loadAverageAtStart, 2) : std::string("n/a"));
}

bool ResultTables::hasName(const std::string& name) const
{
	return std::find(_names.begin(), _names.end(), name) != _names.end();
}

std::string ResultTables::markdown() const
{
	std::string out = contention();
	const std::string compared = comparison();
	if (!compared.empty()) out += "\n" + compared;
	if (!_slowlorisNames.empty()) out += "\n" + slowloris();
	return out + "\n" + everyRun();
}

std::string ResultTables::contention() const
{
	std::string out = "CPU contention (share of each run during which some task waited for a CPU, from /proc/pressure/cpu; "
		"the server and the benchmark alone should keep it near 0 %; compare figures only at low contention):";
	for (std::size_t i = 0; i < _runs.size(); ++i)
	{
		const RunRecord& run = _runs[i];
		out += (i ? "; " : " ") + run.name + (run.scenario.empty() ? "" : "-" + run.scenario) + ": " +
			percentOrNothing(run.cpuContentionPercent);
	}
	return out + ".\n";
}

std::string ResultTables::comparison() const
{
	const auto any = [this](auto predicate) { return std::any_of(_names.begin(), _names.end(), predicate); };
	if (any([](const std::string& name) { return name.rfind("chatroom-redis", 0) == 0 || name.rfind("chatroom-cluster", 0) == 0; }))
		return backends();
	if (any([](const std::string& name) { return endsWith(name, "-tls"); })) return tlsTable() + "\n" + tlsVerdict();
	if (hasName("relay") && (hasName("chatroom") || any(isPeer)))
	{
		std::string verdicts;
		if (hasName("chatroom") && std::find(_scenarios.begin(), _scenarios.end(), "throughput") != _scenarios.end()) verdicts += relayVerdict();
		for (const std::string& name: _names)
			if (isPeer(name)) verdicts += peerVerdict(name);
		return sideBySide() + (verdicts.empty() ? "" : "\n" + verdicts);
	}
	return "";
}

std::string ResultTables::sideBySide() const
{
	// The relay first, then every other setup, each followed by its share
	// of the relay.
	std::vector<std::string> others;
	for (const std::string& name: _names)
		if (name != "relay" && (name == "chatroom" || isPeer(name))) others.push_back(name);
	std::vector<std::string> header = {"scenario", "figure", "relay"};
	for (const std::string& name: others)
	{
		header.push_back(sideLabel(name));
		header.push_back(sideLabel(name) + " / relay");
	}
	std::string out = row(header) + separator(header.size());
	// One row: the relay's cell, then each other's cell and (when share)
	// its share of the relay's.
	const auto line = [&](const std::string& scenario, const std::string& label, bool share, auto cellOf) {
		std::vector<std::string> cells = {scenario, label, cellOf("relay")};
		for (const std::string& name: others)
		{
			cells.push_back(cellOf(name));
			cells.push_back(share ? ratio(cellOf(name), cellOf("relay")) : "");
		}
		return row(cells);
	};
	for (const std::string& scenario: _scenarios)
	{
		out += line(scenario, "result", false, [&](const std::string& name) { return result(name, scenario); });
		out += line(scenario, "CPU contention", false, [&](const std::string& name) { return contentionOf(name, scenario); });
		for (const Figure& figure: figuresOf(Compared, scenario))
			out += line(scenario, figure.label, true, [&](const std::string& name) { return value(name, scenario, figure.key); });
		for (const Figure& figure: ServerCounters)
			out += line(scenario, figure.label, false, [&](const std::string& name) { return value(name, scenario, figure.key); });
	}
	return out;
}

std::string ResultTables::peerVerdict(const std::string& peer) const
{
	const std::string label = sideLabel(peer);
	std::string out;
	const std::string relay = value("relay", "throughput", "deliveries_per_s");
	const std::string other = value(peer, "throughput", "deliveries_per_s");
	if (result("relay", "throughput") == "PASS" && result(peer, "throughput") == "PASS" && !factor(relay, other).empty())
		out += "Relay vs " + label + " throughput: the relay delivered " + factor(relay, other) + " " + label + "'s deliveries/s.\n";
	// Per delivery and per handshake, the servers' own CPU: what the
	// targets are stated in.
	const auto cost = [&](const std::string& what, const std::string& key, const std::string& unit) {
		const std::string relayCost = value("relay", what == "delivery" ? "throughput" : "idle", key);
		const std::string otherCost = value(peer, what == "delivery" ? "throughput" : "idle", key);
		if (factor(otherCost, relayCost).empty()) return std::string();
		return "Server CPU per " + what + ": relay " + relayCost + " " + unit + ", " + label + " " + otherCost + " " + unit + " (" + label + " spends " +
			factor(otherCost, relayCost) + " the relay's).\n";
	};
	out += cost("delivery", "server_cpu_ns_per_delivery", "ns");
	out += cost("handshake", "server_cpu_us_per_handshake", "us");
	out += busyBenchmark(peer, label);
	return out;
}

std::string ResultTables::busyBenchmark(const std::string& name, const std::string& label) const
{
	const std::string busy = value(name, "throughput", "bench_cpu_percent");
	if (!isNumber(busy) || number(busy) < 90) return "";
	return "The benchmark's own core was " + busy + " % busy in the " + label +
		" throughput run: there the benchmark, not the server, limited deliveries/s.\n";
}

std::string ResultTables::relayVerdict() const
{
	std::string out;
	const std::string relay = value("relay", "throughput", "deliveries_per_s");
	const std::string chat = value("chatroom", "throughput", "deliveries_per_s");
	const std::string share = ratio(chat, relay);
	if (result("relay", "throughput") != "PASS" || result("chatroom", "throughput") != "PASS" || share.empty())
		out += "Chat room vs relay throughput: not measured (both throughput runs must PASS).\n";
	else if (2 * number(chat) >= number(relay))
		out += "Chat room vs relay throughput: " + share + " of the relay's deliveries/s: **at least half** (the aim met).\n";
	else
		out += "Chat room vs relay throughput: " + share + " of the relay's deliveries/s: **less than half** (the aim is "
			"at least half; profile the chat-room server, see bench/README.md).\n";
	// Whichever side limited those figures, the server's own cost per
	// delivery compares the two plugins.
	const std::string relayNs = value("relay", "throughput", "server_cpu_ns_per_delivery");
	const std::string chatNs = value("chatroom", "throughput", "server_cpu_ns_per_delivery");
	if (isNumber(relayNs) && isNumber(chatNs))
		out += "Server CPU per delivery: relay " + relayNs + " ns, chat room " + chatNs + " ns: on its one core the chat room "
			"could deliver about " + ratio(relayNs, chatNs) + " of what the relay could (an estimate; the side further from "
			"saturation batches less, so its cost per delivery reads high).\n";
	out += busyBenchmark("relay", "relay");
	out += busyBenchmark("chatroom", "chatroom");
	return out;
}

std::string ResultTables::backends() const
{
	std::vector<std::string> header = {"scenario", "figure"};
	for (const std::string& name: _names) header.push_back(backendLabel(name));
	std::string out = row(header) + separator(header.size());
	// One row: a label, then each setup's cell.
	const auto line = [this](const std::string& scenario, const std::string& label, auto cellOf) {
		std::vector<std::string> cells = {scenario, label};
		for (const std::string& name: _names) cells.push_back(cellOf(name));
		return row(cells);
	};
	for (const std::string& scenario: _scenarios)
	{
		out += line(scenario, "result", [&](const std::string& name) { return result(name, scenario); });
		out += line(scenario, "CPU contention / load average at start",
			[&](const std::string& name) { return contentionAndLoad(name, scenario); });
		for (const Figures* figures: {&figuresOf(Compared, scenario), &figuresOf(RedisExtra, scenario), &ServerCounters})
		{
			for (const Figure& figure: *figures)
			{
				if (figures == &ServerCounters && !isAgreement(figure.key)) continue;
				out += line(scenario, figure.label, [&](const std::string& name) { return value(name, scenario, figure.key); });
			}
		}
		// A Redis Cluster's masters, each one's share (rows only where a run
		// had several redis-server processes).
		for (int shard = 1; shard <= MaxShardRows; ++shard)
		{
			const std::string key = "redis" + std::to_string(shard) + "_cpu_";
			for (const Figure figure: {Figure{"percent", "CPU (%)"}, Figure{"us_per_message", "CPU per message of its rooms (us)"}})
			{
				const std::string full = key + figure.key;
				const bool anyValue = std::any_of(_names.begin(), _names.end(),
					[&](const std::string& name) { return !value(name, scenario, full).empty(); });
				if (anyValue)
					out += line(scenario, "redis-server " + std::to_string(shard) + " " + figure.label,
						[&](const std::string& name) { return value(name, scenario, full); });
			}
		}
		// The server side's CPU: webchatd and redis-server together (on one
		// core unless bench/run.sh's REDIS_CPU says otherwise; 100 % is that
		// core full).
		out += line(scenario, "webchatd + redis-server CPU (%)", [&](const std::string& name) {
			const std::string server = value(name, scenario, "server_cpu_percent");
			const std::string redis = value(name, scenario, "redis_cpu_percent");
			return isNumber(server) && isNumber(redis) ? shortest(number(server) + number(redis)) : "";
		});
		// Redis's own accounting over the whole run (joins and leaves
		// included): the Lua scripts (EVALSHA: posts, joins, leaves) and the
		// feed reads (XREAD).
		for (const Figure command: {Figure{"evalsha", "EVALSHA"}, Figure{"xread", "XREAD"}})
		{
			out += line(scenario, "redis-server " + std::string(command.label) + " (calls x time per call)",
				[&](const std::string& name) -> std::string {
					const RunRecord* run = find(name, scenario);
					if (!run) return "";
					const auto stat = run->redisCommandStats.find(command.key);
					if (stat == run->redisCommandStats.end()) return "";
					return std::to_string(stat->second.calls) + " x " + shortest(stat->second.microsecondsPerCall) + " us";
				});
		}
	}
	return out;
}

std::string ResultTables::tlsTable() const
{
	// A TLS setup whose plaintext twin ran too gets a share column after it.
	const auto hasTwin = [this](const std::string& name) { return endsWith(name, "-tls") && hasName(plaintextOf(name)); };
	std::vector<std::string> header = {"scenario", "figure"};
	for (const std::string& name: _names)
	{
		header.push_back(tlsLabel(name));
		if (hasTwin(name)) header.push_back("TLS / plaintext");
	}
	std::string out = row(header) + separator(header.size());
	// One row: a label, then each setup's cell and, after a TLS one, its
	// share of the plaintext figure when shares make sense.
	const auto line = [&](const std::string& scenario, const std::string& label, auto cellOf, bool shares) {
		std::vector<std::string> cells = {scenario, label};
		for (const std::string& name: _names)
		{
			cells.push_back(cellOf(name));
			if (hasTwin(name)) cells.push_back(shares ? ratio(cells.back(), cellOf(plaintextOf(name))) : "");
		}
		return row(cells);
	};
	for (const std::string& scenario: _scenarios)
	{
		out += line(scenario, "result", [&](const std::string& name) { return result(name, scenario); }, false);
		out += line(scenario, "CPU contention / load average at start",
			[&](const std::string& name) { return contentionAndLoad(name, scenario); }, false);
		out += line(scenario, "TLS", [&](const std::string& name) { return value(name, scenario, "tls"); }, false);
		for (const Figures* figures: {&figuresOf(Compared, scenario), &figuresOf(TlsExtra, scenario), &ServerCounters})
		{
			for (const Figure& figure: *figures)
			{
				const std::string key = figure.key;
				if (figures == &ServerCounters && !isAgreement(key)) continue;
				const bool shares = !isAgreement(key) && key != "kept_up" && key != "non_reader_outcome";
				out += line(scenario, figure.label, [&](const std::string& name) { return value(name, scenario, key); }, shares);
			}
		}
	}
	return out;
}

std::string ResultTables::tlsVerdict() const
{
	// What TLS costs, from the throughput runs: the server's CPU per
	// delivery (whichever side limited deliveries/s) and the benchmark's.
	std::string out;
	for (const std::string& name: _names)
	{
		if (!endsWith(name, "-tls")) continue;
		const std::string plain = plaintextOf(name);
		for (const std::string side: {"server", "bench"})
		{
			const std::string tlsNs = value(name, "throughput", side + "_cpu_ns_per_delivery");
			const std::string plainNs = value(plain, "throughput", side + "_cpu_ns_per_delivery");
			if (isNumber(tlsNs) && isNumber(plainNs))
				out += tlsLabel(plain) + " throughput, " + side + " CPU per delivery: " + plainNs + " ns in plaintext, " + tlsNs +
					" ns over TLS (+" + fixed(number(tlsNs) - number(plainNs), 1) + " ns, " + ratio(tlsNs, plainNs) + ").\n";
		}
		out += busyBenchmark(plain, tlsLabel(plain));
		out += busyBenchmark(name, tlsLabel(name));
	}
	return out;
}

std::string ResultTables::slowloris() const
{
	std::vector<std::string> header = {"figure"};
	for (const std::string& name: _slowlorisNames) header.push_back(name);
	std::string out = row(header) + separator(header.size());
	const auto line = [&](const std::string& label, auto cellOf) {
		std::vector<std::string> cells = {label};
		for (const std::string& name: _slowlorisNames) cells.push_back(cellOf(name));
		out += row(cells);
	};
	line("result", [&](const std::string& name) { return result(name, Slowloris); });
	line("CPU contention / load average at start", [&](const std::string& name) { return contentionAndLoad(name, Slowloris); });
	for (const Figure& figure: SlowlorisFigures)
		line(figure.label, [&](const std::string& name) { return value(name, Slowloris, figure.key); });
	out += "\nHonest client under slow clients (target: GET / and chat join p99 < 50 ms):";
	for (const std::string& name: _slowlorisNames)
	{
		out += " " + name + ": ";
		const std::string page = value(name, Slowloris, "page_probe_p99_ms");
		const std::string join = value(name, Slowloris, "join_probe_p99_ms");
		if (result(name, Slowloris) != "PASS" || !isNumber(page) || !isNumber(join))
		{
			out += "not measured (a probe failed or the run did not PASS);";
			continue;
		}
		const double worst = std::max(number(page), number(join));
		out += "GET / " + page + " ms, join " + join + " ms: " +
			(worst < 50 ? std::string("**met**;") : "**missed** by " + fixed(worst - 50, 2) + " ms;");
	}
	out.back() = '.';
	return out + "\n";
}

std::string ResultTables::everyRun() const
{
	std::string out = "Every run:\n\n" + Report::markdownHeader() + "\n";
	for (const RunRecord& run: _runs)
	{
		if (!run.error.empty())
		{
			const std::string status = run.exitStatus ? " (exit " + std::to_string(run.exitStatus) + ")" : "";
			out += row({run.name + (run.scenario.empty() ? "" : "/" + run.scenario), "**FAIL**" + status, run.error, ""});
			continue;
		}
		for (const Report& report: run.reports) out += report.markdownRow() + "\n";
	}
	return out;
}

} // namespace webchat::bench
