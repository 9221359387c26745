#include "ChatEndpoint.h"

#include "HostName.h"

#include "webchat/PercentDecoding.h"

#include "Poco/Exception.h"
#include "Poco/NumberFormatter.h"
#include "Poco/String.h"

namespace webchat {
namespace page {

ChatEndpoint ChatEndpoint::onPort(Poco::UInt16 port)
{
	if (port == 0) throw Poco::InvalidArgumentException("chat_port = 0: expected a port number from 1 to 65535");
	ChatEndpoint endpoint;
	endpoint._port = port;
	return endpoint;
}

bool ChatEndpoint::isPathChar(char c)
{
	// RFC 3986 pchar and '/', minus what CSP uses as separators (';', ',')
	// and what JSON would have to escape; '%' is checked separately.
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
	switch (c)
	{
	case '-': case '.': case '_': case '~': case '/': case ':': case '@':
	case '!': case '$': case '&': case '(': case ')': case '*': case '+': case '=':
		return true;
	default:
		return false;
	}
}

ChatEndpoint ChatEndpoint::fromUrl(const std::string& url)
{
	const auto fail = [&url](const std::string& why)
	{
		return Poco::InvalidArgumentException("chat_url = " + url + ": " + why);
	};
	const auto schemeEnd = url.find("://");
	const std::string scheme = schemeEnd == std::string::npos ? std::string() : Poco::toLower(url.substr(0, schemeEnd));
	if (scheme != "ws" && scheme != "wss") throw fail("expected a ws:// or wss:// URL");
	const auto authorityStart = schemeEnd + 3;
	const auto pathStart = url.find('/', authorityStart);
	const std::string authority = url.substr(authorityStart, pathStart == std::string::npos ? std::string::npos : pathStart - authorityStart);
	std::string path = pathStart == std::string::npos ? "/" : url.substr(pathStart);

	if (authority.find('@') != std::string::npos) throw fail("user info is not allowed");
	std::string host;
	Poco::UInt16 port = 0;
	if (!HostName::parseAuthority(authority, host, port))
		throw fail("expected a host name, an IPv4 address or an [IPv6] address, and an optional port from 1 to 65535");
	if (path.find_first_of("?#") != std::string::npos) throw fail("a query or fragment is not allowed");
	// The path is only checked, and sent on as it is: whatever it encodes is
	// the chat server's to decode.
	if (!percentDecode(path, PlusSign::Literal)) throw fail("malformed percent-encoding in the path");
	for (std::string::size_type i = 0; i < path.size(); ++i)
	{
		if (path[i] == '%')
			i += 2; // a well-formed escape, checked above
		else if (!isPathChar(path[i]))
			throw fail("the path contains a character that must be percent-encoded");
	}
	ChatEndpoint endpoint;
	endpoint._url = scheme + "://" + host + (port ? ":" + Poco::NumberFormatter::format(port) : std::string()) + path;
	return endpoint;
}

std::string ChatEndpoint::url(const std::string& pageHost, bool secure) const
{
	if (fixed()) return _url;
	return (secure ? "wss://" : "ws://") + pageHost + ":" + Poco::NumberFormatter::format(_port) + "/";
}

std::string ChatEndpoint::connectSources(const std::string& pageHost) const
{
	if (fixed())
	{
		// The room list beside the chat URL: ws(s)://host/path -> http(s)://host/path/rooms.
		const bool secure = _url.compare(0, 6, "wss://") == 0;
		std::string rooms = (secure ? "https" : "http") + _url.substr(secure ? 3 : 2);
		if (rooms.back() != '/') rooms += '/';
		return _url + " " + rooms + "rooms";
	}
	const std::string hostPort = pageHost + ":" + Poco::NumberFormatter::format(_port);
	return "ws://" + hostPort + " wss://" + hostPort + " http://" + hostPort + "/rooms https://" + hostPort + "/rooms";
}

std::string ChatEndpoint::describe() const
{
	return fixed() ? _url : "ws://<page host>:" + Poco::NumberFormatter::format(_port) + "/";
}

} } // namespace webchat::page
