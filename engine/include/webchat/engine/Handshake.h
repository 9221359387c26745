//
// Handshake.h
//
// The server side of the opening handshake (RFC 6455 4.2), for the plugins'
// request handlers: check the upgrade request, answer it, then hand the
// socket to the engine.
//
//   const auto check = ws::checkUpgradeRequest(request);
//   ws::prepareUpgradeResponse(request, check, response);
//   if (check.status != 101) { response.send() << check.reason; return; }
//   response.send().flush(); // then take over the socket
//

#ifndef WEBCHAT_ENGINE_HANDSHAKE_INCLUDED
#define WEBCHAT_ENGINE_HANDSHAKE_INCLUDED

#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"

#include <string>
#include <string_view>

namespace webchat::ws {

/// The Sec-WebSocket-Accept value for a client's Sec-WebSocket-Key:
/// base64(SHA-1(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")).
std::string computeAcceptKey(std::string_view secWebSocketKey);

/// True when key is the base64 encoding of exactly 16 bytes: 22 characters
/// of the base64 alphabet followed by "==".
bool isValidClientKey(std::string_view key);

/// The verdict on an upgrade request: 101 to switch protocols, otherwise the
/// HTTP status to refuse it with and a short human-readable reason.
///   400 Bad Request: not HTTP/1.1, Connection lacks "upgrade", missing,
///       repeated or malformed Sec-WebSocket-Key, a request body
///   405 Method Not Allowed: not GET (answer with Allow: GET)
///   426 Upgrade Required: no "websocket" in Upgrade, or
///       Sec-WebSocket-Version missing or not 13 (answer with
///       Upgrade: websocket and Sec-WebSocket-Version: 13)
struct UpgradeCheck
{
	int status = 101;
	std::string reason;
};

/// Checks, in this order: method GET, HTTP/1.1, Upgrade contains the token
/// "websocket", Connection contains the token "upgrade" (both case-insensitive
/// comma lists, over every header line of that name), Sec-WebSocket-Version
/// is 13, Sec-WebSocket-Key is present once and valid, no body.
UpgradeCheck checkUpgradeRequest(const Poco::Net::HTTPRequest& request);

/// Sets response's status, reason and headers for the verdict: for 101,
/// Upgrade, Connection and Sec-WebSocket-Accept (no body); otherwise
/// Content-Type text/plain and Content-Length for check.reason as the body,
/// plus Allow for 405, Upgrade and Sec-WebSocket-Version for 426.
void prepareUpgradeResponse(const Poco::Net::HTTPRequest& request, const UpgradeCheck& check,
	Poco::Net::HTTPResponse& response);

} // namespace webchat::ws

#endif // WEBCHAT_ENGINE_HANDSHAKE_INCLUDED
