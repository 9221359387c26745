#include "Scenarios.h"

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <unistd.h>

namespace webchat::bench {

namespace {

constexpr double NsPerMsDouble = 1e6;

std::optional<double> kib(const std::optional<std::uint64_t>& value)
{
	if (!value) return std::nullopt;
	return static_cast<double>(*value);
}

// "<what>_pid" for one process, "<what>_pids" (comma-separated) for several.
void describeProcesses(Report& report, const std::string& what, const ProcessStats& processes)
{
	if (processes.pids().size() == 1)
		report.parameter(what + "_pid", static_cast<std::uint64_t>(processes.pid()));
	else if (processes.enabled())
	{
		std::string pids;
		for (const pid_t pid: processes.pids()) pids += (pids.empty() ? "" : ",") + std::to_string(pid);
		report.parameter(what + "_pids", pids);
	}
}

void describeServer(Report& report, const RunContext& context)
{
	report.parameter("server", context.display);
	if (context.endpoints.size() > 1) report.parameter("servers", static_cast<std::uint64_t>(context.endpoints.size()));
	describeProcesses(report, "server", context.server);
	describeProcesses(report, "redis", context.backend);
	if (context.tls)
		report.parameter("tls_certificate", context.tls->verifies() ? "verified against " + context.tls->options().caFile
																	 : std::string("not verified (no --tls-ca)"));
}

// After a run: what the TLS handshakes settled on (the first one's).
void describeTls(Report& report, const RunContext& context)
{
	if (!context.tls) return;
	report.parameter("tls", context.tls->negotiated().empty() ? std::string("no handshake completed") : context.tls->negotiated());
}

// Whether the connections offered permessage-deflate (--deflate); each
// 101 had to accept it.
void describeDeflate(Report& report, const RunContext& context)
{
	if (!context.endpoints.empty() && context.endpoints.front().deflate) report.parameter("permessage_deflate", std::string("on"));
}

void protocolParameters(Report& report, const std::optional<ChatroomOptions>& chatroom)
{
	report.parameter("protocol", chatroom ? "chatroom" : "relay");
	if (!chatroom) return;
	std::string rooms;
	for (const std::string& room: chatroom->rooms) rooms += (rooms.empty() ? "" : ",") + room;
	report.parameter(chatroom->rooms.size() == 1 ? "room" : "rooms", rooms);
	if (chatroom->roomShards.empty()) return;
	std::string shards;
	for (const std::size_t shard: chatroom->roomShards) shards += (shards.empty() ? "" : ",") + std::to_string(shard + 1);
	report.parameter("room_shards", shards);
}

void trafficParameters(Report& report, const TrafficConfig& config, const TrafficResult& result)
{
	protocolParameters(report, config.chatroom);
	report.parameter("clients", static_cast<std::uint64_t>(config.clients));
	report.parameter("senders", static_cast<std::uint64_t>(config.senders));
	if (config.paced())
	{
		report.parameter("rate_msg_per_s", config.rate, 1);
		report.parameter("duration_s", config.duration, 1);
	}
	else
	{
		report.parameter("messages_per_sender", static_cast<std::uint64_t>(config.messages));
		report.parameter("window", static_cast<std::uint64_t>(result.window));
	}
	report.parameter("size_bytes", static_cast<std::uint64_t>(config.size));
	report.parameter("frames", config.binary ? "binary" : "text");
}

void cpuFigures(Report& report, const std::string& prefix, const TrafficConfig& config, const TrafficResult& result,
	const RunContext& context)
{
	report.figure(prefix + "server_cpu_percent", result.serverCpuPercent, 0, "%");
	report.figure(prefix + "bench_cpu_percent", result.benchCpuPercent, 0, "%");
	report.figure(prefix + "server_cpu_ns_per_delivery", result.serverCpuNsPerDelivery, 1, "ns");
	report.figure(prefix + "bench_cpu_ns_per_delivery", result.benchCpuNsPerDelivery, 1, "ns");
	if (!context.backend.enabled()) return;
	// redis-server (--redis-pid): per delivery to compare with the others,
	// per message sent for what ordering one message costs it.
	report.figure(prefix + "redis_cpu_percent", result.backendCpuPercent, 0, "%");
	report.figure(prefix + "redis_cpu_ns_per_delivery", result.backendCpuNsPerDelivery, 1, "ns");
	std::optional<double> perMessage;
	if (result.backendCpuSeconds && result.sent)
		perMessage = *result.backendCpuSeconds * 1e6 / static_cast<double>(result.sent);
	report.figure(prefix + "redis_cpu_us_per_message", perMessage, 2, "us");
	// Several redis-server processes (a Redis Cluster's masters, in
	// --redis-pid order): each one's CPU, and with --room-shards its CPU per
	// message of the rooms it holds.
	const std::vector<std::size_t> noShards;
	const std::vector<std::size_t>& roomShards = config.chatroom ? config.chatroom->roomShards : noShards;
	for (std::size_t shard = 0; shard < result.backendCpuSecondsEach.size(); ++shard)
	{
		const std::string name = prefix + "redis" + std::to_string(shard + 1) + "_cpu_";
		report.figure(name + "percent", result.backendCpuPercentEach[shard], 0, "%");
		if (roomShards.empty()) continue;
		std::uint64_t messages = 0;
		for (std::size_t room = 0; room < roomShards.size() && room < result.sentByRoom.size(); ++room)
			if (roomShards[room] == shard) messages += result.sentByRoom[room];
		report.figure(prefix + "redis" + std::to_string(shard + 1) + "_messages", messages);
		std::optional<double> shardPerMessage;
		if (result.backendCpuSecondsEach[shard] && messages)
			shardPerMessage = *result.backendCpuSecondsEach[shard] * 1e6 / static_cast<double>(messages);
		report.figure(name + "us_per_message", shardPerMessage, 2, "us");
	}
}

void latencyFigures(Report& report, const std::string& prefix, const LatencyHistogram& latency)
{
	auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / NsPerMsDouble; };
	report.figure(prefix + "p50_ms", ms(latency.percentile(50)), 3);
	report.figure(prefix + "p99_ms", ms(latency.percentile(99)), 3);
	report.figure(prefix + "p999_ms", ms(latency.percentile(99.9)), 3);
	report.figure(prefix + "max_ms", ms(latency.max()), 3);
}

// What the chat room's events looked like, and what was wrong with them.
void chatFigures(Report& report, const std::string& prefix, const std::optional<ChatroomTotals>& chat)
{
	if (!chat) return;
	report.figure(prefix + "chat_welcomes", chat->welcomes);
	report.figure(prefix + "chat_join_events", chat->joins);
	report.figure(prefix + "chat_joins_of_later_clients", std::to_string(chat->joinsSeen) + " of " + std::to_string(chat->joinsExpected));
	report.figure(prefix + "chat_leave_events", chat->leaves);
	report.figure(prefix + "chat_error_events", chat->errors);
	report.figure(prefix + "chat_malformed_events", chat->malformed + chat->unknown);
	report.figure(prefix + "chat_id_gaps", chat->idGaps);
	report.figure(prefix + "chat_id_repeats", chat->idRepeats);
	report.figure(prefix + "chat_events_in_other_layout", chat->otherLayout);
	report.figure(prefix + "chat_events_audited_with_poco_json", chat->audited);

	const std::string what = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1) + ": ";
	const std::string first = chat->firstProblem.empty() ? "" : " (first: " + chat->firstProblem + ")";
	if (chat->errors) report.fail(what + std::to_string(chat->errors) + " error events" + first);
	if (chat->malformed + chat->unknown)
		report.fail(what + std::to_string(chat->malformed + chat->unknown) + " malformed or unknown events" + first);
	if (chat->auditMismatches)
		report.fail(what + std::to_string(chat->auditMismatches) + " events read differently by Poco::JSON" + first);
	if (chat->idGaps) report.fail(what + std::to_string(chat->idGaps) + " message ids skipped one or more ids");
	if (chat->idRepeats) report.fail(what + std::to_string(chat->idRepeats) + " message ids did not go up");
}

