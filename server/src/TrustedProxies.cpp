#include "TrustedProxies.h"

#include "Poco/Exception.h"
// inet_pton: <arpa/inet.h> on Linux, Winsock's <ws2tcpip.h> on Windows.
#include "Poco/Net/Net.h" // first: SocketDefs.h needs the platform it sets
#include "Poco/Net/SocketDefs.h"
#include "Poco/NumberParser.h"
#include "Poco/String.h"
#include "Poco/StringTokenizer.h"

#include <algorithm>
#include <optional>

namespace webchat {

namespace {

// An address in its one standard form (inet_pton), not the lenient forms
// Poco::Net::IPAddress also takes ("1.2.3", "0x7f.1").
std::optional<Poco::Net::IPAddress> strictAddress(const std::string& text)
{
	unsigned char bytes[16];
	if (::inet_pton(AF_INET, text.c_str(), bytes) == 1) return Poco::Net::IPAddress(bytes, 4);
	if (::inet_pton(AF_INET6, text.c_str(), bytes) == 1) return Poco::Net::IPAddress(bytes, 16);
	return std::nullopt;
}

// An address as a proxy writes it in a chain: "203.0.113.7",
// "203.0.113.7:4711", "2001:db8::1", "[2001:db8::1]:4711" (Forwarded also
// quotes it). Nothing for "unknown", obfuscated names and anything else.
std::optional<Poco::Net::IPAddress> chainAddress(std::string text)
{
	text = Poco::trim(text);
	if (text.size() >= 2 && text.front() == '"' && text.back() == '"') text = text.substr(1, text.size() - 2);
	if (!text.empty() && text.front() == '[')
	{
		const auto close = text.find(']');
		if (close == std::string::npos) return std::nullopt;
		text = text.substr(1, close - 1);
	}
	else if (std::count(text.begin(), text.end(), ':') == 1)
	{
		text = text.substr(0, text.find(':'));
	}
	return strictAddress(text);
}

// The for= of each element of Forwarded fields, in order.
std::vector<std::string> forwardedFor(const RequestHead& head)
{
	std::vector<std::string> chain;
	for (const auto& field : head.fields())
	{
		if (Poco::icompare(std::string(field.name), "forwarded") != 0) continue;
		for (const auto& element : Poco::StringTokenizer(std::string(field.value), ",", Poco::StringTokenizer::TOK_TRIM))
		{
			std::string found;
			for (const auto& pair : Poco::StringTokenizer(element, ";", Poco::StringTokenizer::TOK_TRIM))
			{
				if (Poco::icompare(pair.substr(0, 4), "for=") == 0) found = pair.substr(4);
			}
			chain.push_back(found);
		}
	}
	return chain;
}

std::vector<std::string> xForwardedFor(const RequestHead& head)
{
	std::vector<std::string> chain;
	for (const auto& field : head.fields())
	{
		if (Poco::icompare(std::string(field.name), "x-forwarded-for") != 0) continue;
		for (const auto& hop : Poco::StringTokenizer(std::string(field.value), ",", Poco::StringTokenizer::TOK_TRIM)) chain.push_back(hop);
	}
	return chain;
}

bool samePrefix(const Poco::Net::IPAddress& a, const Poco::Net::IPAddress& b, unsigned bits)
{
	if (a.family() != b.family()) return false;
	const auto* x = static_cast<const unsigned char*>(a.addr());
	const auto* y = static_cast<const unsigned char*>(b.addr());
	for (unsigned i = 0; bits > 0; ++i, bits = bits >= 8 ? bits - 8 : 0)
	{
		const unsigned char mask = bits >= 8 ? 0xFF : static_cast<unsigned char>(0xFF << (8 - bits));
		if ((x[i] & mask) != (y[i] & mask)) return false;
	}
	return true;
}

} // namespace

TrustedProxies TrustedProxies::parse(const std::string& list)
{
	TrustedProxies proxies;
	for (const auto& entry : Poco::StringTokenizer(list, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY))
	{
		const auto slash = entry.find('/');
		Network network;
		unsigned prefix = 0;
		const auto address = strictAddress(entry.substr(0, slash));
		const bool addressOk = address.has_value();
		if (address) network.address = *address;
		const unsigned maxPrefix = addressOk && network.address.family() == Poco::Net::IPAddress::IPv4 ? 32 : 128;
		const bool prefixOk = slash == std::string::npos ||
			(Poco::NumberParser::tryParseUnsigned(entry.substr(slash + 1), prefix) && prefix <= maxPrefix);
		if (!addressOk || !prefixOk)
			throw Poco::InvalidArgumentException(entry + " is not an address or a CIDR (10.0.0.0/8, fd00::/8)");
		network.prefixLength = slash == std::string::npos ? maxPrefix : prefix;
		proxies._networks.push_back(network);
	}
	return proxies;
}

bool TrustedProxies::contains(const Poco::Net::IPAddress& address) const
{
	for (const auto& network : _networks)
	{
		if (samePrefix(address, network.address, network.prefixLength)) return true;
	}
	return false;
}

Poco::Net::IPAddress TrustedProxies::client(const RequestHead& head, const Poco::Net::IPAddress& peer) const
{
	if (!contains(peer)) return peer;
	std::vector<std::string> chain = forwardedFor(head);
	if (chain.empty()) chain = xForwardedFor(head);
	Poco::Net::IPAddress client = peer;
	for (auto hop = chain.rbegin(); hop != chain.rend(); ++hop)
	{
		const auto address = chainAddress(*hop);
		if (!address) break;
		client = *address;
		if (!contains(client)) break;
	}
	return client;
}

} // namespace webchat
