//
// TrustedProxies.h
//
// The reverse proxies a listener believes about who the client is
// (trusted_proxies: addresses and CIDRs), and the client address a request
// from one of them names.
//
// A request through proxies carries the chain of addresses it came through:
// RFC 7239's Forwarded (for=...), else the de facto X-Forwarded-For, each
// proxy appending the address it received the request from. Anyone can send
// either header, so only the part of the chain that trusted proxies wrote is
// believed: walking from the right (the peer, then what it appended, ...),
// the first address that is not a trusted proxy is the client. A chain that
// ends in something unreadable (unknown, an obfuscated name, garbage) stops
// the walk at the last address that could be read.
//

#ifndef WEBCHAT_TRUSTEDPROXIES_INCLUDED
#define WEBCHAT_TRUSTEDPROXIES_INCLUDED

#include "RequestHead.h"

#include "Poco/Net/IPAddress.h"

#include <string>
#include <vector>

namespace webchat {

class TrustedProxies
{
public:
	/// None: every peer is the client.
	TrustedProxies() = default;

	/// "127.0.0.1, 10.0.0.0/8, ::1, fd00::/8". Throws
	/// Poco::InvalidArgumentException naming a bad entry.
	static TrustedProxies parse(const std::string& list);

	bool empty() const { return _networks.empty(); }
	bool contains(const Poco::Net::IPAddress& address) const;

	/// The client of a request that came from peer: peer itself unless it is
	/// a trusted proxy, else as the chain in the head says.
	Poco::Net::IPAddress client(const RequestHead& head, const Poco::Net::IPAddress& peer) const;

private:
	struct Network
	{
		Poco::Net::IPAddress address;
		unsigned prefixLength = 0;
	};

	std::vector<Network> _networks;
};

} // namespace webchat

#endif