// The correctness figures every traffic run reports, and its failures.
void deliveryFigures(Report& report, const std::string& prefix, const TrafficResult& result)
{
	report.figure(prefix + "connected", static_cast<std::uint64_t>(result.connect.opened));
	report.figure(prefix + "messages_sent", result.sent);
	report.figure(prefix + "deliveries_verified", result.totals.delivered);
	report.figure(prefix + "deliveries_expected", result.totals.expected);
	report.figure(prefix + "lost", result.totals.lost);
	report.figure(prefix + "duplicated", result.totals.duplicated);
	report.figure(prefix + "reordered", result.totals.reordered);
	report.figure(prefix + "corrupt", result.corrupt + result.totals.unknown);
	chatFigures(report, prefix, result.chat);

	const std::string what = prefix.empty() ? "" : prefix.substr(0, prefix.size() - 1) + ": ";
	if (result.connect.failed)
		report.fail(what + std::to_string(result.connect.failed) + " clients failed to connect (" + result.connect.firstError + ")");
	if (result.dropped) report.fail(what + std::to_string(result.dropped) + " receivers disconnected (" + result.firstDrop + ")");
	if (result.totals.lost) report.fail(what + std::to_string(result.totals.lost) + " deliveries lost");
	if (result.totals.duplicated) report.fail(what + std::to_string(result.totals.duplicated) + " deliveries duplicated");
	if (result.totals.reordered) report.fail(what + std::to_string(result.totals.reordered) + " deliveries out of order");
	if (result.corrupt + result.totals.unknown)
		report.fail(what + std::to_string(result.corrupt + result.totals.unknown) + " corrupt or unknown payloads");
	if (result.trafficRan && result.sent != result.scheduled)
		report.fail(what + "sent " + std::to_string(result.sent) + " of " + std::to_string(result.scheduled) + " messages");
	if (result.trafficRan && !result.completed && !result.stopReason.empty())
		report.fail(what + "incomplete: " + result.stopReason);
	if (result.joinsMissing) report.fail(what + "no exchange: " + result.stopReason);
	if (result.nonReader.duplicated || result.nonReader.reordered || result.nonReader.idRepeats)
		report.fail(what + "the non-reader saw duplicated or reordered messages");
}

