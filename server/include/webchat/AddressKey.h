//
// AddressKey.h
//
// What a per-address limit counts: one IPv4 address, or one IPv6 /64 (a
// single host is usually given a whole /64 and can pick any address in it,
// so counting IPv6 addresses one by one would count nothing). An IPv4
// address mapped into IPv6 counts as the IPv4 address. Shared by the host
// (pending connections) and the plugins (connections, handshakes and
// messages per address), so every budget groups clients the same way.
//

#ifndef WEBCHAT_ADDRESSKEY_INCLUDED
#define WEBCHAT_ADDRESSKEY_INCLUDED

#include "Poco/Net/IPAddress.h"

#include <cstring>
#include <string>

namespace webchat {

inline std::string addressKey(const Poco::Net::IPAddress& address)
{
	if (address.family() == Poco::Net::IPAddress::IPv4) return address.toString();
	if (address.isIPv4Mapped())
	{
		const auto* bytes = static_cast<const unsigned char*>(address.addr());
		return std::to_string(bytes[12]) + "." + std::to_string(bytes[13]) + "." + std::to_string(bytes[14]) + "." + std::to_string(bytes[15]);
	}
	unsigned char prefix[16] = {};
	std::memcpy(prefix, address.addr(), 8);
	return Poco::Net::IPAddress(prefix, sizeof prefix).toString() + "/64";
}

} // namespace webchat

#endif
