//
// UpgradeHandshake.h
//
// The client side of the opening handshake (RFC 6455 4.1), done by hand
// rather than with Poco::Net::WebSocket so it runs on the benchmark's own
// non-blocking sockets: the request, then the checks on the 101 response.
//

#ifndef WEBCHAT_BENCH_UPGRADEHANDSHAKE_INCLUDED
#define WEBCHAT_BENCH_UPGRADEHANDSHAKE_INCLUDED

#include <cstdint>
#include <string>
#include <string_view>

namespace webchat::bench {

class UpgradeHandshake
{
public:
	/// The largest response head accepted: more is not a WebSocket server.
	static constexpr std::size_t MaxResponseHead = 8192;

	/// key16 supplies the 16 random bytes of Sec-WebSocket-Key. offerDeflate:
	/// the request offers permessage-deflate as browsers do, and check()
	/// requires the 101 to accept it.
	UpgradeHandshake(std::string_view hostHeader, std::string_view path, const unsigned char key16[16], bool offerDeflate = false);

	const std::string& request() const { return _request; }
	const std::string& key() const { return _key; }

	/// Where the response head ends (one past its blank line) in the bytes
	/// received so far, or 0 when it is not complete yet.
	static std::size_t headEnd(std::string_view received);

	/// Checks a complete response head: status 101, Upgrade: websocket,
	/// Connection: upgrade and the Sec-WebSocket-Accept for our key (and,
	/// when offered, Sec-WebSocket-Extensions: permessage-deflate with
	/// server_no_context_takeover and client_no_context_takeover). Returns
	/// an empty string when it is right, otherwise what is wrong.
	std::string check(std::string_view head) const;

private:
	std::string _key;
	std::string _expectedAccept;
	std::string _request;
	bool _offerDeflate;
};

/// Standard base64 with padding.
std::string base64(const unsigned char* data, std::size_t size);

} // namespace webchat::bench

#endif