// The server's counters when a scenario starts (--metrics-url), or why not.
struct ServerBefore
{
	std::optional<ServerCounters> counters;
	std::string error;
};

// Every source's counters summed (one per instance), or nothing with error
// set when any fetch fails.
std::optional<ServerCounters> fetchAll(const RunContext& context, std::string& error)
{
	std::optional<ServerCounters> sum;
	for (const MetricsSource& source: context.metrics)
	{
		const auto counters = source.fetch(error);
		if (!counters)
		{
			if (context.metrics.size() > 1) error = source.url() + ": " + error;
			return std::nullopt;
		}
		sum = sum ? sum->plus(*counters) : *counters;
	}
	return sum;
}

ServerBefore serverBefore(const RunContext& context)
{
	ServerBefore before;
	if (!context.metrics.empty()) before.counters = fetchAll(context, before.error);
	return before;
}

// What the benchmark itself did, to set beside the server's counters.
struct BenchCounts
{
	std::uint64_t messagesSent = 0;
	std::uint64_t clientsOpened = 0;
	std::uint64_t slowConsumersSeen = 0; // non-readers the server closed with 1008
	std::uint64_t deliveries = 0;        // verified deliveries, for the bytes each cost on the wire
};

// The server's counters over the scenario beside the benchmark's own, each
// pair with its agreement. Report-only: never a reason to FAIL; a fetch that
// fails is a warning.
void serverFigures(Report& report, const RunContext& context, const ServerBefore& before, const BenchCounts& bench)
{
	if (context.metrics.empty()) return;
	std::string error = before.error;
	std::optional<ServerCounters> after;
	if (before.counters) after = fetchAll(context, error);
	if (!before.counters || !after)
	{
		const std::string warning = "warning: server counters not compared: " + error;
		std::cerr << "webchat-bench: " << report.scenario() << ": " << warning << std::endl;
		report.note(warning);
		report.figure("server_counters", std::string("unavailable"));
		return;
	}
	const ServerCounters delta = after->minus(*before.counters);
	auto count = [](double value) { return static_cast<std::uint64_t>(std::max(0.0, value)); };
	report.figure("server_counters", "listener " + context.metrics.front().listener() +
		(context.metrics.size() > 1 ? ", summed over " + std::to_string(context.metrics.size()) + " servers" : ""));
	report.figure("server_messages_in", count(delta.messagesIn));
	report.figure("bench_messages_sent", bench.messagesSent);
	report.figure("agree_messages_in", agreement(delta.messagesIn, static_cast<double>(bench.messagesSent)));
	report.figure("server_bytes_in", count(delta.bytesIn), "bytes");
	report.figure("server_bytes_out", count(delta.bytesOut), "bytes");
	// What one delivery costs on the wire: the frame a client receives
	// (compressed with --deflate), plus what else the server sent.
	if (bench.deliveries > 0)
		report.figure("server_bytes_out_per_delivery", delta.bytesOut / static_cast<double>(bench.deliveries), 1, "bytes");
	report.figure("server_connections_accepted", count(delta.connectionsAccepted));
	report.figure("bench_clients_opened", bench.clientsOpened);
	report.figure("agree_connections", agreement(delta.connectionsAccepted, static_cast<double>(bench.clientsOpened)));
	report.figure("server_slow_consumers_closed", count(delta.slowConsumersClosed));
	report.figure("bench_slow_consumers_seen", bench.slowConsumersSeen);
	report.figure("agree_slow_consumers",
		agreement(delta.slowConsumersClosed, static_cast<double>(bench.slowConsumersSeen)));
	report.figure("server_protocol_errors", count(delta.protocolErrors));
	report.figure("agree_protocol_errors", agreement(delta.protocolErrors, 0));
	report.figure("server_handshakes_refused", count(delta.handshakesRefused));
}

