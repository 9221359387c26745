//
// ProcessStats.h
//
// The server's memory as the kernel accounts it: VmRSS from
// /proc/<pid>/status, and its CPU time. Several processes (webchatd
// instances sharing rooms through Redis) are read as one: their figures
// summed.
//

#ifndef WEBCHAT_BENCH_PROCESSSTATS_INCLUDED
#define WEBCHAT_BENCH_PROCESSSTATS_INCLUDED

#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace webchat::bench {

class ProcessStats
{
public:
	/// pid 0: no process to watch; every reading is empty.
	explicit ProcessStats(pid_t pid);
	/// Several processes read as one (none: disabled).
	explicit ProcessStats(std::vector<pid_t> pids);

	bool enabled() const { return !_pids.empty(); }
	/// The first process's pid (0 when disabled).
	pid_t pid() const { return _pids.empty() ? 0 : _pids.front(); }
	const std::vector<pid_t>& pids() const { return _pids; }

	/// Resident set size in KiB (summed), or nothing if a process cannot be read.
	std::optional<std::uint64_t> residentKiB() const;

	/// The highest resident set size since the process started (VmHWM), in
	/// KiB: catches a peak that sampling would miss. Several processes: the
	/// sum of each one's peak (an upper bound of their joint peak).
	std::optional<std::uint64_t> peakResidentKiB() const;

	/// CPU time used so far (user + system, all threads, summed over the
	/// processes), in seconds: from each thread's schedstat (nanoseconds),
	/// else from /proc/<pid>/stat.
	std::optional<double> cpuSeconds() const;

	/// The VmRSS line of a /proc/<pid>/status text, in KiB.
	static std::optional<std::uint64_t> parseVmRssKiB(std::string_view status) { return parseStatusKiB(status, "VmRSS:"); }

	/// The value of the line starting with key ("VmHWM:") in KiB.
	static std::optional<std::uint64_t> parseStatusKiB(std::string_view status, std::string_view key);

	/// utime + stime (fields 14 and 15) of a /proc/<pid>/stat line, in clock ticks.
	static std::optional<std::uint64_t> parseCpuTicks(std::string_view stat);

	/// Time the threads were runnable but waited for a CPU (summed over
	/// threads and processes), in seconds so far: how much other threads,
	/// the process's own on the same core included, held them back. From
	/// each thread's schedstat.
	std::optional<double> runQueueWaitSeconds() const;

	/// The first field of a /proc/<pid>/task/<tid>/schedstat line: time on
	/// a CPU, in nanoseconds.
	static std::optional<std::uint64_t> parseSchedstatNs(std::string_view schedstat);
	/// Field 0 (time on a CPU), 1 (time waiting on a run queue) or 2
	/// (timeslices) of a schedstat line.
	static std::optional<std::uint64_t> parseSchedstatField(std::string_view schedstat, int field);

private:
	/// A schedstat field summed over the process's threads.
	static std::optional<std::uint64_t> threadsSchedstatNs(pid_t pid, int field);
	static std::optional<double> cpuSecondsOf(pid_t pid);
	static std::optional<std::uint64_t> statusKiBOf(pid_t pid, std::string_view key);
	std::optional<std::uint64_t> statusKiB(std::string_view key) const;

	std::vector<pid_t> _pids;
};

/// How busy a process was over an interval: CPU seconds used per second of
/// wall time, as a percentage of one core. Tells which side of a benchmark
/// is the bottleneck.
class CpuMeter
{
public:
	explicit CpuMeter(const ProcessStats& process);

	/// Starts (or restarts) the interval.
	void start();
	/// Percent of one core since start(); nothing if unreadable.
	std::optional<double> percent() const;
	/// CPU seconds used since start().
	std::optional<double> seconds() const;

private:
	const ProcessStats& _process;
	std::optional<double> _startCpu;
	std::uint64_t _startNs = 0;
};

} // namespace webchat::bench

#endif
