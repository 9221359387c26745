#include "ChatHandler.h"

#include "ChatSession.h"
#include "ClientCommand.h"
#include "Clock.h"
#include "NameRules.h"
#include "NickToken.h"
#include "ServerEvents.h"
#include "auth/SignedIdentity.h"

#include "webchat/engine/Connection.h"

#include "Poco/Net/HTTPServerRequest.h"

#include <algorithm>

namespace webchat::chatroom {

namespace {

void sendError(engine::Connection& connection, std::string_view code, std::string_view message)
{
	connection.send(ws::Opcode::Text, ServerEvents::error(code, message));
}

ChatError nickReserved(const std::string& nick, std::uint16_t closeCode)
{
	return {"nick_reserved", "the nick " + nick + " is kept for the browser that used it; choose another", closeCode};
}

} // namespace

ChatHandler::ChatHandler(const ChatSettings& settings, const auth::AuthSettings& auth, TopicSource topics, HistoryStore& store, Poco::Logger& logger,
	NickReservations* reservations):
	_settings(settings),
	_auth(auth),
	_logger(logger),
	_reservations(reservations),
	_framesPerAddress(settings.ratePerIpPerSecond, static_cast<double>(settings.ratePerIpBurst)),
	_presencePerAddress(static_cast<double>(settings.presenceEventsPerIpPerMinute) / 60.0, static_cast<double>(settings.presenceEventsPerIpPerMinute)),
	// Cheap: a room is loaded from the store by its first join, outside the
	// registry's lock (Room::join).
	_rooms(settings.maxRooms, [topics = std::move(topics), limits = settings.roomLimits(), &store, &logger](const Name& name) {
		return std::make_shared<Room>(name, topics(name.key), limits, store, logger);
	})
{
}

std::unique_ptr<ChatSession> ChatHandler::makeSession(const Poco::Net::HTTPServerRequest& request)
{
	// Parsed here, on the HTTP thread; a refusal is reported in onOpen, over
	// the WebSocket, because browsers do not show a handshake's HTTP status.
	return std::make_unique<ChatSession>(RequestTarget::parse(request.getURI()), _settings);
}

void ChatHandler::refuse(engine::Connection& connection, const ChatError& error)
{
	if (_logger.debug()) _logger.debug("refusing " + connection.peerAddress() + ": " + error.code + ": " + error.message);
	sendError(connection, error.code, error.message);
	if (error.closeCode != 0) connection.close(error.closeCode, error.code);
}

void ChatHandler::onOpen(engine::Connection& connection)
{
	ChatSession& session = sessionOf(connection);
	const RequestTarget& target = session.target();
	if (target.error())
	{
		refuse(connection, *target.error());
		return;
	}
	std::optional<std::string> nick = target.nick();
	if (_auth.mode == auth::AuthSettings::Mode::Jwt)
	{
		// A token with a '.' is a signed identity; one without is a nick
		// token, which makes a guest.
		const std::optional<std::string>& token = target.token();
		if (token && token->find('.') != std::string::npos)
		{
			const auto identity = verify(connection, *token);
			if (!identity) return;
			adopt(connection, session, *identity);
			if (!identity->name.empty()) nick = identity->name;
		}
		else if (!_auth.allowGuests)
		{
			if (token)
			{
				refuse(connection, {"unauthorized", "this room admits signed identities only, and token= is not one", CloseCodes::Unauthorized});
				return;
			}
			// The join waits for the token in an auth frame.
			session.setAuth(ChatSession::Auth::AwaitingToken);
			connection.setDeadline(steadyMs() + _auth.authGraceMs);
			return;
		}
	}
	joinRoom(connection, session, nick);
}

void ChatHandler::joinRoom(engine::Connection& connection, ChatSession& session, const std::optional<std::string>& nick)
{
	const RequestTarget& target = session.target();
	// A signed identity keeps its nick for its subject; anyone else is known
	// by its nick token.
	std::string token;
	if (session.speaker().verified)
	{
		if (const auto refusal = nick ? claimForHolder(session, *nick) : std::nullopt)
		{
			refuse(connection, {refusal->code, refusal->message, CloseCodes::Conflict});
			return;
		}
	}
	else
	{
		auto claimed = claimByNickToken(session, nick);
		if (const auto* refusal = std::get_if<ChatError>(&claimed))
		{
			refuse(connection, *refusal);
			return;
		}
		token = std::move(std::get<std::string>(claimed));
	}
	auto room = _rooms.acquire(Name::of(target.room()));
	if (!room)
	{
		refuse(connection, {"too_many_rooms", "the server has " + std::to_string(_settings.maxRooms) + " rooms open; join one that exists", CloseCodes::TooMany});
		return;
	}
	session.hold(room);
	// One address coming and going must not flood every room with join
	// and leave events: beyond its budget they are not broadcast.
	session.setAnnounced(_presencePerAddress.tryTake(connection.peerAddress(), steadyMs()));
	const Room::JoinResult result = room->join(connection, nick, target.since(), target.epoch(), session.announced(), session.speaker(), token);
	if (result.unavailable)
	{
		refuse(connection, {"unavailable", "the chat server cannot reach its shared backend; try again shortly", CloseCodes::Unavailable});
		return;
	}
	if (!result.status)
	{
		// Closed before it could join: nothing will call onClose again.
		session.dropRoom();
		_rooms.release(room->key());
		return;
	}
	switch (*result.status)
	{
	case RoomState::Join::Joined:
		// A welcome too big for the client's queue would have closed it
		// already (ChatSettings rules that out), and onClose, run then, did
		// not know it was in the room.
		if (connection.isOpen())
			session.joinedAs(result.nick);
		else
			room->leave(result.nick, session.announced());
		break;
	case RoomState::Join::NickTaken:
		refuse(connection, {"nick_taken", "someone in this room is already called " + result.nick, CloseCodes::Conflict});
		break;
	case RoomState::Join::Full:
		refuse(connection, {"room_full", "this room has its maximum of " + std::to_string(_settings.maxUsersPerRoom) + " users", CloseCodes::TooMany});
		break;
	}
}

std::variant<std::string, ChatError> ChatHandler::claimByNickToken(ChatSession& session, const std::optional<std::string>& nick)
{
	const std::optional<std::string>& sent = session.target().token();
	const bool wellFormed = sent && NickToken::wellFormed(*sent);
	std::string token = NickToken::generate();
	if (_reservations && nick && NickReservations::reservable(*nick))
	{
		// A new token first: a free nick becomes the newcomer's under it
		// (a token sent for a free nick is stale or another nick's, and is
		// replaced). Only a held nick gives the sent token its chance.
		using Claim = NickReservations::Claim;
		const std::string key = NameRules::comparisonKey(*nick);
		const std::int64_t now = wallClockMs();
		Claim claim = _reservations->claim(key, NickToken::holder(token), now);
		if (claim != Claim::Granted && wellFormed)
		{
			if (claim == Claim::Reserved) claim = _reservations->claim(key, NickToken::holder(*sent), now);
			// Unavailable: the sent token is kept, so that an outage of the
			// backend does not cost the client its nick.
			if (claim != Claim::Reserved) token = *sent;
		}
		if (claim == Claim::Reserved) return nickReserved(*nick, CloseCodes::Conflict);
	}
	else if (wellFormed)
	{
		// Nothing to check it against: the client keeps its public id.
		token = *sent;
	}
	session.setSpeaker(Speaker{NickToken::publicId(token), false, 0, {}});
	if (_reservations) session.setNickHolder(NickToken::holder(token));
	return token;
}

std::optional<ChatError> ChatHandler::claimForHolder(const ChatSession& session, const std::string& nick)
{
	if (!_reservations || session.nickHolder().empty()) return std::nullopt;
	if (!NickReservations::reservable(nick)) return std::nullopt;
	if (_reservations->claim(NameRules::comparisonKey(nick), session.nickHolder(), wallClockMs()) != NickReservations::Claim::Reserved) return std::nullopt;
	return nickReserved(nick, 0);
}

void ChatHandler::onMessage(engine::Connection& connection, ws::Opcode opcode, std::string_view payload)
{
	ChatSession& session = sessionOf(connection);
	if (session.auth() == ChatSession::Auth::AwaitingToken)
	{
		firstAuthFrame(connection, session, opcode, payload);
		return;
	}
	if (!session.joined()) return;
	if (opcode != ws::Opcode::Text)
	{
		sendError(connection, "unsupported", "binary frames are not supported; the room speaks text");
		connection.close(ws::CloseCode::Unsupported, "unsupported");
		return;
	}
	const std::int64_t now = steadyMs();
	// The connection's own budget first, then its address's: a client
	// gains nothing by opening more connections.
	if (!session.messages().tryTake(now) || !_framesPerAddress.tryTake(connection.peerAddress(), now))
	{
		if (session.flood().refuse(now))
		{
			_logger.notice("closing " + connection.peerAddress() + " (" + session.nick() + " in " + session.room()->name() + "): flooding");
			sendError(connection, "flooding", "too many messages past the rate limit");
			connection.close(ws::CloseCode::PolicyViolation, "flooding");
			return;
		}
		sendError(connection, "rate_limited", "too many messages; slow down");
		return;
	}
	const ClientCommand command = ClientCommand::parse(payload);
	if (session.auth() == ChatSession::Auth::Expired && command.kind() != ClientCommand::Kind::Auth)
	{
		sendError(connection, "token_expired", "your signed identity has expired; send a fresh token in an auth frame");
		return;
	}
	switch (command.kind())
	{
	case ClientCommand::Kind::Message:
		postMessage(connection, session, command.argument());
		break;
	case ClientCommand::Kind::Nick:
		changeNick(connection, session, command.argument(), now);
		break;
	case ClientCommand::Kind::Auth:
		authenticate(connection, session, std::string(command.argument()), now);
		break;
	case ClientCommand::Kind::BadRequest:
		sendError(connection, "bad_request", command.problem());
		break;
	}
}

void ChatHandler::postMessage(engine::Connection& connection, ChatSession& session, std::string_view text)
{
	if (text.size() > _settings.maxTextBytes)
	{
		sendError(connection, "too_long", "a message may have at most " + std::to_string(_settings.maxTextBytes) + " bytes");
		return;
	}
	// Escaped before taking the room's lock; the buffer keeps its capacity
	// from one message to the next on this I/O thread.
	thread_local std::string tail;
	tail.clear();
	const std::int64_t ts = wallClockMs();
	const ServerEvents::Sender sender{session.speaker().from, session.speaker().verified};
	ServerEvents::appendMessageTail(tail, session.escapedNick(), sender, text, ts);
	switch (session.room()->post(session.nick(), sender, text, ts, tail))
	{
	case SharedRooms::Posted::Sent:
		break;
	case SharedRooms::Posted::Delayed:
		sendError(connection, "delayed", "the chat server cannot reach its shared backend; your message is queued and will be delivered when it is back");
		break;
	case SharedRooms::Posted::Refused:
		sendError(connection, "unavailable", "the chat server's queue to its shared backend is full (unreachable or overloaded); your message was not sent");
		break;
	}
}

void ChatHandler::changeNick(engine::Connection& connection, ChatSession& session, std::string_view requested, std::int64_t now)
{
	const std::string problem = NameRules::checkNick(requested);
	if (!problem.empty())
	{
		sendError(connection, "invalid_nick", problem);
		return;
	}
	std::string nick = NameRules::displayForm(requested);
	if (nick == session.nick()) return;
	// Only changes that happen count: a client trying nicks that are taken
	// is not punished for it.
	if (!session.nickChanges().available(now))
	{
		sendError(connection, "nick_rate_limited", "at most " + std::to_string(_settings.nickChangesPerMinute) + " nick changes a minute");
		return;
	}
	if (const auto refusal = claimForHolder(session, nick))
	{
		sendError(connection, refusal->code, refusal->message);
		return;
	}
	switch (session.room()->rename(session.nick(), nick, session.speaker().verified))
	{
	case RoomState::Rename::Renamed:
		session.nickChanges().tryTake(now);
		session.setNick(std::move(nick));
		break;
	case RoomState::Rename::Taken:
		sendError(connection, "nick_taken", "someone in this room is already called " + nick);
		break;
	case RoomState::Rename::Unchanged:
	case RoomState::Rename::NotMember:
		break;
	}
}

void ChatHandler::onClose(engine::Connection& connection, std::uint16_t)
{
	ChatSession& session = sessionOf(connection);
	const bool wasMember = session.joined();
	const auto room = session.dropRoom();
	if (!room) return;
	if (wasMember) room->leave(session.nick(), session.announced());
	_rooms.release(room->key());
}

std::optional<auth::Identity> ChatHandler::verify(engine::Connection& connection, const std::string& token)
{
	auto checked = _auth.verifier->verify(token, wallClockMs() / 1000);
	if (const auto* error = std::get_if<auth::TokenError>(&checked))
	{
		// Logged (at debug) as any refusal: why, never the token.
		refuse(connection, auth::refusal(*error));
		return std::nullopt;
	}
	return std::get<auth::Identity>(std::move(checked));
}

void ChatHandler::adopt(engine::Connection& connection, ChatSession& session, const auth::Identity& identity)
{
	session.setSpeaker(auth::speakerOf(identity));
	session.setAuth(ChatSession::Auth::Verified);
	if (_reservations) session.setNickHolder(NickToken::subjectHolder(identity.subject));
	connection.setDeadline(auth::steadyExpiry(identity.expiresAt, wallClockMs(), steadyMs()));
}

void ChatHandler::firstAuthFrame(engine::Connection& connection, ChatSession& session, ws::Opcode opcode, std::string_view payload)
{
	// One frame decides: the token it carries joins the connection, and
	// anything else ends it.
	const auto command = opcode == ws::Opcode::Text ? std::optional<ClientCommand>(ClientCommand::parse(payload)) : std::nullopt;
	if (!command || command->kind() != ClientCommand::Kind::Auth)
	{
		refuse(connection, {"unauthorized", "this room admits signed identities only: send {\"type\":\"auth\",\"token\":...} first", CloseCodes::Unauthorized});
		return;
	}
	const auto identity = verify(connection, std::string(command->argument()));
	if (!identity) return;
	adopt(connection, session, *identity);
	joinRoom(connection, session, identity->name.empty() ? session.target().nick() : std::optional<std::string>(identity->name));
}

void ChatHandler::authenticate(engine::Connection& connection, ChatSession& session, const std::string& token, std::int64_t now)
{
	if (_auth.mode != auth::AuthSettings::Mode::Jwt)
	{
		sendError(connection, "bad_request", "this server takes no signed identities (auth = none)");
		return;
	}
	const auto identity = verify(connection, token);
	if (!identity) return;
	const bool wasVerified = session.speaker().verified;
	if (wasVerified && identity->subject != session.speaker().subject)
	{
		refuse(connection, {"unauthorized", "a fresh token must name the subject the connection has", CloseCodes::Unauthorized});
		return;
	}
	adopt(connection, session, *identity);
	// A guest taking an identity is a verified member from now on (before
	// it is told, so a welcome it causes lists it).
	if (!wasVerified) session.room()->setVerified(session.nick(), session.speaker());
	connection.send(ws::Opcode::Text, ServerEvents::authenticated(session.speaker(), identity->expiresAt));
	// It takes the identity's name too, as any rename; a refresh keeps the
	// nick the connection has.
	if (!wasVerified && !identity->name.empty()) changeNick(connection, session, identity->name, now);
}

void ChatHandler::onDeadline(engine::Connection& connection)
{
	ChatSession& session = sessionOf(connection);
	switch (session.auth())
	{
	case ChatSession::Auth::AwaitingToken:
		refuse(connection, {"unauthorized", "no auth frame came within " + std::to_string(_auth.authGraceMs) + " ms", CloseCodes::Unauthorized});
		break;
	case ChatSession::Auth::Verified:
		session.setAuth(ChatSession::Auth::Expired);
		sendError(connection, "token_expired", "your signed identity has expired; send a fresh token in an auth frame within " + std::to_string(_auth.authGraceMs) + " ms");
		connection.setDeadline(steadyMs() + _auth.authGraceMs);
		break;
	case ChatSession::Auth::Expired:
		refuse(connection, {"unauthorized", "your signed identity expired and no fresh token came", CloseCodes::Unauthorized});
		break;
	case ChatSession::Auth::Guest:
		break;
	}
}

} // namespace webchat::chatroom