// The third field of /proc/sys/net/ipv4/tcp_wmem (4 MiB when unreadable).
std::uint64_t kernelSendBufferMax()
{
	std::ifstream in("/proc/sys/net/ipv4/tcp_wmem");
	std::uint64_t low = 0, initial = 0, max = 0;
	if (in >> low >> initial >> max) return max;
	return 4 * 1024 * 1024;
}

std::uint64_t deadlineFor(const RunContext& context)
{
	return context.deadlineNs;
}

} // namespace

Report idleScenario(RunContext& context, const IdleConfig& config, const std::string& name)
{
	Report report(name);
	describeServer(report, context);
	protocolParameters(report, config.chatroom);
	report.parameter("connections", static_cast<std::uint64_t>(config.connections));
	report.parameter("concurrency", static_cast<std::uint64_t>(config.concurrency));
	report.parameter("hold_s", static_cast<double>(config.holdNs) / 1e9, 1);
	if (config.addresses)
		report.parameter("addresses", loopbackSourceAddress(0, config.addresses) + "-" + loopbackSourceAddress(config.addresses - 1, config.addresses));

	const ServerBefore before = serverBefore(context);
	IdleRun run(context.loop, context.endpoints, context.server, config);
	const IdleResult result = run.run(deadlineFor(context));
	describeTls(report, context);
	describeDeflate(report, context);
	const double seconds = static_cast<double>(result.connect.elapsedNs) / 1e9;
	report.figure("established", static_cast<std::uint64_t>(result.connect.opened));
	report.figure("failed", static_cast<std::uint64_t>(result.connect.failed));
	report.figure("time_to_all_established_ms", seconds * 1e3, 1);
	report.figure("handshakes_per_s", seconds > 0 ? static_cast<double>(result.connect.opened) / seconds : 0.0, 0);
	report.figure("dropped_while_held", static_cast<std::uint64_t>(result.dropped));
	report.figure("closed_cleanly", static_cast<std::uint64_t>(result.closedCleanly));
	report.figure("server_rss_before_kib", kib(result.rssBeforeKiB), 0);
	report.figure("server_rss_all_open_kib", kib(result.rssOpenKiB), 0);
	report.figure("server_rss_after_close_kib", kib(result.rssAfterKiB), 0);
	report.figure("server_rss_per_connection_bytes", result.rssPerConnectionBytes(), 0);
	report.figure("server_cpu_percent_while_connecting", result.serverCpuPercent, 0, "%");
	report.figure("server_cpu_us_per_handshake", result.serverCpuPerHandshakeUs(), 1, "us");
	report.figure("bench_cpu_percent_while_connecting", result.benchCpuPercent, 0, "%");
	report.figure("server_cpu_percent_while_holding", result.serverHoldCpuPercent, 1, "%");
	report.figure("server_cpu_ns_per_connection_per_s_while_holding", result.serverHoldCpuNsPerConnectionSecond(), 1);
	report.figure("pings_answered_while_holding", result.pingsAnswered);
	report.figure("connections_pinged_while_holding", static_cast<std::uint64_t>(result.connectionsPinged));
	// Both ends of every connection are this machine's (loopback).
	report.figure("kernel_slab_per_connection_both_ends_bytes", result.kernelSlabPerConnectionBytes(), 0);
	report.figure("kernel_tcp_buffers_per_connection_both_ends_bytes", result.kernelBuffersPerConnectionBytes(), 0);
	if (result.unexpectedMessages) report.figure("unexpected_messages", result.unexpectedMessages);
	chatFigures(report, "", result.chat);
	serverFigures(report, context, before, {0, result.connect.opened, 0});

	report.headline({"established", "time_to_all_established_ms", "handshakes_per_s", "server_rss_per_connection_bytes",
		"server_rss_all_open_kib", "server_cpu_percent_while_connecting", "bench_cpu_percent_while_connecting"});
	const bool allOpen = result.connect.failed == 0;
	report.target("time_to_all_established", "< 1 s", allOpen ? std::optional<bool>(seconds < 1.0) : std::nullopt);
	const auto perConnection = result.rssPerConnectionBytes();
	report.target("server_rss_per_connection", "<= 2048 bytes",
		perConnection ? std::optional<bool>(*perConnection <= 2048.0) : std::nullopt);
	if (!context.server.enabled()) report.note("no --server-pid: server memory not measured");

	if (result.connect.failed)
		report.fail(std::to_string(result.connect.failed) + " connections failed (" + result.connect.firstError + ")");
	if (result.dropped) report.fail(std::to_string(result.dropped) + " connections dropped while idle (" + result.firstDrop + ")");
	// Each ping was answered at once; a connection whose pong came too late
	// would have been dropped (above).
	if (config.pingCheck && result.connectionsPinged < result.connect.opened)
		report.fail(std::to_string(result.connect.opened - result.connectionsPinged) + " of " + std::to_string(result.connect.opened) +
			" connections were not pinged while held (--ping-check: hold longer than the server's ping_interval_ms)");
	if (result.chat && result.chat->joinsSeen < result.chat->joinsExpected)
		report.note(std::to_string(result.chat->joinsExpected - result.chat->joinsSeen) +
			" join events were still on their way when the connections were closed");
	if (result.closedCleanly < result.connect.opened)
		report.note(std::to_string(result.connect.opened - result.closedCleanly) +
			" connections did not complete the closing handshake within 5 s");
	return report;
}

