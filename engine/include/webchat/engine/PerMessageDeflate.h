//
// PerMessageDeflate.h
//
// Negotiating permessage-deflate (RFC 7692) from a client's
// Sec-WebSocket-Extensions offers. Pure functions, no I/O.
//
// The server compresses each message on its own (server_no_context_takeover)
// so that one compressed copy of a broadcast serves every client, and asks
// clients to do the same (client_no_context_takeover), so that a
// connection's inflate state is needed only while a message is arriving and
// can be released when it is idle. It compresses with a 32 KiB window (15
// bits): an offer limiting server_max_window_bits below 15 is declined.
//

#ifndef WEBCHAT_ENGINE_PERMESSAGEDEFLATE_INCLUDED
#define WEBCHAT_ENGINE_PERMESSAGEDEFLATE_INCLUDED

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::ws {

/// One offer of permessage-deflate with its parameters (RFC 7692 7.1).
struct DeflateOffer
{
	bool serverNoContextTakeover = false;
	bool clientNoContextTakeover = false;
	int serverMaxWindowBits = 0; // 8-15; 0 when not offered
	int clientMaxWindowBits = 0; // 8-15; 0 when not offered, ClientWindowAnySize without a value
	static constexpr int ClientWindowAnySize = -1;
};

/// The permessage-deflate offers in a Sec-WebSocket-Extensions value (the
/// lines of the header joined with ", "), in the client's order. Parsed
/// strictly (RFC 6455 9.1, RFC 7692 7): an offer with an unknown or repeated
/// parameter, a value where none belongs, a missing or bad window size (not
/// 8-15 written without leading zeros, quoted or not) is left out. A value
/// that breaks the header's syntax anywhere gives no offer at all. Other
/// extensions are skipped.
std::vector<DeflateOffer> parseDeflateOffers(std::string_view extensionsHeader);

/// The Sec-WebSocket-Extensions value accepting the first offer this server
/// can serve, or nothing to decline them all (the connection then goes on
/// uncompressed; a bad offer never fails the handshake).
std::optional<std::string> acceptDeflate(std::string_view extensionsHeader);

} // namespace webchat::ws

#endif
