//
// MachineLoad.h
//
// How busy the whole machine is around a run: other processes competing for
// the CPUs make every figure lower and noisier, so each run records the
// 1-minute load average at its start and the share of its time during which
// some runnable task waited for a CPU (PSI, /proc/pressure/cpu; the server
// and the benchmark alone on their cores keep it near 0 %).
//

#ifndef WEBCHAT_BENCH_MACHINELOAD_INCLUDED
#define WEBCHAT_BENCH_MACHINELOAD_INCLUDED

#include <cstdint>
#include <optional>
#include <string>

namespace webchat::bench {

/// The first field of /proc/loadavg ("0.52 0.58 0.59 1/123 4567").
std::optional<double> parseLoadAverage(const std::string& loadavg);

/// The cumulative stall time of /proc/pressure/cpu's "some" line
/// ("some avg10=0.00 avg60=0.00 avg300=0.00 total=12345"), microseconds.
std::optional<std::uint64_t> parseCpuPressureTotalUs(const std::string& pressure);

/// /proc/loadavg now; nothing where it cannot be read.
std::optional<double> loadAverageNow();

/// CPU contention from its construction on.
class CpuContention
{
public:
	CpuContention();

	/// Stalled time over elapsed time, in percent; nothing without PSI
	/// (kernels before 4.20, or PSI disabled).
	std::optional<double> percentSinceStart() const;

	/// stalledUs over elapsedNs, in percent; nothing when no time passed.
	static std::optional<double> percent(std::uint64_t stalledUs, std::uint64_t elapsedNs);

private:
	std::optional<std::uint64_t> _stalledAtStartUs;
	std::uint64_t _startNs;
};

} // namespace webchat::bench

#endif