// What the throughput and latency scenarios start with: the server
// described and its counters read, one traffic run, its parameters and
// delivery figures in the report.
struct MeasuredRun
{
	ServerBefore before;
	TrafficResult result;
};

MeasuredRun measureTraffic(RunContext& context, const TrafficConfig& config, Report& report)
{
	describeServer(report, context);
	MeasuredRun measured{serverBefore(context), {}};
	TrafficRun run(context.loop, context.endpoints, context.server, config, context.backend);
	measured.result = run.run(deadlineFor(context));
	describeTls(report, context);
	describeDeflate(report, context);
	trafficParameters(report, config, measured.result);
	deliveryFigures(report, "", measured.result);
	return measured;
}

Report throughputScenario(RunContext& context, const TrafficConfig& config, const std::string& name)
{
	Report report(name);
	const auto [before, result] = measureTraffic(context, config, report);
	report.figure("elapsed_s", result.elapsedSeconds(), 3);
	report.figure("deliveries_per_s", result.deliveriesPerSecond(), 0);
	report.figure("messages_per_s", result.messagesPerSecond(), 0);
	latencyFigures(report, "latency_", result.latency);
	cpuFigures(report, "", config, result, context);
	report.figure("server_rss_before_kib", kib(result.rssBeforeKiB), 0);
	report.figure("server_rss_peak_kib", kib(result.rssPeakKiB), 0);
	serverFigures(report, context, before, {result.sent, result.connect.opened, 0, result.totals.delivered});
	report.headline({"deliveries_verified", "deliveries_per_s", "messages_per_s", "latency_p50_ms", "latency_p99_ms",
		"latency_max_ms", "server_cpu_percent", "bench_cpu_percent", "server_cpu_ns_per_delivery", "bench_cpu_ns_per_delivery"});
	report.target("deliveries_per_s", ">= 2000000",
		result.correct() ? std::optional<bool>(result.deliveriesPerSecond() >= 2e6) : std::nullopt);
	return report;
}

Report latencyScenario(RunContext& context, const TrafficConfig& config, const std::string& name)
{
	Report report(name);
	const auto [before, result] = measureTraffic(context, config, report);

	// The last message was due at start + (total - 1) / rate; everything
	// should have arrived shortly after it.
	const double sendSeconds = result.lastSendNs > result.firstSendNs
		? static_cast<double>(result.lastSendNs - result.firstSendNs) / 1e9 : 0.0;
	const double achieved = sendSeconds > 0 && result.sent > 1 ? static_cast<double>(result.sent - 1) / sendSeconds : 0.0;
	const double lagMs = static_cast<double>(result.maxSendLagNs) / NsPerMsDouble;
	const std::uint64_t lastDue = result.firstSendNs +
		(result.scheduled > 0 ? static_cast<std::uint64_t>(static_cast<double>(result.scheduled - 1) * 1e9 / config.rate) : 0);
	const double drainMs = result.lastDeliveryNs > lastDue ? static_cast<double>(result.lastDeliveryNs - lastDue) / NsPerMsDouble : 0.0;
	const bool onSchedule = result.sent == result.scheduled && lagMs <= 10.0;
	const bool keptUp = result.correct() && onSchedule && drainMs <= 100.0;
	report.figure("achieved_send_rate_msg_per_s", achieved, 1);
	report.figure("max_send_lag_ms", lagMs, 3);
	report.figure("bench_longest_event_round_ms", static_cast<double>(result.maxDispatchNs) / NsPerMsDouble, 3);
	report.figure("drain_after_last_send_ms", drainMs, 3);
	report.figure("deliveries_per_s", result.elapsedSeconds() > 0 ? result.deliveriesPerSecond() : 0.0, 0);
	report.figure("kept_up", keptUp);
	latencyFigures(report, "latency_", result.latency);
	cpuFigures(report, "", config, result, context);
	report.figure("server_rss_peak_kib", kib(result.rssPeakKiB), 0);
	serverFigures(report, context, before, {result.sent, result.connect.opened, 0, result.totals.delivered});
	report.headline({"deliveries_verified", "kept_up", "max_send_lag_ms", "latency_p50_ms", "latency_p99_ms",
		"latency_max_ms", "server_cpu_percent", "bench_cpu_percent"});
	report.target("latency_p99", "< 100 ms",
		result.correct() ? std::optional<bool>(result.latency.percentile(99) < 100 * NsPerMs) : std::nullopt);
	report.target("kept_up", "sent on schedule (lag <= 10 ms), all delivered within 100 ms of the last send",
		result.trafficRan ? std::optional<bool>(keptUp) : std::nullopt);
	report.note("latency is measured from each message's scheduled send time");
	return report;
}

