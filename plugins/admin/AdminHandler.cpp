#include "AdminHandler.h"

#include "ApiError.h"
#include "JsonBody.h"

#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/Net/MediaType.h"
#include "Poco/String.h"
#include "Poco/UTF8String.h"

#include <algorithm>
#include <istream>

namespace webchat::admin {

namespace {

// Sizes of what a body may hold, beside max_json_bytes for the whole: loose
// bounds on the JSON, so nothing huge is copied; the chat room checks each
// value against its own rules and limits (ChatService: Status::Invalid).
constexpr std::size_t MaxNickBytes = 256;     // 32 characters of the name rules, 4 bytes and some marks each
constexpr std::size_t MaxReasonBytes = 1024;
constexpr std::size_t MaxAddressBytes = 64;
constexpr std::int64_t MaxBanSeconds = 10LL * 366 * 24 * 3600;
// A bot or system speaker's nick when the body gives none.
const std::string defaultBotNick = "system";

std::string quoted(const std::string& text)
{
	return "\"" + Poco::UTF8::escape(text, true) + "\"";
}

std::string quotedOrNull(const std::string& text)
{
	return text.empty() ? "null" : quoted(text);
}

std::string errorJson(const std::string& code, const std::string& message)
{
	return "{\"error\":" + quoted(code) + ",\"message\":" + quoted(message) + "}";
}

template <class Items, class Write>
std::string jsonArray(const Items& items, Write write)
{
	std::string json = "[";
	for (const auto& item : items)
	{
		if (json.size() > 1) json += ',';
		json += write(item);
	}
	return json + "]";
}

void send(Poco::Net::HTTPServerResponse& response, int status, const std::string& json)
{
	response.setStatusAndReason(static_cast<Poco::Net::HTTPResponse::HTTPStatus>(status));
	response.setContentType("application/json; charset=utf-8");
	response.set("Cache-Control", "no-store");
	response.set("X-Content-Type-Options", "nosniff");
	response.setContentLength64(static_cast<Poco::Int64>(json.size()));
	response.sendBuffer(json.data(), json.size());
}

// The ChatService's answer, or the ApiError its failure is.
template <class Value>
Value valueOf(ChatService::Result<Value> result)
{
	if (!result.ok())
	{
		const auto [status, code] = AdminHandler::httpStatusOf(result.status);
		throw ApiError(status, code, result.message);
	}
	return std::move(result.value);
}

void requireJson(const Poco::Net::HTTPServerRequest& request)
{
	const std::string contentType = request.getContentType();
	bool json = false;
	if (!contentType.empty())
	{
		const Poco::Net::MediaType type(contentType);
		const std::string charset = type.hasParameter("charset") ? type.getParameter("charset") : std::string("utf-8");
		json = type.matches("application", "json") && Poco::icompare(charset, "utf-8") == 0;
	}
	if (!json) throw ApiError(415, "unsupported_media_type", "the body must be Content-Type: application/json (UTF-8)");
}

} // namespace

std::pair<int, const char*> AdminHandler::httpStatusOf(ChatService::Status status)
{
	using Status = ChatService::Status;
	switch (status)
	{
	case Status::Ok: return {200, "ok"};
	case Status::NoSuchRoom: return {404, "no_such_room"};
	case Status::NoSuchMember: return {404, "no_such_member"};
	case Status::NoSuchMessage: return {404, "no_such_message"};
	case Status::NoSuchBan: return {404, "no_such_ban"};
	case Status::Invalid: return {400, "invalid_request"};
	case Status::Unavailable: return {503, "unavailable"};
	}
	return {500, "internal_error"};
}

AdminHandler::AdminHandler(std::shared_ptr<const AdminContext> context):
	_context(std::move(context))
{
}

void AdminHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
	const std::string peer = request.clientAddress().host().toString();
	try
	{
		// Nothing about the API is told to a client without the token, not
		// even which paths exist.
		if (!_context->token.accepts(request.get("Authorization", "")))
		{
			response.set("WWW-Authenticate", "Bearer realm=\"webchat admin\"");
			throw ApiError(401, "unauthorized", "send Authorization: Bearer <the token of api_token_file>");
		}
		const ApiRoute route = ApiRoute::parse(request.getMethod(), request.getURI());
		const std::string body = route.takesBody() ? readBody(request) : std::string();
		const Reply reply = dispatch(route, body, peer);
		send(response, reply.status, reply.json);
	}
	catch (const ApiError& error)
	{
		if (!error.allow.empty()) response.set("Allow", error.allow);
		send(response, error.status, errorJson(error.code, error.what()));
	}
}

std::string AdminHandler::readBody(Poco::Net::HTTPServerRequest& request) const
{
	requireJson(request);
	const std::size_t limit = _context->maxJsonBytes;
	if (request.hasContentLength() && request.getContentLength64() > static_cast<Poco::Int64>(limit))
		throw ApiError(413, "body_too_large", "the body may have at most " + std::to_string(limit) + " bytes");
	std::string body(limit + 1, '\0');
	std::istream& in = request.stream();
	in.read(&body[0], static_cast<std::streamsize>(body.size()));
	body.resize(static_cast<std::size_t>(in.gcount()));
	if (body.size() > limit) throw ApiError(413, "body_too_large", "the body may have at most " + std::to_string(limit) + " bytes");
	return body;
}

std::shared_ptr<ChatService> AdminHandler::chatService(const std::string& listener) const
{
	auto service = findService<ChatService>(_context->host, ChatService::serviceName(listener));
	if (service) return service;
	if (_context->host.findService(ChatService::serviceName(listener)))
		throw ApiError(503, "unavailable", "chat listener " + listener + " offers another version of the chat service than " + ChatService::versionedName);
	throw ApiError(503, "unavailable", "chat listener " + listener + " is not serving");
}

