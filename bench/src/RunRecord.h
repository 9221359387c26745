//
// RunRecord.h
//
// What one webchat-bench run leaves behind (--json FILE): its name (the
// setup it ran against, e.g. "relay-tls", "chatroom-redis2"), the scenario,
// every report, how busy the machine was around it and, with
// --redis-address, redis-server's own statistics per command. A record is
// read back by `webchat-bench report`, which tables several runs side by
// side (ResultTables.h).
//

#ifndef WEBCHAT_BENCH_RUNRECORD_INCLUDED
#define WEBCHAT_BENCH_RUNRECORD_INCLUDED

#include "RedisStats.h"
#include "Report.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace webchat::bench {

struct RunRecord
{
	std::string name;
	std::string scenario;
	std::vector<Report> reports;
	/// Could not run (no reports): why, and the exit status.
	std::string error;
	int exitStatus = 0;
	/// The 1-minute load average when the run started.
	std::optional<double> loadAverageAtStart;
	/// The share of the run during which some task waited for a CPU
	/// (/proc/pressure/cpu), in percent.
	std::optional<double> cpuContentionPercent;
	/// redis-server's INFO commandstats at the end of the run (empty
	/// without --redis-address).
	std::map<std::string, CommandStat> redisCommandStats;

	/// Every report passed, and there was at least one.
	bool passed() const;
	/// The value of key in the first report that has it (Report::value).
	std::optional<std::string> value(const std::string& key) const;

	std::string json() const;
	/// A record from json(). Throws std::invalid_argument for anything else.
	static RunRecord fromJson(const std::string& text);
};

} // namespace webchat::bench

#endif
