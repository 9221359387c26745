//
// ProcessStats.h
//
// The server's memory as the kernel accounts it: VmRSS from
// /proc/<pid>/status.
//

#ifndef WEBCHAT_BENCH_PROCESSSTATS_INCLUDED
#define WEBCHAT_BENCH_PROCESSSTATS_INCLUDED

#include <cstdint>
#include <optional>
#include <string_view>
#include <sys/types.h>

namespace webchat::bench {

class ProcessStats
{
public:
	/// pid 0: no process to watch; every reading is empty.
	explicit ProcessStats(pid_t pid): _pid(pid) {}

	bool enabled() const { return _pid > 0; }
	pid_t pid() const { return _pid; }

	/// Resident set size in KiB, or nothing if the process cannot be read.
	std::optional<std::uint64_t> residentKiB() const;

	/// The VmRSS line of a /proc/<pid>/status text, in KiB.
	static std::optional<std::uint64_t> parseVmRssKiB(std::string_view status);

private:
	pid_t _pid;
};

} // namespace webchat::bench

#endif
