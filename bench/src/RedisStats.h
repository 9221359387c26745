//
// RedisStats.h
//
// redis-server's own accounting of a run (--redis-address): after the
// scenario the benchmark asks it for INFO commandstats, the calls and the
// time per call of every command, so that a run through Redis shows what
// Redis spent its time on (the chat room's Lua scripts, EVALSHA; the feed
// reads, XREAD).
//

#ifndef WEBCHAT_BENCH_REDISSTATS_INCLUDED
#define WEBCHAT_BENCH_REDISSTATS_INCLUDED

#include "Endpoint.h"

#include <cstdint>
#include <map>
#include <string>

namespace webchat::bench {

/// One line of INFO commandstats.
struct CommandStat
{
	std::uint64_t calls = 0;
	double microsecondsPerCall = 0;
};

/// INFO commandstats ("cmdstat_evalsha:calls=20200,usec=360368,
/// usec_per_call=17.84,...") as command name ("evalsha") -> its figures.
/// Lines that are not cmdstat_ lines, or lack calls or usec_per_call, are
/// skipped.
std::map<std::string, CommandStat> parseCommandStats(const std::string& info);

/// Adds one server's commandstats to what others gave (a Redis Cluster's
/// masters): calls summed, the time per call averaged over all calls.
void addCommandStats(std::map<std::string, CommandStat>& total, const std::map<std::string, CommandStat>& more);

/// HOST:PORT of a redis-server, loopback only (like every target of this tool).
class RedisStatsSource
{
public:
	/// Throws std::invalid_argument for anything but HOST:PORT on a
	/// loopback address.
	explicit RedisStatsSource(const std::string& address);

	/// INFO commandstats now. Throws std::runtime_error when the server
	/// cannot be reached or answers with an error (within two seconds).
	std::map<std::string, CommandStat> commandStats() const;

	const std::string& address() const { return _address; }

private:
	std::string _address;
	Endpoint _target;
};

} // namespace webchat::bench

#endif