Report slowConsumerScenario(RunContext& context, const TrafficConfig& config, const std::string& name)
{
	Report report(name);
	describeServer(report, context);

	const ServerBefore before = serverBefore(context);
	TrafficConfig baseline = config;
	baseline.nonReader = false;
	const TrafficResult without = TrafficRun(context.loop, context.endpoints, context.server, baseline, context.backend).run(deadlineFor(context));

	TrafficConfig withNonReader = config;
	withNonReader.nonReader = true;
	const TrafficResult with = TrafficRun(context.loop, context.endpoints, context.server, withNonReader, context.backend).run(deadlineFor(context));

	describeTls(report, context);
	describeDeflate(report, context);
	trafficParameters(report, config, with);
	report.parameter("non_reader_rcvbuf_bytes", static_cast<std::uint64_t>(config.nonReaderReceiveBuffer));

	deliveryFigures(report, "baseline_", without);
	report.figure("baseline_deliveries_per_s", without.deliveriesPerSecond(), 0);
	latencyFigures(report, "baseline_latency_", without.latency);
	cpuFigures(report, "baseline_", config, without, context);
	deliveryFigures(report, "with_non_reader_", with);
	report.figure("with_non_reader_deliveries_per_s", with.deliveriesPerSecond(), 0);
	latencyFigures(report, "with_non_reader_latency_", with.latency);
	cpuFigures(report, "with_non_reader_", config, with, context);

	report.figure("server_rss_before_kib", kib(with.rssBeforeKiB), 0);
	report.figure("server_rss_peak_during_kib", kib(with.rssPeakKiB), 0);
	report.figure("server_rss_after_kib", kib(with.rssAfterKiB), 0);

	const std::uint64_t frame = config.size + (config.chatroom ? ChatroomClients::DeliveryOverhead : 2 + (config.size >= 126 ? 2 : 0));
	report.figure("bytes_relayed_to_non_reader", with.sent * frame, "bytes");
	report.figure("non_reader_outcome", with.nonReader.describe());
	report.figure("non_reader_closed_1008", with.nonReader.closedWith1008());
	report.figure("non_reader_messages_read", with.nonReader.messagesRead);
	report.figure("non_reader_reset_while_not_reading", with.nonReader.hungUpWhilePaused);
	if (config.chatroom)
	{
		report.figure("non_reader_id_gaps", with.nonReader.idGaps);
		report.figure("non_reader_id_repeats", with.nonReader.idRepeats);
	}
	serverFigures(report, context, before,
		{without.sent + with.sent, without.connect.opened + with.connect.opened, // the non-reader is among the latter
			with.nonReader.closedWith1008() ? 1u : 0u});
	report.headline({"baseline_latency_p99_ms", "with_non_reader_latency_p99_ms", "baseline_deliveries_per_s",
		"with_non_reader_deliveries_per_s", "server_rss_before_kib", "server_rss_peak_during_kib", "server_rss_after_kib",

		"non_reader_outcome"});
	report.target("non_reader_closed_with_1008", "yes",
		with.nonReader.opened ? std::optional<bool>(with.nonReader.closedWith1008()) : std::nullopt);
	if (with.nonReader.present && !with.nonReader.opened)
		report.fail("the non-reader could not connect: " + with.nonReader.detail);
	// The server's kernel send buffer for the non-reader grows up to
	// tcp_wmem's maximum on top of the server's own queue: below both, the
	// queue limit may never trip.
	const std::uint64_t absorbed = 1024 * 1024 + kernelSendBufferMax();
	if (!with.nonReader.closedWith1008() && with.sent * frame <= absorbed)
		report.note("only " + std::to_string(with.sent * frame) + " bytes were relayed to the non-reader: the default " +
			"max_queued_bytes (1 MiB) plus the kernel's send buffer (up to " + std::to_string(kernelSendBufferMax()) +
			" bytes, tcp_wmem) may hold it all; send more (--messages, --size)");
	return report;
}

