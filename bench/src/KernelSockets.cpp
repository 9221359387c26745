#include "KernelSockets.h"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

namespace webchat::bench {

namespace {

std::optional<std::string> readFile(const char* path)
{
	std::ifstream in(path);
	if (!in) return std::nullopt;
	return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace

bool KernelSockets::parseSockstat(std::string_view text, KernelSockets& into)
{
	// "TCP: inuse 5 orphan 0 tw 2 alloc 7 mem 1"
	std::istringstream lines{std::string(text)};
	std::string line;
	while (std::getline(lines, line))
	{
		if (line.rfind("TCP:", 0) != 0) continue;
		std::istringstream words(line.substr(4));
		std::string name;
		std::uint64_t value = 0;
		bool inUse = false, mem = false;
		while (words >> name >> value)
		{
			if (name == "inuse") into.tcpInUse = value, inUse = true;
			else if (name == "mem") into.tcpMemPages = value, mem = true;
		}
		return inUse && mem;
	}
	return false;
}

std::optional<std::uint64_t> KernelSockets::parseSlabinfo(std::string_view text)
{
	std::istringstream lines{std::string(text)};
	std::string line;
	std::uint64_t bytes = 0;
	bool found = false;
	while (std::getline(lines, line))
	{
		std::istringstream words(line);
		std::string name;
		std::uint64_t active = 0, total = 0, size = 0;
		if (!(words >> name >> active >> total >> size)) continue; // the headers
		if (std::find(std::begin(SlabCaches), std::end(SlabCaches), name) == std::end(SlabCaches)) continue;
		bytes += active * size;
		found = true;
	}
	return found ? std::optional<std::uint64_t>(bytes) : std::nullopt;
}

std::optional<KernelSockets> KernelSockets::read()
{
	const auto sockstat = readFile("/proc/net/sockstat");
	KernelSockets sockets;
	if (!sockstat || !parseSockstat(*sockstat, sockets)) return std::nullopt;
	// Only root may read it.
	if (const auto slabinfo = readFile("/proc/slabinfo")) sockets.slabBytes = parseSlabinfo(*slabinfo);
	return sockets;
}

} // namespace webchat::bench
