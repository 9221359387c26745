#include "HostName.h"

// inet_pton: <arpa/inet.h> on Linux, Winsock's <ws2tcpip.h> on Windows.
#include "Poco/Net/Net.h" // first: SocketDefs.h needs the platform it sets
#include "Poco/Net/SocketDefs.h"
#include "Poco/String.h"

namespace webchat {
namespace page {

namespace {

bool isDigit(char c)
{
	return c >= '0' && c <= '9';
}

bool isAllDigits(const std::string& text)
{
	if (text.empty()) return false;
	for (char c : text)
	{
		if (!isDigit(c)) return false;
	}
	return true;
}

} // namespace

bool HostName::isValid(const std::string& host)
{
	if (host.empty()) return false;
	if (host[0] == '[') return isBracketedIPv6(host);
	return isIPv4(host) || isDnsName(host);
}

bool HostName::isDnsName(const std::string& host)
{
	if (host.size() > 253) return false;
	std::string::size_type start = 0;
	std::string label;
	for (;;)
	{
		const auto dot = host.find('.', start);
		label = host.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
		if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') return false;
		for (char c : label)
		{
			const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '-';
			if (!ok) return false;
		}
		if (dot == std::string::npos) break;
		start = dot + 1;
	}
	// Browsers read a name ending in a number as an IPv4 address (WHATWG
	// URL), so "1.2.3.999" or "0x7f.1" must not pass as a name.
	return !isAllDigits(label) && !(label.size() > 1 && label[0] == '0' && (label[1] == 'x' || label[1] == 'X'));
}

bool HostName::isIPv4(const std::string& host)
{
	int parts = 0;
	std::string::size_type start = 0;
	for (;;)
	{
		const auto dot = host.find('.', start);
		const std::string part = host.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
		// No leading zeros: browsers would read "010" as octal.
		if (!isAllDigits(part) || part.size() > 3 || (part.size() > 1 && part[0] == '0') || std::stoi(part) > 255) return false;
		++parts;
		if (dot == std::string::npos) break;
		start = dot + 1;
	}
	return parts == 4;
}

bool HostName::isBracketedIPv6(const std::string& host)
{
	if (host.size() < 4 || host.front() != '[' || host.back() != ']') return false;
	const std::string address = host.substr(1, host.size() - 2);
	for (char c : address)
	{
		// No zone ("%eth0"): it has no portable URL form.
		const bool ok = isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
		if (!ok) return false;
	}
	// inet_pton, not Poco::Net::IPAddress::tryParse: POCO 1.11 refuses "::".
	in6_addr parsed;
	return ::inet_pton(AF_INET6, address.c_str(), &parsed) == 1;
}

bool HostName::parseAuthority(const std::string& authority, std::string& host, Poco::UInt16& port)
{
	std::string hostPart = authority;
	std::string portPart;
	const auto bracket = authority.rfind(']');
	const auto colon = authority.rfind(':');
	if (colon != std::string::npos && (bracket == std::string::npos || colon > bracket))
	{
		hostPart = authority.substr(0, colon);
		portPart = authority.substr(colon + 1);
		if (!isAllDigits(portPart) || portPart.size() > 5) return false;
		const int value = std::stoi(portPart);
		if (value < 1 || value > 65535) return false;
		port = static_cast<Poco::UInt16>(value);
	}
	else
	{
		port = 0;
	}
	if (!isValid(hostPart)) return false;
	host = Poco::toLower(hostPart);
	return true;
}

} } // namespace webchat::page