std::vector<Report> smokeScenario(RunContext& context, std::size_t concurrency,
	const std::optional<ChatroomOptions>& chatroom, const std::string& prefix)
{
	// Small enough to read every chat-room event with Poco::JSON as well.
	std::optional<ChatroomOptions> audited = chatroom;
	if (audited) audited->auditEvery = 1;
	std::vector<Report> reports;
	IdleConfig idle;
	idle.chatroom = audited;
	idle.connections = 50;
	idle.concurrency = std::min<std::size_t>(concurrency, 50);
	idle.settleNs = 100 * NsPerMs;
	idle.holdNs = 200 * NsPerMs;
	reports.push_back(idleScenario(context, idle, prefix + "smoke/idle"));

	TrafficConfig throughput;
	throughput.clients = 20;
	throughput.senders = 2;
	throughput.messages = 50;
	throughput.concurrency = concurrency;
	throughput.chatroom = audited;
	reports.push_back(throughputScenario(context, throughput, prefix + "smoke/throughput"));

	TrafficConfig latency = throughput;
	latency.rate = 200;
	latency.duration = 0.5;
	reports.push_back(latencyScenario(context, latency, prefix + "smoke/latency"));

	// 8 MB towards the non-reader: more than the default queue limit (1 MiB)
	// and the kernel's socket buffers together, so the limit trips.
	TrafficConfig slow = throughput;
	slow.clients = 10;
	slow.messages = 1000;
	slow.size = 4000;
	reports.push_back(slowConsumerScenario(context, slow, prefix + "smoke/slow-consumer"));
	return reports;
}

namespace {

// The page listener's gate: refusals by reason, and the connections waiting
// for their heads, summed over the sources; nothing when a fetch fails.
struct GateCounters
{
	std::map<std::string, double> refused; // by reason
	double pending = 0;
};

std::optional<GateCounters> fetchGate(const std::vector<MetricsSource>& metrics, std::string& error)
{
	GateCounters sum;
	for (const MetricsSource& source: metrics)
	{
		const std::optional<std::string> text = source.fetchText(error);
		if (!text) return std::nullopt;
		for (const auto& [reason, value]:
			parsePrometheusBy(*text, source.listener(), "webchat_http_connections_refused_total", "reason"))
			sum.refused[reason] += value;
		const auto all = parsePrometheus(*text, source.listener());
		const auto pending = all.find("webchat_http_pending_connections");
		if (pending == all.end())
		{
			error = source.url() + " has no webchat_http_pending_connections for listener=\"" + source.listener() + "\"";
			return std::nullopt;
		}
		sum.pending += pending->second;
	}
	return sum;
}

// p50, p99 and max of the probes that succeeded, the failures counted and
// the first one noted; the p99 against the target.
void probeFigures(Report& report, const std::string& prefix, const std::string& what, const std::vector<ProbeResult>& probes)
{
	std::vector<double> times;
	std::uint64_t failed = 0;
	for (const ProbeResult& probe: probes)
	{
		if (probe.error.empty()) times.push_back(probe.ms);
		else if (failed++ == 0) report.fail(what + " failed: " + probe.error);
	}
	report.figure(prefix + "_probes", static_cast<std::uint64_t>(probes.size()));
	report.figure(prefix + "_probes_failed", failed);
	report.figure(prefix + "_p50_ms", nearestRank(times, 50), 2, "ms");
	report.figure(prefix + "_p99_ms", nearestRank(times, 99), 2, "ms");
	report.figure(prefix + "_max_ms", nearestRank(times, 100), 2, "ms");
	const std::optional<double> p99 = nearestRank(times, 99);
	report.target(prefix + "_p99_ms", "< 50 ms over every try",
		failed || !p99 ? std::optional<bool>() : std::optional<bool>(*p99 < 50));
}

} // namespace