AdminHandler::Reply AdminHandler::dispatch(const ApiRoute& route, const std::string& body, const std::string& peer)
{
	const auto& listeners = _context->chatListeners;
	const std::string listener = route.listener.empty() ? listeners.front() : route.listener;
	if (std::find(listeners.begin(), listeners.end(), listener) == listeners.end())
		throw ApiError(400, "invalid_request", "listener " + listener.substr(0, 64) + " is not one of chat_listeners");
	using Kind = ApiRoute::Kind;
	// Bodies are parsed before the service is looked up: a bad request is
	// told so whether the chat listener serves or not.
	std::optional<JsonBody> json;
	if (route.kind == Kind::AddMessage) json = JsonBody::parse(body, {"text", "nick"});
	if (route.kind == Kind::Kick) json = JsonBody::parse(body, {"nick", "reason"});
	if (route.kind == Kind::AddBan) json = JsonBody::parse(body, {"room", "nick", "address", "seconds", "reason"});
	const auto chat = chatService(listener);
	auto audit = [&](const std::string& what) {
		_context->logger.notice("api from " + peer + ": " + what + " (listener " + listener + ")");
	};

	switch (route.kind)
	{
	case Kind::ListRooms:
		return {200, jsonArray(valueOf(chat->rooms()), [](const ChatService::RoomSummary& room) {
			return "{\"room\":" + quoted(room.room) + ",\"users\":" + std::to_string(room.users) + ",\"lastId\":" + std::to_string(room.lastId) + "}";
		})};
	case Kind::ListUsers:
		return {200, jsonArray(valueOf(chat->members(route.room)), [](const ChatService::Member& member) {
			return "{\"nick\":" + quoted(member.nick) + ",\"from\":" + quotedOrNull(member.from) + ",\"verified\":" +
				(member.verified ? "true" : "false") + ",\"address\":" + quotedOrNull(member.address) + "}";
		})};
	case Kind::ListMessages:
		return {200, jsonArray(valueOf(chat->messages(route.room, route.before, route.limit)), [](const ChatService::StoredMessage& message) {
			return message.json;
		})};
	case Kind::AddMessage:
	{
		const std::string text = json->requiredText("text", _context->maxJsonBytes);
		const std::string nick = json->text("nick", MaxNickBytes).value_or(defaultBotNick);
		const auto posted = valueOf(chat->post(route.room, nick, text));
		audit("posted to " + route.room + " as " + nick + (posted.id ? ", id " + std::to_string(posted.id) : ", queued"));
		return {201, "{\"id\":" + (posted.id ? std::to_string(posted.id) : std::string("null")) + (posted.queued ? ",\"queued\":true" : "") + "}"};
	}
	case Kind::DeleteMessage:
		valueOf(chat->deleteMessage(route.room, route.id));
		audit("deleted message " + std::to_string(route.id) + " of " + route.room);
		return {200, "{\"deleted\":" + std::to_string(route.id) + "}"};
	case Kind::Kick:
	{
		const std::string nick = json->requiredText("nick", MaxNickBytes);
		const std::string reason = json->text("reason", MaxReasonBytes).value_or("");
		valueOf(chat->kick(route.room, nick, reason));
		audit("kicked " + nick + " from " + route.room);
		return {200, "{\"kicked\":" + quoted(nick) + "}"};
	}
	case Kind::AddBan:
	{
		ChatService::BanRequest ban;
		ban.room = json->text("room", ApiRoute::MaxRoomSegmentBytes).value_or("");
		ban.nick = json->text("nick", MaxNickBytes).value_or("");
		ban.address = json->text("address", MaxAddressBytes).value_or("");
		const auto seconds = json->integer("seconds", 1, MaxBanSeconds);
		if (!seconds) throw ApiError(400, "invalid_request", "seconds is missing");
		ban.seconds = *seconds;
		ban.reason = json->text("reason", MaxReasonBytes).value_or("");
		if (ban.nick.empty() && ban.address.empty()) throw ApiError(400, "invalid_request", "a ban names a nick, an address or both");
		const auto id = valueOf(chat->addBan(ban));
		audit("ban " + std::to_string(id) + " of " + (ban.nick.empty() ? ban.address : ban.nick) + " in " + (ban.room.empty() ? "every room" : ban.room));
		return {201, "{\"id\":" + std::to_string(id) + "}"};
	}
	case Kind::ListBans:
		return {200, jsonArray(valueOf(chat->bans()), [](const ChatService::Ban& ban) {
			return "{\"id\":" + std::to_string(ban.id) + ",\"room\":" + quotedOrNull(ban.room) + ",\"nick\":" + quotedOrNull(ban.nick) +
				",\"address\":" + quotedOrNull(ban.address) + ",\"reason\":" + quoted(ban.reason) + ",\"expires\":" + std::to_string(ban.expiresMs) + "}";
		})};
	case Kind::RemoveBan:
		valueOf(chat->removeBan(route.id));
		audit("lifted ban " + std::to_string(route.id));
		return {200, "{\"removed\":" + std::to_string(route.id) + "}"};
	}
	throw ApiError(500, "internal_error", "unhandled route");
}

AdminHandlerFactory::AdminHandlerFactory(std::shared_ptr<const AdminContext> context):
	_context(std::move(context))
{
}

Poco::Net::HTTPRequestHandler* AdminHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&)
{
	return new AdminHandler(_context);
}

} // namespace webchat::admin
