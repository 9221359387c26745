#include "webchat/engine/UpgradeHandler.h"

#include "webchat/engine/Handshake.h"
#include "webchat/engine/PerMessageDeflate.h"
#include "webchat/AddressKey.h"
#include "webchat/TlsHandoff.h"
#include "webchat/platform/Socket.h"

#include "Poco/Buffer.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerRequestImpl.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/Net/HTTPServerSession.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/String.h"

#include <algorithm>

namespace webchat::engine {

namespace {

// Every Sec-WebSocket-Extensions line of the request, as one list.
std::string extensionOffers(const Poco::Net::HTTPServerRequest& request)
{
	static const std::string name = "Sec-WebSocket-Extensions";
	std::string offers;
	for (auto it = request.find(name); it != request.end() && Poco::icompare(it->first, name) == 0; ++it)
		offers += (offers.empty() ? "" : ", ") + it->second;
	return offers;
}

} // namespace

UpgradeHandlerFactory::UpgradeHandlerFactory(Engine& engine, OriginPolicy origins):
	_engine(engine),
	_origins(std::move(origins))
{
}

Poco::Net::HTTPRequestHandler* UpgradeHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&)
{
	return new UpgradeHandler(_engine, _origins);
}

UpgradeHandler::UpgradeHandler(Engine& engine, const OriginPolicy& origins):
	_engine(engine),
	_origins(origins)
{
}

void UpgradeHandler::refuse(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, const std::string& reason)
{
	response.setStatusAndReason(status);
	response.setContentType("text/plain; charset=utf-8");
	response.set("X-Content-Type-Options", "nosniff");
	const std::string body = reason + "\n";
	response.sendBuffer(body.data(), body.size());
}

void UpgradeHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
	using Poco::Net::HTTPResponse;

	const auto check = ws::checkUpgradeRequest(request);
	if (check.status != 101)
	{
		if (check.status == HTTPResponse::HTTP_UPGRADE_REQUIRED) response.set("Sec-WebSocket-Version", "13");
		if (check.status == HTTPResponse::HTTP_METHOD_NOT_ALLOWED) response.set("Allow", "GET");
		_engine.countInvalidHandshake();
		refuse(response, static_cast<HTTPResponse::HTTPStatus>(check.status), check.reason);
		return;
	}
	const std::string origin = request.get("Origin", "");
	if (!_origins.allows(origin, request.getHost()))
	{
		_engine.logger().notice("refused WebSocket from origin " + origin);
		_engine.countRefusedOrigin();
		refuse(response, HTTPResponse::HTTP_FORBIDDEN, "origin not allowed");
		return;
	}
	// Per client (IPv6: per /64), behind a trusted proxy the one it names.
	const std::string peer = addressKey(request.clientAddress().host());
	std::int64_t retryAfterMs = 0;
	if (!_engine.admitHandshake(peer, retryAfterMs))
	{
		response.set("Retry-After", std::to_string(std::max<std::int64_t>(1, (retryAfterMs + 999) / 1000)));
		refuse(response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "too many connection attempts from this address");
		return;
	}
	if (!_engine.admit(peer))
	{
		response.set("Retry-After", "5");
		refuse(response, HTTPResponse::HTTP_SERVICE_UNAVAILABLE, "too many connections");
		return;
	}

	bool handedOver = false;
	std::string pending;
	try
	{
		auto session = _engine.handler().createSession(request);

		// Bytes the client sent after the request (its first frames) may
		// already sit in POCO's session buffer.
		auto& requestImpl = static_cast<Poco::Net::HTTPServerRequestImpl&>(request);
		Poco::Buffer<char> buffered(0);
		requestImpl.session().drainBuffer(buffered);
		pending.assign(buffered.begin(), buffered.size());
		Poco::Net::StreamSocket socket = requestImpl.detachSocket();

		// Written by hand rather than through HTTPServerResponse (POCO adds
		// "Connection: close" to a response without a length), and by the
		// engine's thread after the session's onOpen: a client that has its
		// 101 is already subscribed, so it misses nothing published after.
		std::string response = "HTTP/1.1 101 Switching Protocols\r\n"
			"Upgrade: websocket\r\n"
			"Connection: Upgrade\r\n"
			"Sec-WebSocket-Accept: " + ws::computeAcceptKey(request.get("Sec-WebSocket-Key")) + "\r\n";
		const auto deflate = _engine.settings().compressionEnabled() ? ws::acceptDeflate(extensionOffers(request)) : std::nullopt;
		if (deflate) response += "Sec-WebSocket-Extensions: " + *deflate + "\r\n";
		response += "\r\n";

		if (auto* tls = dynamic_cast<TlsHandoff*>(socket.impl()))
		{
			// A TLS listener's connection: the engine takes its session and
			// descriptor; the socket POCO still holds is left empty, so
			// nothing is sent or closed when it goes.
			platform::SocketHandle fd = platform::invalidSocket;
			TlsSession ssl(tls->releaseTls(fd));
			handedOver = true;
			_engine.adopt(fd, std::move(response), std::move(pending), std::move(session), peer, std::move(ssl), deflate.has_value());
			return;
		}
		// The engine owns a handle of its own; POCO closes the original when
		// its last StreamSocket goes, which leaves the connection open. A
		// duplicate (dup on Linux, WSADuplicateSocket on Windows) rather
		// than taking POCO's handle away: a socket impl gives its handle up
		// only through the protected reset(), which a plain POCO
		// StreamSocketImpl (a listener without the host's gate, as in the
		// engine's tests) does not offer; the duplicate works with any.
		const platform::SocketHandle fd = platform::duplicateSocket(socket.impl()->sockfd());
		handedOver = true;
		_engine.adopt(fd, std::move(response), std::move(pending), std::move(session), peer, nullptr, deflate.has_value());
	}
	catch (const Poco::Exception& exc)
	{
		_engine.logger().warning("WebSocket upgrade from " + peer + " failed: " + exc.displayText());
		if (!handedOver) _engine.release(peer);
	}
}

} // namespace webchat::engine
