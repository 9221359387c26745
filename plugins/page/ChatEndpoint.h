//
// ChatEndpoint.h
//
// Where the page opens its WebSocket: either a fixed URL (chat_url) or a
// port on the host the page itself was loaded from (chat_port).
//

#ifndef WEBCHAT_PAGE_CHATENDPOINT_INCLUDED
#define WEBCHAT_PAGE_CHATENDPOINT_INCLUDED

#include "Poco/Types.h"

#include <string>

namespace webchat {
namespace page {

class ChatEndpoint
{
public:
	/// A port on the page's host: ws://<host>:<port>/.
	static ChatEndpoint onPort(Poco::UInt16 port);

	/// A fixed ws:// or wss:// URL: scheme, host (name, IPv4 or [IPv6]),
	/// optional port, optional path; no user info, query or fragment, and
	/// only characters that need no escaping in JSON or a CSP header.
	/// Scheme and host are lowercased. Throws Poco::InvalidArgumentException
	/// naming the key chat_url.
	static ChatEndpoint fromUrl(const std::string& url);

	/// True for a fixed URL.
	bool fixed() const { return _port == 0; }

	/// The URL the page should connect to, given the host it was loaded
	/// from (already validated, see HostName; ignored for a fixed URL):
	/// wss:// when the page came over this server's TLS (a browser refuses
	/// ws:// from an https page, so the chat listener must speak TLS too).
	std::string url(const std::string& pageHost, bool secure = false) const;

	/// CSP connect-src sources that allow exactly that URL and the chat
	/// listener's room list beside it (GET <chat path>/rooms over http(s)):
	/// the fixed URL, or ws:// and wss:// on pageHost:port (the page may be
	/// served over TLS by a proxy in front of this server).
	std::string connectSources(const std::string& pageHost) const;

	/// For the log: the fixed URL, or "ws://<page host>:<port>/".
	std::string describe() const;

private:
	ChatEndpoint() = default;
	static bool isPathChar(char c);

	std::string _url;
	Poco::UInt16 _port = 0;
};

} } // namespace webchat::page

#endif
