//
// Scenarios.h
//
// The benchmark's scenarios: each runs its load against the relay or the
// chat room and turns the result into a Report (PASS/FAIL on correctness,
// figures, targets).
//

#ifndef WEBCHAT_BENCH_SCENARIOS_INCLUDED
#define WEBCHAT_BENCH_SCENARIOS_INCLUDED

#include "Endpoint.h"
#include "IdleRun.h"
#include "LoadLoop.h"
#include "ProcessStats.h"
#include "ServerMetrics.h"
#include "SlowlorisRun.h"
#include "Report.h"
#include "TlsClient.h"
#include "TrafficRun.h"

#include <optional>
#include <string>
#include <vector>

namespace webchat::bench {

struct RunContext
{
	LoadLoop& loop;
	/// One server, or several sharing rooms (--ports): clients round-robin.
	std::vector<Endpoint> endpoints;
	/// Every server's process (--server-pid), read as one.
	ProcessStats server;
	std::uint64_t deadlineNs;
	/// --metrics-url: the servers' counters before and after each scenario,
	/// summed over the sources (empty: not compared).
	std::vector<MetricsSource> metrics;
	/// --redis-pid: the backend's CPU time over each exchange (disabled: not measured).
	ProcessStats backend{0};
	/// For reports: where the clients connect.
	std::string display;
	/// --tls: the client context of every connection (null: plaintext).
	std::shared_ptr<TlsClientContext> tls;
};

Report idleScenario(RunContext& context, const IdleConfig& config, const std::string& name = "idle");
Report throughputScenario(RunContext& context, const TrafficConfig& config, const std::string& name = "throughput");
Report latencyScenario(RunContext& context, const TrafficConfig& config, const std::string& name = "latency");
/// Runs config twice: without, then with the non-reader.
Report slowConsumerScenario(RunContext& context, const TrafficConfig& config, const std::string& name = "slow-consumer");
/// Slow connections against the page listener while an honest client
/// times GET / and a chat join (SlowlorisRun.h). server: webchatd's CPU
/// (--server-pid); metrics: the page listener's gate counters (refusals by
/// reason, connections waiting for their heads) over the run.
Report slowlorisScenario(const SlowlorisConfig& config, const ProcessStats& server, const std::vector<MetricsSource>& metrics,
	const std::string& name = "slowloris");
/// A tiny run of each of the above (with the chat room: every event also
/// parsed with Poco::JSON). prefix goes before each report's name.
std::vector<Report> smokeScenario(RunContext& context, std::size_t concurrency,
	const std::optional<ChatroomOptions>& chatroom = std::nullopt, const std::string& prefix = "");

} // namespace webchat::bench

#endif
