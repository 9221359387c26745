#include "Endpoint.h"

#include <arpa/inet.h>
#include <cstring>
#include <memory>
#include <netdb.h>
#include <netinet/in.h>
#include <stdexcept>

namespace webchat::bench {

bool isLoopback(const sockaddr* address)
{
	if (address->sa_family == AF_INET)
	{
		const auto* in = reinterpret_cast<const sockaddr_in*>(address);
		return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
	}
	if (address->sa_family == AF_INET6)
	{
		const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
		if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr)) return true;
		return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
	}
	return false;
}

Endpoint resolveLoopback(const std::string& host, std::uint16_t port, const std::string& path)
{
	if (port == 0) throw std::invalid_argument("port 0 is not a port to connect to");
	if (path.empty() || path[0] != '/') throw std::invalid_argument("path must start with '/': " + path);
	for (const char c: path)
	{
		if (static_cast<unsigned char>(c) <= ' ' || c == 0x7F)
			throw std::invalid_argument("path must not contain spaces or control characters");
	}

	addrinfo hints{};
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	addrinfo* found = nullptr;
	const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found);
	if (rc != 0) throw std::invalid_argument("cannot resolve " + host + ": " + ::gai_strerror(rc));
	std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, &::freeaddrinfo);
	// Every address, not just the first: a name must not resolve anywhere else.
	for (const addrinfo* ai = found; ai; ai = ai->ai_next)
	{
		if (!isLoopback(ai->ai_addr))
			throw std::invalid_argument(host + " is not a loopback address: this tool only connects to 127.0.0.0/8 and ::1");
	}

	Endpoint endpoint;
	std::memcpy(&endpoint.address, found->ai_addr, found->ai_addrlen);
	endpoint.addressLength = found->ai_addrlen;
	char text[INET6_ADDRSTRLEN] = {};
	if (found->ai_family == AF_INET6)
	{
		::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(found->ai_addr)->sin6_addr, text, sizeof text);
		endpoint.hostHeader = std::string("[") + text + "]:" + std::to_string(port);
	}
	else
	{
		::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(found->ai_addr)->sin_addr, text, sizeof text);
		endpoint.hostHeader = std::string(text) + ":" + std::to_string(port);
	}
	endpoint.path = path;
	endpoint.display = "ws://" + endpoint.hostHeader + path;
	return endpoint;
}

std::string loopbackSourceAddress(std::size_t index, std::size_t addresses)
{
	if (addresses < 1 || addresses > 250) throw std::invalid_argument("addresses must be 1-250");
	return "127.0.0." + std::to_string(2 + index % addresses);
}

sockaddr_in loopbackSource(std::size_t index, std::size_t addresses)
{
	sockaddr_in source{};
	source.sin_family = AF_INET;
	if (::inet_pton(AF_INET, loopbackSourceAddress(index, addresses).c_str(), &source.sin_addr) != 1)
		throw std::logic_error("loopbackSourceAddress gave no IPv4 address");
	return source;
}

} // namespace webchat::bench
