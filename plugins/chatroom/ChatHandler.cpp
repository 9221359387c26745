#include "ChatHandler.h"

#include "ChatSession.h"
#include "ClientCommand.h"
#include "Clock.h"
#include "NameRules.h"
#include "ServerEvents.h"

#include "webchat/ErrorText.h"
#include "webchat/engine/Connection.h"

#include "Poco/Net/HTTPServerRequest.h"

#include <algorithm>

namespace webchat::chatroom {

namespace {

void sendError(engine::Connection& connection, std::string_view code, std::string_view message)
{
	connection.send(ws::Opcode::Text, ServerEvents::error(code, message));
}

bool mayModerate(const Speaker& speaker)
{
	return speaker.has(auth::Role::Moderator) || speaker.has(auth::Role::Admin);
}

} // namespace

ChatHandler::ChatHandler(const ChatSettings& settings, TopicSource topics, HistoryStore& store, Poco::Logger& logger):
	_settings(settings),
	_logger(logger),
	_store(store),
	_framesPerAddress(settings.ratePerIpPerSecond, static_cast<double>(settings.ratePerIpBurst)),
	_presencePerAddress(static_cast<double>(settings.presenceEventsPerIpPerMinute) / 60.0, static_cast<double>(settings.presenceEventsPerIpPerMinute)),
	_moderationStore(store.moderationStore(logger)),
	_moderation(*_moderationStore, Poco::Logger::get(logger.name() + ".audit"), logger),
	// Cheap: a room is loaded from the store by its first join, outside the
	// registry's lock (Room::join).
	_rooms(settings.maxRooms, [topics = std::move(topics), limits = settings.roomLimits(), &store, &logger, moderation = &_moderation](const std::string& name) {
		return std::make_shared<Room>(name, topics(name), limits, store, logger, moderation);
	})
{
	_moderation.loadIfNeeded();
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
	if (bannedFromJoining(connection, session)) return;
	auto room = _rooms.acquire(target.room());
	if (!room)
	{
		refuse(connection, {"too_many_rooms", "the server has " + std::to_string(_settings.maxRooms) + " rooms open; join one that exists", CloseCodes::TooMany});
		return;
	}
	session.hold(room);
	// One address coming and going must not flood every room with join
	// and leave events: beyond its budget they are not broadcast.
	session.setAnnounced(_presencePerAddress.tryTake(connection.peerAddress(), steadyMs()));
	const Room::JoinResult result = room->join(connection, target.nick(), target.since(), target.epoch(), session.announced());
	if (result.unavailable)
	{
		refuse(connection, {"unavailable", "the chat server cannot reach its shared backend; try again shortly", CloseCodes::Unavailable});
		return;
	}
	if (!result.status)
	{
		// Closed before it could join: nothing will call onClose again.
		session.dropRoom();
		_rooms.release(room->name());
		return;
	}
	switch (*result.status)
	{
	case RoomState::Join::Joined:
		// A welcome too big for the client's queue would have closed it
		// already (ChatSettings rules that out), and onClose, run then, did
		// not know it was in the room.
		if (connection.isOpen())
		{
			session.joinedAs(result.nick);
			_targets.add({room->name(), result.nick, subjectOf(session, connection), connection.handle()});
		}
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

void ChatHandler::onMessage(engine::Connection& connection, ws::Opcode opcode, std::string_view payload)
{
	ChatSession& session = sessionOf(connection);
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
	switch (command.kind())
	{
	case ClientCommand::Kind::Message:
		postMessage(connection, session, command.argument());
		break;
	case ClientCommand::Kind::Nick:
		changeNick(connection, session, command.argument(), now);
		break;
	case ClientCommand::Kind::BadRequest:
		sendError(connection, "bad_request", command.problem());
		break;
	default:
		moderate(connection, session, command);
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
	if (!mayPost(connection, session)) return;
	// Escaped before taking the room's lock; the buffer keeps its capacity
	// from one message to the next on this I/O thread.
	thread_local std::string tail;
	tail.clear();
	const std::int64_t ts = wallClockMs();
	ServerEvents::appendMessageTail(tail, session.escapedNick(), text, ts);
	switch (session.room()->post(session.nick(), text, ts, tail))
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
	std::string nick(requested);
	const std::string problem = NameRules::checkNick(nick);
	if (!problem.empty())
	{
		sendError(connection, "invalid_nick", problem);
		return;
	}
	if (nick == session.nick()) return;
	// Only changes that happen count: a client trying nicks that are taken
	// is not punished for it.
	if (!session.nickChanges().available(now))
	{
		sendError(connection, "nick_rate_limited", "at most " + std::to_string(_settings.nickChangesPerMinute) + " nick changes a minute");
		return;
	}
	switch (session.room()->rename(session.nick(), nick))
	{
	case RoomState::Rename::Renamed:
		session.nickChanges().tryTake(now);
		_targets.rename(session.room()->name(), NameRules::comparisonKey(session.nick()), nick, NameRules::comparisonKey(nick));
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
	if (wasMember)
	{
		_targets.remove(room->name(), NameRules::comparisonKey(session.nick()));
		room->leave(session.nick(), session.announced());
	}
	_rooms.release(room->name());
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

std::map<std::string, std::vector<std::string>> ChatHandler::localMembers()
{
	std::map<std::string, std::vector<std::string>> result;
	for (const auto& room : _rooms.all())
		if (auto members = room->localMembers()) result[room->name()] = std::move(*members);
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

// Moderation ----------------------------------------------------------------

namespace webchat::chatroom {

namespace {

std::string secondsText(std::int64_t remainingMs)
{
	const std::int64_t seconds = ModerationState::secondsOf(remainingMs);
	return std::to_string(seconds) + (seconds == 1 ? " second" : " seconds");
}

} // namespace

Subject ChatHandler::subjectOf(const ChatSession& session, const engine::Connection& connection) const
{
	return Subject{NameRules::comparisonKey(session.nick()), session.speaker().from, connection.peerAddress()};
}

bool ChatHandler::bannedFromJoining(engine::Connection& connection, const ChatSession& session)
{
	_moderation.loadIfNeeded();
	const RequestTarget& target = session.target();
	const Subject subject{target.nick() ? NameRules::comparisonKey(*target.nick()) : std::string(), session.speaker().from, connection.peerAddress()};
	const auto ban = _moderation.banOf(target.room(), subject);
	if (!ban) return false;
	if (_logger.debug()) _logger.debug("refusing " + connection.peerAddress() + ": banned from " + target.room() + " (ban " + std::to_string(ban->id) + ")");
	const std::string scope = ban->room.empty() ? "this server" : "this room";
	if (ban->untilMs == 0)
		sendError(connection, "banned", "you are banned from " + scope);
	else
	{
		const std::int64_t remaining = ban->untilMs - _moderation.now();
		connection.send(ws::Opcode::Text, ServerEvents::error("banned", "you are banned from " + scope + " for another " + secondsText(remaining),
			ModerationState::secondsOf(remaining)));
	}
	connection.close(CloseCodes::Forbidden, "banned");
	return true;
}

bool ChatHandler::mayPost(engine::Connection& connection, const ChatSession& session)
{
	// Moderators are not held back; everyone else only when some mute or
	// slow mode exists at all (computing a subject costs a normalization).
	if (!_moderation.anyMessageRules() || mayModerate(session.speaker())) return true;
	const Subject subject = subjectOf(session, connection);
	const std::string& room = session.room()->name();
	if (const std::int64_t muted = _moderation.mutedFor(room, subject))
	{
		connection.send(ws::Opcode::Text, ServerEvents::error("muted", "a moderator muted you here for another " + secondsText(muted), ModerationState::secondsOf(muted)));
		return false;
	}
	if (const std::int64_t wait = _moderation.takeTurn(room, subject))
	{
		connection.send(ws::Opcode::Text, ServerEvents::error("slow_mode", "this room is in slow mode: your next message in " + secondsText(wait), ModerationState::secondsOf(wait)));
		return false;
	}
	return true;
}

void ChatHandler::moderate(engine::Connection& connection, ChatSession& session, const ClientCommand& command)
{
	const Speaker& speaker = session.speaker();
	if (!mayModerate(speaker))
	{
		sendError(connection, "forbidden", "only moderators may do that");
		return;
	}
	const ClientCommand::ModerationFields& fields = command.moderation();
	const std::string& room = session.room()->name();
	const std::string& by = session.nick();
	switch (command.kind())
	{
	case ClientCommand::Kind::Delete:
		if (deleteMessage(room, fields.id, by) == Outcome::NotFound) sendError(connection, "not_found", "no message " + std::to_string(fields.id) + " in this room");
		break;
	case ClientCommand::Kind::Kick:
		if (kick(room, fields.nick, fields.reason, by) == Outcome::NotFound) sendError(connection, "not_found", "nobody called " + fields.nick + " is in this room");
		break;
	case ClientCommand::Kind::Mute:
		mute(room, fields.nick, *fields.seconds, by);
		break;
	case ClientCommand::Kind::Ban:
		if (!fields.address.empty() && !speaker.has(auth::Role::Admin))
		{
			sendError(connection, "forbidden", "only admins may ban an address");
			return;
		}
		addBan({room, fields.nick, fields.address, fields.seconds, fields.reason}, by);
		break;
	case ClientCommand::Kind::Unban:
		if (!fields.address.empty() && !speaker.has(auth::Role::Admin))
		{
			sendError(connection, "forbidden", "only admins may lift a ban of an address");
			return;
		}
		if (unban(room, fields.nick, fields.address, by) == Outcome::NotFound) sendError(connection, "not_found", "no ban of that " + std::string(fields.nick.empty() ? "address" : "nick") + " in this room");
		break;
	case ClientCommand::Kind::Slowmode:
		setSlowmode(room, *fields.seconds, by);
		break;
	case ClientCommand::Kind::Topic:
		setTopic(room, fields.text, by);
		break;
	default:
		break;
	}
}

ChatHandler::Outcome ChatHandler::deleteMessage(const std::string& room, std::uint64_t id, const std::string& by)
{
	const auto found = _rooms.find(room);
	if (!found || found->remove(id, by) == Room::Removal::NoSuchId) return Outcome::NotFound;
	_moderation.audit(by, "delete", std::to_string(id), room);
	return Outcome::Done;
}

ChatHandler::Outcome ChatHandler::kick(const std::string& room, const std::string& nick, const std::string& reason, const std::string& by)
{
	if (kickHere(room, nick, reason, by))
	{
		_moderation.audit(by, "kick", nick, room, reason);
		return Outcome::Done;
	}
	SharedRooms* shared = _store.shared();
	if (!shared) return Outcome::NotFound;
	// Perhaps on another instance: the one holding it kicks it.
	try
	{
		shared->kick(room, nick, by, reason);
	}
	catch (const std::exception& exc)
	{
		_logger.error("cannot send a kick of " + nick + " in " + room + " to the shared backend (" + webchat::describe(exc) + ")");
		return Outcome::NotFound;
	}
	_moderation.audit(by, "kick", nick, room, reason);
	return Outcome::Done;
}

bool ChatHandler::kickHere(const std::string& room, const std::string& nick, const std::string& reason, const std::string& by)
{
	const auto target = _targets.find(room, NameRules::comparisonKey(nick));
	if (!target) return false;
	// On the member's own I/O thread, if it is still open then.
	target->handle.post([event = ServerEvents::kicked(room, by, reason)](engine::Connection& connection) {
		connection.send(ws::Opcode::Text, event);
		connection.close(CloseCodes::Forbidden, "kicked");
	});
	return true;
}

void ChatHandler::enforce(const Ban& ban)
{
	for (const auto& target : _targets.bannedBy(ban)) kickHere(target.room, target.nick, ban.reason.empty() ? "banned" : ban.reason, ban.by);
}

Ban ChatHandler::addBan(const BanRequest& request, const std::string& by)
{
	Ban ban;
	ban.room = request.room;
	ban.nick = request.nick;
	ban.address = request.address;
	ban.reason = request.reason;
	ban.by = by;
	if (!request.nick.empty())
	{
		ban.nickKey = NameRules::comparisonKey(request.nick);
		// Whoever holds the nick now is banned as well under any other nick.
		if (const auto holder = _targets.find(request.room, ban.nickKey)) ban.holder = holder->subject.from;
	}
	ban = _moderation.addBan(std::move(ban), request.seconds);
	enforce(ban);
	return ban;
}

ChatHandler::Outcome ChatHandler::removeBan(std::uint64_t id, const std::string& by)
{
	return _moderation.removeBan(id, by) ? Outcome::Done : Outcome::NotFound;
}

ChatHandler::Outcome ChatHandler::unban(const std::string& room, const std::string& nick, const std::string& address, const std::string& by)
{
	const std::string nickKey = nick.empty() ? std::string() : NameRules::comparisonKey(nick);
	return _moderation.unban(room, nickKey, address, by).empty() ? Outcome::NotFound : Outcome::Done;
}

void ChatHandler::mute(const std::string& room, const std::string& nick, std::int64_t seconds, const std::string& by)
{
	Mute mute;
	mute.room = room;
	mute.nick = nick;
	mute.nickKey = NameRules::comparisonKey(nick);
	mute.by = by;
	if (const auto holder = _targets.find(room, mute.nickKey)) mute.holder = holder->subject.from;
	_moderation.mute(std::move(mute), seconds);
}

void ChatHandler::setSlowmode(const std::string& room, std::int64_t seconds, const std::string& by)
{
	_moderation.setSlowmode(room, seconds, by);
}

void ChatHandler::setTopic(const std::string& room, const std::string& text, const std::string& by)
{
	_moderation.setTopic(room, text, by);
	if (const auto found = _rooms.find(room)) found->showTopic(text, by);
}

// Another instance's moderation (shared rooms), on the backend's thread.

void ChatHandler::removed(const std::string& room, std::uint64_t id, const std::string& by)
{
	if (const auto found = _rooms.find(room)) found->applyRemoval(id, by);
}

void ChatHandler::kicked(const std::string& room, const std::string& nick, const std::string& by, const std::string& reason)
{
	kickHere(room, nick, reason, by);
}

void ChatHandler::topicChanged(const std::string& room, const std::string& text, const std::string& by)
{
	moderationChanged();
	const auto found = _rooms.find(room);
	if (found && found->topic() != text) found->showTopic(text, by);
}

void ChatHandler::moderationChanged()
{
	try
	{
		_moderation.load();
	}
	catch (const std::exception& exc)
	{
		_logger.error("moderation: cannot read bans, mutes and room rules again (" + webchat::describe(exc) + ")");
		return;
	}
	for (const Ban& ban : _moderation.bans()) enforce(ban);
}

} // namespace webchat::chatroom