namespace webchat::chatroom {

std::optional<SharedRooms::Position> ChatHandler::position(const std::string& room)
{
	const auto found = _rooms.find(room);
	return found ? found->position() : std::nullopt;
}

void ChatHandler::message(const std::string& room, const std::string& epoch, const HistoryStore::Message& message)
{
	if (const auto found = _rooms.find(room)) found->deliver(epoch, message);
}

void ChatHandler::reload(const std::string& room)
{
	if (const auto found = _rooms.find(room)) found->reload();
}

void ChatHandler::presence(const std::string& room, const SharedRooms::Presence& change)
{
	if (const auto found = _rooms.find(room)) found->applyPresence(change);
}

void ChatHandler::remoteMembers(const std::string& room, const std::map<std::string, std::string>& members)
{
	if (const auto found = _rooms.find(room)) found->replaceRemoteMembers(members);
}

void ChatHandler::instanceGone(const std::string& instance)
{
	for (const auto& room : _rooms.all()) room->removeInstance(instance);
}

std::map<std::string, std::vector<Name>> ChatHandler::localMembers()
{
	std::map<std::string, std::vector<Name>> result;
	for (const auto& room : _rooms.all())
		if (auto members = room->localMembers()) result[room->key()] = std::move(*members);
	return result;
}

std::vector<std::string> ChatHandler::remoteInstances()
{
	std::vector<std::string> result;
	for (const auto& room : _rooms.all())
		for (auto& instance : room->remoteInstances())
			if (std::find(result.begin(), result.end(), instance) == result.end()) result.push_back(std::move(instance));
	return result;
}

} // namespace webchat::chatroom
