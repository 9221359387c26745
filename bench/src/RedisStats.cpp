#include "RedisStats.h"

#include "Endpoint.h"

#include "Poco/Exception.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/Timespan.h"

#include <cstdlib>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace webchat::bench {

std::map<std::string, CommandStat> parseCommandStats(const std::string& info)
{
	static const std::string prefix = "cmdstat_";
	std::map<std::string, CommandStat> stats;
	std::istringstream in(info);
	std::string line;
	while (std::getline(in, line))
	{
		if (!line.empty() && line.back() == '\r') line.pop_back();
		const std::size_t colon = line.find(':');
		if (line.rfind(prefix, 0) != 0 || colon == std::string::npos) continue;
		std::optional<std::uint64_t> calls;
		std::optional<double> perCall;
		std::istringstream fields(line.substr(colon + 1));
		std::string field;
		while (std::getline(fields, field, ','))
		{
			const std::size_t equals = field.find('=');
			if (equals == std::string::npos) continue;
			const std::string name = field.substr(0, equals);
			const std::string value = field.substr(equals + 1);
			char* end = nullptr;
			if (name == "calls")
			{
				const unsigned long long number = std::strtoull(value.c_str(), &end, 10);
				if (!value.empty() && *end == '\0') calls = number;
			}
			else if (name == "usec_per_call")
			{
				const double number = std::strtod(value.c_str(), &end);
				if (!value.empty() && *end == '\0') perCall = number;
			}
		}
		if (calls && perCall) stats[line.substr(prefix.size(), colon - prefix.size())] = {*calls, *perCall};
	}
	return stats;
}

RedisStatsSource::RedisStatsSource(const std::string& address): _address(address)
{
	const std::size_t colon = address.rfind(':');
	if (colon == std::string::npos || colon == 0 || colon + 1 == address.size())
		throw std::invalid_argument("--redis-address needs HOST:PORT, not '" + address + "'");
	std::string host = address.substr(0, colon);
	if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
	const std::string port = address.substr(colon + 1);
	char* end = nullptr;
	const unsigned long number = std::strtoul(port.c_str(), &end, 10);
	if (*end != '\0' || number == 0 || number > 65535)
		throw std::invalid_argument("--redis-address: bad port in '" + address + "'");
	// Throws std::invalid_argument for anything but loopback.
	_target = resolveLoopback(host, static_cast<std::uint16_t>(number), "/");
}

std::map<std::string, CommandStat> RedisStatsSource::commandStats() const
{
	// One command in RESP, its answer a bulk string: "$<length>\r\n<text>\r\n".
	static const std::string request = "*2\r\n$4\r\nINFO\r\n$12\r\ncommandstats\r\n";
	const Poco::Timespan timeout(2, 0);
	std::string reply;
	try
	{
		Poco::Net::StreamSocket socket;
		socket.connect(Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&_target.address), _target.addressLength), timeout);
		socket.setReceiveTimeout(timeout);
		socket.setSendTimeout(timeout);
		socket.sendBytes(request.data(), static_cast<int>(request.size()));
		char buffer[4096];
		for (;;)
		{
			const std::size_t headerEnd = reply.find("\r\n");
			if (headerEnd != std::string::npos)
			{
				if (reply[0] != '$') throw std::runtime_error("redis-server at " + _address + " answered " + reply.substr(0, headerEnd));
				const std::size_t length = std::strtoul(reply.c_str() + 1, nullptr, 10);
				if (reply.size() >= headerEnd + 2 + length) return parseCommandStats(reply.substr(headerEnd + 2, length));
			}
			const int received = socket.receiveBytes(buffer, sizeof buffer);
			if (received <= 0) throw std::runtime_error("redis-server at " + _address + " closed the connection");
			reply.append(buffer, static_cast<std::size_t>(received));
		}
	}
	catch (const Poco::Exception& error)
	{
		throw std::runtime_error("redis-server at " + _address + ": " + error.displayText());
	}
}

void addCommandStats(std::map<std::string, CommandStat>& total, const std::map<std::string, CommandStat>& more)
{
	for (const auto& [command, stat]: more)
	{
		CommandStat& sum = total[command];
		const std::uint64_t calls = sum.calls + stat.calls;
		if (calls)
		{
			sum.microsecondsPerCall = (sum.microsecondsPerCall * static_cast<double>(sum.calls) +
				stat.microsecondsPerCall * static_cast<double>(stat.calls)) / static_cast<double>(calls);
		}
		sum.calls = calls;
	}
}

} // namespace webchat::bench
