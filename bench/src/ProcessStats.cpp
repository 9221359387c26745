#include "ProcessStats.h"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <string>

namespace webchat::bench {

std::optional<std::uint64_t> ProcessStats::residentKiB() const
{
	if (_pid <= 0) return std::nullopt;
	std::ifstream in("/proc/" + std::to_string(_pid) + "/status");
	if (!in) return std::nullopt;
	std::ostringstream text;
	text << in.rdbuf();
	return parseVmRssKiB(text.str());
}

std::optional<std::uint64_t> ProcessStats::parseVmRssKiB(std::string_view status)
{
	constexpr std::string_view Key = "VmRSS:";
	std::size_t at = 0;
	while (at < status.size())
	{
		const std::size_t end = std::min(status.find('\n', at), status.size());
		const std::string_view line = status.substr(at, end - at);
		if (line.substr(0, Key.size()) == Key)
		{
			std::size_t i = Key.size();
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
