//
// OriginPolicy.h
//
// Which browser pages may open a WebSocket (the Origin header): protection
// against other sites' pages using a visitor's browser to connect. Requests
// without Origin come from non-browser clients and are allowed.
//

#ifndef WEBCHAT_ENGINE_ORIGINPOLICY_INCLUDED
#define WEBCHAT_ENGINE_ORIGINPOLICY_INCLUDED

#include <string>
#include <vector>

namespace webchat::engine {

class OriginPolicy
{
public:
	/// A comma-separated list (the allowed_origins key) of:
	///   *                      any origin
	///   self                   an http(s) origin on the host named in the request's Host header, any port
	///   self:PORT              the same, on that port only (the chat page's listener)
	///   https://chat.example   an exact origin (scheme://host[:port]; default ports may be omitted)
	/// Throws Poco::InvalidArgumentException for an entry that is none of these.
	explicit OriginPolicy(const std::string& list = "self");

	/// origin: the Origin header ("" when absent); host: the Host header.
	bool allows(const std::string& origin, const std::string& host) const;

private:
	struct Origin
	{
		std::string scheme;
		std::string host;
		int port = 0;
	};
	static bool parseOrigin(const std::string& text, Origin& origin);
	static std::string hostOf(const std::string& hostHeader);

	bool _any = false;
	bool _selfAnyPort = false;
	std::vector<int> _selfPorts;
	std::vector<Origin> _exact;
};

} // namespace webchat::engine

#endif
