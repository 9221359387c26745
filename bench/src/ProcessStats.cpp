#include "ProcessStats.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <unistd.h>

namespace webchat::bench {

ProcessStats::ProcessStats(pid_t pid)
{
	if (pid > 0) _pids.push_back(pid);
}

ProcessStats::ProcessStats(std::vector<pid_t> pids)
{
	for (const pid_t pid: pids)
		if (pid > 0) _pids.push_back(pid);
}

std::optional<std::uint64_t> ProcessStats::residentKiB() const
{
	return statusKiB("VmRSS:");
}

std::optional<std::uint64_t> ProcessStats::peakResidentKiB() const
{
	return statusKiB("VmHWM:");
}

std::optional<std::uint64_t> ProcessStats::statusKiB(std::string_view key) const
{
	if (_pids.empty()) return std::nullopt;
	std::uint64_t total = 0;
	for (const pid_t pid: _pids)
	{
		const auto kib = statusKiBOf(pid, key);
		if (!kib) return std::nullopt;
		total += *kib;
	}
	return total;
}

std::optional<std::uint64_t> ProcessStats::statusKiBOf(pid_t pid, std::string_view key)
{
	std::ifstream in("/proc/" + std::to_string(pid) + "/status");
	if (!in) return std::nullopt;
	std::ostringstream text;
	text << in.rdbuf();
	return parseStatusKiB(text.str(), key);
}

std::optional<std::uint64_t> ProcessStats::parseSchedstatNs(std::string_view schedstat)
{
	return parseSchedstatField(schedstat, 0);
}

std::optional<std::uint64_t> ProcessStats::parseSchedstatField(std::string_view schedstat, int field)
{
	std::size_t i = 0;
	for (int skipped = 0; skipped < field; ++skipped)
	{
		while (i < schedstat.size() && schedstat[i] >= '0' && schedstat[i] <= '9') ++i;
		if (i >= schedstat.size() || schedstat[i] != ' ') return std::nullopt;
		++i;
	}
	std::uint64_t value = 0;
	const std::size_t start = i;
	for (; i < schedstat.size() && schedstat[i] >= '0' && schedstat[i] <= '9'; ++i)
		value = value * 10 + static_cast<std::uint64_t>(schedstat[i] - '0');
	if (i == start || (i < schedstat.size() && schedstat[i] != ' ' && schedstat[i] != '\n')) return std::nullopt;
	return value;
}

std::optional<std::uint64_t> ProcessStats::threadsSchedstatNs(pid_t pid, int field)
{
	std::error_code error;
	std::filesystem::directory_iterator tasks("/proc/" + std::to_string(pid) + "/task", error);
	if (error) return std::nullopt;
	std::uint64_t total = 0;
	bool any = false;
	for (const auto& task: tasks)
	{
		// A thread that ended meanwhile has no file any more: its time is
		// lost to the sum (the server's threads live as long as it does).
		std::ifstream in(task.path() / "schedstat");
		std::string line;
		if (!std::getline(in, line)) continue;
		const auto ns = parseSchedstatField(line, field);
		if (!ns) return std::nullopt;
		total += *ns;
		any = true;
	}
	if (!any) return std::nullopt;
	return total;
}

std::optional<double> ProcessStats::runQueueWaitSeconds() const
{
	if (_pids.empty()) return std::nullopt;
	std::uint64_t total = 0;
	for (const pid_t pid: _pids)
	{
		const auto ns = threadsSchedstatNs(pid, 1);
		if (!ns) return std::nullopt;
		total += *ns;
	}
	return static_cast<double>(total) / 1e9;
}

std::optional<double> ProcessStats::cpuSeconds() const
{
	if (_pids.empty()) return std::nullopt;
	double total = 0;
	for (const pid_t pid: _pids)
	{
		const auto seconds = cpuSecondsOf(pid);
		if (!seconds) return std::nullopt;
		total += *seconds;
	}
	return total;
}

std::optional<double> ProcessStats::cpuSecondsOf(pid_t pid)
{
	// Nanoseconds on a CPU, per thread: the 10 ms ticks of /proc/<pid>/stat
	// are too coarse for exchanges of a few hundred milliseconds.
	if (const auto ns = threadsSchedstatNs(pid, 0)) return static_cast<double>(*ns) / 1e9;
	std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
	std::string line;
	if (!std::getline(in, line)) return std::nullopt;
	const auto ticks = parseCpuTicks(line);
	if (!ticks) return std::nullopt;
	return static_cast<double>(*ticks) / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

std::optional<std::uint64_t> ProcessStats::parseCpuTicks(std::string_view stat)
{
	// "pid (comm) state ppid ...": comm may hold spaces and parentheses, so
	// count fields from the last ')'. utime is field 14, the 12th after it.
	const std::size_t close = stat.rfind(')');
	if (close == std::string_view::npos) return std::nullopt;
	std::istringstream fields{std::string(stat.substr(close + 1))};
	std::string field;
	std::uint64_t utime = 0, stime = 0;
	for (int i = 3; i <= 15; ++i)
	{
		if (!(fields >> field)) return std::nullopt;
		if (i == 14 || i == 15)
		{
			if (field.empty() || field.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
			(i == 14 ? utime : stime) = std::stoull(field);
		}
	}
	return utime + stime;
}

CpuMeter::CpuMeter(const ProcessStats& process):
	_process(process)
{
}

void CpuMeter::start()
{
	_startCpu = _process.cpuSeconds();
	_startNs = static_cast<std::uint64_t>(
		std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

std::optional<double> CpuMeter::seconds() const
{
	const auto now = _process.cpuSeconds();
	if (!_startCpu || !now) return std::nullopt;
	return std::max(0.0, *now - *_startCpu);
}

std::optional<double> CpuMeter::percent() const
{
	const auto now = _process.cpuSeconds();
	if (!_startCpu || !now) return std::nullopt;
	const auto nowNs = static_cast<std::uint64_t>(
		std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
	if (nowNs <= _startNs) return std::nullopt;
	return std::max(0.0, *now - *_startCpu) * 100.0 / (static_cast<double>(nowNs - _startNs) / 1e9);
}

std::optional<std::uint64_t> ProcessStats::parseStatusKiB(std::string_view status, std::string_view key)
{
	std::size_t at = 0;
	while (at < status.size())
	{
		const std::size_t end = std::min(status.find('\n', at), status.size());
		const std::string_view line = status.substr(at, end - at);
		if (line.substr(0, key.size()) == key)
		{
			std::size_t i = key.size();
			while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
			std::uint64_t value = 0;
			std::size_t digits = 0;
			for (; i < line.size() && line[i] >= '0' && line[i] <= '9'; ++i, ++digits)
				value = value * 10 + static_cast<std::uint64_t>(line[i] - '0');
			if (digits == 0) return std::nullopt;
			// The kernel always writes kB; anything else is not a status file we know.
			if (line.substr(i).find("kB") == std::string_view::npos) return std::nullopt;
			return value;
		}
		at = end + 1;
	}
	return std::nullopt;
}

} // namespace webchat::bench
