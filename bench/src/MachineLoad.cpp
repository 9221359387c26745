#include "MachineLoad.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace webchat::bench {

namespace {

std::string readFile(const char* path)
{
	std::ifstream in(path);
	if (!in) return {};
	std::ostringstream text;
	text << in.rdbuf();
	return text.str();
}

std::uint64_t steadyNs()
{
	return static_cast<std::uint64_t>(
		std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

std::optional<std::uint64_t> stalledUsNow()
{
	return parseCpuPressureTotalUs(readFile("/proc/pressure/cpu"));
}

} // namespace

std::optional<double> parseLoadAverage(const std::string& loadavg)
{
	const std::string first = loadavg.substr(0, loadavg.find(' '));
	if (first.empty()) return std::nullopt;
	char* end = nullptr;
	const double value = std::strtod(first.c_str(), &end);
	if (*end != '\0' && *end != '\n') return std::nullopt;
	return value;
}

std::optional<std::uint64_t> parseCpuPressureTotalUs(const std::string& pressure)
{
	std::istringstream in(pressure);
	std::string line;
	while (std::getline(in, line))
	{
		if (line.rfind("some ", 0) != 0) continue;
		const std::size_t total = line.find(" total=");
		if (total == std::string::npos) return std::nullopt;
		const std::string digits = line.substr(total + 7);
		char* end = nullptr;
		const unsigned long long value = std::strtoull(digits.c_str(), &end, 10);
		if (digits.empty() || (*end != '\0' && *end != ' ')) return std::nullopt;
		return value;
	}
	return std::nullopt;
}

std::optional<double> loadAverageNow()
{
	return parseLoadAverage(readFile("/proc/loadavg"));
}

CpuContention::CpuContention(): _stalledAtStartUs(stalledUsNow()), _startNs(steadyNs())
{
}

std::optional<double> CpuContention::percentSinceStart() const
{
	const std::optional<std::uint64_t> stalledNow = stalledUsNow();
	if (!_stalledAtStartUs || !stalledNow || *stalledNow < *_stalledAtStartUs) return std::nullopt;
	return percent(*stalledNow - *_stalledAtStartUs, steadyNs() - _startNs);
}

std::optional<double> CpuContention::percent(std::uint64_t stalledUs, std::uint64_t elapsedNs)
{
	if (elapsedNs == 0) return std::nullopt;
	return 100.0 * static_cast<double>(stalledUs) * 1000.0 / static_cast<double>(elapsedNs);
}

} // namespace webchat::bench
