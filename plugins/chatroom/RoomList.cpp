#include "RoomList.h"

#include "JsonWriter.h"

#include "webchat/AddressKey.h"

#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"

namespace webchat::chatroom {

namespace {

void sendText(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, const std::string& text)
{
	response.setStatusAndReason(status);
	response.setContentType("text/plain; charset=utf-8");
	const std::string body = text + "\n";
	response.sendBuffer(body.data(), body.size());
}

} // namespace

RoomList::RoomList(ChatHandler& chat, const engine::OriginPolicy& origins):
	_chat(chat),
	_origins(origins)
{
}

bool RoomList::isFor(const Poco::Net::HTTPServerRequest& request)
{
	if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET || request.has("Upgrade")) return false;
	const std::string& uri = request.getURI();
	return uri.compare(0, uri.find('?'), "/rooms") == 0;
}

std::string RoomList::json(const std::vector<ChatHandler::RoomUsers>& rooms)
{
	std::string out = "[";
	for (std::size_t i = 0; i < rooms.size(); ++i)
	{
		if (i != 0) out += ',';
		out.append("{\"room\":");
		JsonWriter::appendString(out, rooms[i].room);
		out.append(",\"users\":");
		JsonWriter::appendNumber(out, std::uint64_t(rooms[i].users));
		out += '}';
	}
	out += ']';
	return out;
}

void RoomList::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
	using Poco::Net::HTTPResponse;
	// Whatever the answer: nothing here for a cache, a sniffer or a frame.
	response.set("Cache-Control", "no-store");
	response.set("X-Content-Type-Options", "nosniff");
	response.set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'");
	response.set("Vary", "Origin");
	// Browsers send Origin on a cross-origin fetch (the page's port is
	// another origin); a request without one is a same-origin or non-browser
	// one, which CORS does not concern.
	const std::string origin = request.get("Origin", "");
	if (!origin.empty())
	{
		if (!_origins.allows(origin, request.getHost()))
		{
			sendText(response, HTTPResponse::HTTP_FORBIDDEN, "origin not allowed");
			return;
		}
		response.set("Access-Control-Allow-Origin", origin);
	}
	if (!_chat.admitRequest(addressKey(request.clientAddress().host())))
	{
		response.set("Retry-After", "1");
		sendText(response, HTTPResponse::HTTP_TOO_MANY_REQUESTS, "too many requests from this address");
		return;
	}
	const std::string body = json(_chat.busiestRooms(MaxRooms));
	response.setStatusAndReason(HTTPResponse::HTTP_OK);
	response.setContentType("application/json; charset=utf-8");
	response.sendBuffer(body.data(), body.size());
}

RoomListFactory::RoomListFactory(engine::Engine& engine, engine::OriginPolicy origins, ChatHandler& chat):
	_origins(origins),
	_upgrades(engine, std::move(origins)),
	_chat(chat)
{
}

Poco::Net::HTTPRequestHandler* RoomListFactory::createRequestHandler(const Poco::Net::HTTPServerRequest& request)
{
	if (RoomList::isFor(request)) return new RoomList(_chat, _origins);
	return _upgrades.createRequestHandler(request);
}

} // namespace webchat::chatroom