Report slowlorisScenario(const SlowlorisConfig& config, const ProcessStats& server, const std::vector<MetricsSource>& metrics,
	const std::string& name)
{
	Report report(name);
	report.parameter("page", "http://" + config.page.hostHeader + "/");
	report.parameter("chat", "ws://" + config.chat.hostHeader + config.joinPath + (config.expectWelcome ? "<n>" : ""));
	if (server.enabled()) report.parameter("server_pid", static_cast<std::uint64_t>(server.pid()));
	report.parameter("slow", static_cast<std::uint64_t>(config.slow));
	report.parameter("addresses", loopbackSourceAddress(0, config.addresses) + "-" +
		loopbackSourceAddress(config.addresses - 1, config.addresses));
	report.parameter("interval_ms", config.intervalMs);
	report.parameter("follow_up", std::string(config.followUp ? "yes" : "no"));
	report.parameter("probes", static_cast<std::uint64_t>(config.probes));
	report.parameter("probe_gap_ms", config.probeGapMs);
	report.parameter("settle_ms", config.settleMs);

	std::string metricsError;
	std::optional<GateCounters> before;
	if (!metrics.empty()) before = fetchGate(metrics, metricsError);
	std::optional<GateCounters> during;
	CpuMeter serverCpu(server);
	serverCpu.start();
	// How long each side's threads waited for a CPU (each other's turns on
	// a pinned core, and other work on the machine): where an outlier may
	// come from besides the gate.
	const ProcessStats bench(::getpid());
	const std::optional<double> serverWaitBefore = server.runQueueWaitSeconds();
	const std::optional<double> benchWaitBefore = bench.runQueueWaitSeconds();
	const SlowlorisResult result = runSlowloris(config, [&] {
		if (before) during = fetchGate(metrics, metricsError);
	});
	const std::optional<double> serverPercent = serverCpu.percent();
	const auto waitedMs = [](const std::optional<double>& before, const std::optional<double>& after) {
		return before && after ? std::optional<double>((*after - *before) * 1000) : std::nullopt;
	};
	const std::optional<double> serverWaitMs = waitedMs(serverWaitBefore, server.runQueueWaitSeconds());
	const std::optional<double> benchWaitMs = waitedMs(benchWaitBefore, bench.runQueueWaitSeconds());
	std::optional<GateCounters> after;
	if (during) after = fetchGate(metrics, metricsError);

	if (!result.error.empty()) report.fail("the slow connections stopped: " + result.error);
	if (config.slow > 0 && result.established == 0) report.fail("no slow connection was ever established");
	probeFigures(report, "page_probe", "GET /", result.pageProbes);
	probeFigures(report, "join_probe", config.expectWelcome ? "chat join (101 and welcome)" : "chat join (101)", result.joinProbes);

	std::vector<double> open(result.openAtProbe.begin(), result.openAtProbe.end());
	double sum = 0;
	for (const double value: open) sum += value;
	report.figure("slow_open_at_probes_min", nearestRank(open, 0), 0);
	report.figure("slow_open_at_probes_mean", open.empty() ? std::optional<double>() : sum / static_cast<double>(open.size()), 1);
	report.figure("slow_open_at_probes_max", nearestRank(open, 100), 0);
	report.figure("slow_open_at_end", static_cast<std::uint64_t>(result.openAtEnd));
	report.figure("slow_connects", result.connectsStarted);
	report.figure("slow_established", result.established);
	report.figure("slow_connect_failures", result.connectFailures);
	if (config.followUp) report.figure("slow_first_requests_answered", result.firstRequestsAnswered);
	report.figure("slow_bytes_trickled", result.bytesTrickled);
	report.figure("slow_closed_at_once", result.closedAtOnce);
	report.figure("slow_closed_later", static_cast<std::uint64_t>(result.closedLaterAfterMs.size()));
	report.figure("slow_closed_later_after_min_ms", nearestRank(result.closedLaterAfterMs, 0), 0, "ms");
	report.figure("slow_closed_later_after_p50_ms", nearestRank(result.closedLaterAfterMs, 50), 0, "ms");
	report.figure("slow_closed_later_after_max_ms", nearestRank(result.closedLaterAfterMs, 100), 0, "ms");
	report.figure("run_s", result.seconds, 1, "s");
	report.figure("server_cpu_percent", serverPercent, 1, "%");
	report.figure("server_cpu_wait_ms", serverWaitMs, 0, "ms");
	report.figure("bench_cpu_wait_ms", benchWaitMs, 0, "ms");
	if (!metrics.empty())
	{
		if (before && during && after)
		{
			auto refused = [&](const char* reason) {
				const auto was = before->refused.find(reason);
				const auto now = after->refused.find(reason);
				const double delta = (now == after->refused.end() ? 0 : now->second) - (was == before->refused.end() ? 0 : was->second);
				return static_cast<std::uint64_t>(std::max(0.0, delta));
			};
			report.figure("server_counters", "listener " + metrics.front().listener());
			report.figure("server_refused_max_pending_per_ip", refused("max_pending_per_ip"));
			report.figure("server_refused_max_pending", refused("max_pending"));
			report.figure("server_refused_header_timeout", refused("header_timeout"));
			report.figure("server_pending_at_end_of_probes", static_cast<std::uint64_t>(std::max(0.0, during->pending)));
		}
		else
		{
			const std::string warning = "warning: server counters not read: " + metricsError;
			std::cerr << "webchat-bench: " << report.scenario() << ": " << warning << std::endl;
			report.note(warning);
			report.figure("server_counters", std::string("unavailable"));
		}
	}
	report.note("closed at once: within one interval (" + std::to_string(config.intervalMs) +
		" ms) of its request starting, before its second byte; closed later: while trickling, the time from the "
		"request's start (its connect, or the follow-up's first byte)");
	report.headline({"page_probe_p99_ms", "join_probe_p99_ms", "slow_open_at_probes_mean", "slow_closed_at_once",
		"slow_closed_later", "slow_closed_later_after_p50_ms"});
	return report;
}

} // namespace webchat::bench
