//
// HostName.h
//
// Validation of the host part of a Host header or a URL. Whatever passes
// here is safe to put into a URL, a JSON string and a CSP header as it is.
//

#ifndef WEBCHAT_PAGE_HOSTNAME_INCLUDED
#define WEBCHAT_PAGE_HOSTNAME_INCLUDED

#include "Poco/Types.h"

#include <string>

namespace webchat {
namespace page {

class HostName
{
public:
	/// True for a DNS name (letters, digits and '-' in dot-separated labels
	/// of 1 to 63 characters, no label starting or ending with '-', at most
	/// 253 characters, last label not all digits), a dotted-quad IPv4
	/// address without leading zeros, or an IPv6 address in brackets
	/// ("[::1]", no zone). Case-insensitive.
	static bool isValid(const std::string& host);

	/// Splits "host[:port]" (a Host header value, or a URL's authority) and
	/// validates both parts. host comes back lowercased; port is 0 when
	/// absent. Returns false for anything else: user info, an empty or
	/// out-of-range port, stray characters.
	static bool parseAuthority(const std::string& authority, std::string& host, Poco::UInt16& port);

private:
	static bool isDnsName(const std::string& host);
	static bool isIPv4(const std::string& host);
	static bool isBracketedIPv6(const std::string& host);
};

} } // namespace webchat::page

#endif
