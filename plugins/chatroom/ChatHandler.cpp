#include "ChatHandler.h"

#include "ChatSession.h"
#include "ClientCommand.h"
#include "Clock.h"
#include "NameRules.h"
#include "NickToken.h"
#include "ServerEvents.h"
#include "auth/SignedIdentity.h"

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

ChatError nickReserved(const std::string& nick, std::uint16_t closeCode)
{
	return {"nick_reserved", "the nick " + nick + " is kept for the browser that used it; choose another", closeCode};
}

bool mayModerate(const Speaker& speaker)
{
	return speaker.has(auth::Role::Moderator) || speaker.has(auth::Role::Admin);
}

} // namespace

ChatHandler::ChatHandler(const ChatSettings& settings, const auth::AuthSettings& auth, TopicSource topics, HistoryStore& store, Poco::Logger& logger,
	NickReservations* reservations):
	_settings(settings),
	_auth(auth),
	_logger(logger),
	_reservations(reservations),
	_store(store),
	_framesPerAddress(settings.ratePerIpPerSecond, static_cast<double>(settings.ratePerIpBurst)),
	_presencePerAddress(static_cast<double>(settings.presenceEventsPerIpPerMinute) / 60.0, static_cast<double>(settings.presenceEventsPerIpPerMinute)),
	_moderationStore(store.moderationStore(logger)),
	_moderation(*_moderationStore, Poco::Logger::get(logger.name() + ".audit"), logger),
	// Cheap: a room is loaded from the store by its first join, outside the
	// registry's lock (Room::admit).
	_rooms(settings.maxRooms, [topics = std::move(topics), limits = settings.roomLimits(), &store, &logger, moderation = &_moderation](const Name& name) {
		return std::make_shared<Room>(name, topics(name.key), limits, store, logger, moderation);
	}),
	_joins(settings.joinThreads, settings.maxPendingJoins)
{
	_moderation.loadIfNeeded();
}

std::vector<ChatHandler::RoomUsers> ChatHandler::busiestRooms(std::size_t limit) const
{
	std::vector<RoomUsers> rooms;
	for (const auto& room : _rooms.all())
		if (const std::size_t users = room->memberCount()) rooms.push_back({room->name(), users});
	const auto busier = [](const RoomUsers& a, const RoomUsers& b) { return a.users != b.users ? a.users > b.users : a.room < b.room; };
	if (rooms.size() > limit)
	{
		std::partial_sort(rooms.begin(), rooms.begin() + static_cast<std::ptrdiff_t>(limit), rooms.end(), busier);
		rooms.resize(limit);
	}
	else
		std::sort(rooms.begin(), rooms.end(), busier);
	return rooms;
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
	if (error.closeCode != 0) closeAtOnce(connection, error.closeCode, error.code);
}

void ChatHandler::closeAtOnce(engine::Connection& connection, std::uint16_t code, const std::string& reason)
{
	sessionOf(connection).setClosedByServer();
	connection.close(code, reason);
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
	if (bannedFromJoining(connection, session)) return;
	// What may block (the nick's reservation and claim, the room's first
	// load) runs on a join thread; the rest comes back here (completeJoin).
	auto join = std::make_shared<PendingJoin>();
	join->roomName = session.target().room();
	join->roomKey = NameRules::comparisonKey(join->roomName);
	join->nick = nick;
	join->sentToken = session.target().token();
	if (session.speaker().verified)
	{
		join->speaker = session.speaker();
		join->holder = session.nickHolder();
	}
	session.startJoining(join);
	// One room's joins on one thread, in the order they came.
	const std::size_t affinity = std::hash<std::string>()(join->roomKey);
	const bool queued = _joins.submit(affinity, [this, join, handle = connection.handle()] {
		prepareJoin(*join);
		if (!join->finishWork())
		{
			abandonJoin(*join); // the connection closed meanwhile
			join->done->signal();
			return;
		}
		inRoomOrder(*join, handle);
		handle.post([this, join](engine::Connection& connection) { completeJoin(connection, join); });
	});
	if (!queued)
	{
		session.endJoining();
		refuse(connection, {"unavailable", "the server has too many joins under way; try again shortly", CloseCodes::Unavailable});
	}
}

void ChatHandler::prepareJoin(PendingJoin& join)
{
	try
	{
		// A signed identity keeps its nick for its subject; anyone else is
		// known by its nick token.
		if (join.speaker.verified)
		{
			if (const auto refusal = join.nick ? claimForHolder(join.holder, *join.nick) : std::nullopt)
			{
				join.refusal = ChatError{refusal->code, refusal->message, CloseCodes::Conflict};
				return;
			}
		}
		else
		{
			auto claimed = claimByNickToken(join.sentToken, join.nick);
			if (const auto* refusal = std::get_if<ChatError>(&claimed))
			{
				join.refusal = *refusal;
				return;
			}
			GuestClaim& guest = std::get<GuestClaim>(claimed);
			join.token = std::move(guest.token);
			join.speaker = std::move(guest.speaker);
			join.holder = std::move(guest.holder);
		}
		join.room = _rooms.acquire(Name::of(join.roomName));
		if (!join.room)
		{
			join.refusal = ChatError{"too_many_rooms", "the server has " + std::to_string(_settings.maxRooms) + " rooms open; join one that exists",
				CloseCodes::TooMany};
			return;
		}
		join.admission = join.room->admit(join.nick, join.speaker.from);
	}
	catch (const std::exception& exc)
	{
		// The stores report their own outages and answer for them; this is
		// anything else.
		_logger.error("joining " + join.roomName + ": " + webchat::describe(exc));
		if (join.room) _rooms.release(join.room->key());
		join.room.reset();
		join.refusal = ChatError{"unavailable", "the chat server could not complete the join; try again shortly", CloseCodes::Unavailable};
	}
}

void ChatHandler::inRoomOrder(const PendingJoin& join, const engine::ConnectionHandle& handle)
{
	LastJoin previous;
	{
		std::lock_guard<std::mutex> lock(_lastJoinsMutex);
		// Rooms whose last join is through are forgotten now and then: the
		// table holds rooms with joins under way, not every name ever used.
		if (_lastJoins.size() >= 1024)
		{
			for (auto it = _lastJoins.begin(); it != _lastJoins.end();)
				it = it->second.done->done() ? _lastJoins.erase(it) : std::next(it);
		}
		auto& last = _lastJoins[join.roomKey];
		previous = last;
		last = LastJoin{handle, join.done};
	}
	if (!previous.done || previous.handle.sameLoopAs(handle)) return;
	// A loop stopped for good never answers: the wait is bounded.
	if (!previous.done->wait(std::chrono::seconds(5)))
		_logger.warning("a join to " + join.roomName + " was not through within 5 s; the room's next join goes on");
}

void ChatHandler::abandonJoin(PendingJoin& join)
{
	if (!join.room) return;
	join.room->abandon(join.admission);
	_rooms.release(join.room->key());
	join.room.reset();
}

void ChatHandler::completeJoin(engine::Connection& connection, const std::shared_ptr<PendingJoin>& join)
{
	if (!join->complete()) return; // the connection closed first: onClose undid it
	// However it ends, the room's next join may go on after this.
	struct Signal
	{
		JoinDone& done;
		~Signal() { done.signal(); }
	} signal{*join->done};
	ChatSession& session = sessionOf(connection);
	session.endJoining();
	if (join->refusal)
	{
		refuse(connection, *join->refusal);
		return;
	}
	if (!join->speaker.verified)
	{
		session.setSpeaker(join->speaker);
		if (_reservations) session.setNickHolder(join->holder);
	}
	const auto& room = join->room;
	session.hold(room);
	const RequestTarget& target = session.target();
	// One address coming and going must not flood every room with join
	// and leave events: beyond its budget they are not broadcast.
	session.setAnnounced(_presencePerAddress.tryTake(connection.peerAddress(), steadyMs()));
	const Room::JoinResult result = room->join(connection, join->admission, target.since(), target.epoch(), session.announced(), session.speaker(), join->token);
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
		// Back within its leave grace: its leave is announced as its first
		// join was, and the hold its lost connection kept is given back
		// (the new session holds the room now).
		if (result.returned)
		{
			session.setAnnounced(result.announced);
			_rooms.release(room->key());
		}
		// A welcome too big for the client's queue would have closed it
		// already (ChatSettings rules that out), and onClose, run then, did
		// not know it was in the room.
		if (connection.isOpen())
		{
			session.joinedAs(result.nick);
			_targets.add({room->key(), result.nick, subjectOf(session, connection), connection.handle()});
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
	// What the client sent before its welcome, now that it is a member (or
	// nothing, refused).
	for (const auto& [opcode, payload] : session.takeEarlyFrames())
	{
		if (!connection.isOpen() || !session.joined()) break;
		onMessage(connection, opcode, payload);
	}
}

std::variant<ChatHandler::GuestClaim, ChatError> ChatHandler::claimByNickToken(const std::optional<std::string>& sent, const std::optional<std::string>& nick)
{
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
	GuestClaim guest;
	guest.speaker = Speaker{NickToken::publicId(token), false, 0, {}};
	if (_reservations) guest.holder = NickToken::holder(token);
	guest.token = std::move(token);
	return guest;
}

std::optional<ChatError> ChatHandler::claimForHolder(const std::string& holder, const std::string& nick)
{
	if (!_reservations || holder.empty()) return std::nullopt;
	if (!NickReservations::reservable(nick)) return std::nullopt;
	if (_reservations->claim(NameRules::comparisonKey(nick), holder, wallClockMs()) != NickReservations::Claim::Reserved) return std::nullopt;
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
	if (session.pendingJoin())
	{
		// Sent before its welcome: handled once it joined.
		if (!session.keepEarlyFrame(opcode, payload))
		{
			sendError(connection, "too_early", "at most " + std::to_string(ChatSession::MaxEarlyFrames) + " frames before the welcome");
			closeAtOnce(connection, ws::CloseCode::PolicyViolation, "too_early");
		}
		return;
	}
	if (!session.joined()) return;
	if (opcode != ws::Opcode::Text)
	{
		sendError(connection, "unsupported", "binary frames are not supported; the room speaks text");
		closeAtOnce(connection, ws::CloseCode::Unsupported, "unsupported");
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
			closeAtOnce(connection, ws::CloseCode::PolicyViolation, "flooding");
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
	case ClientCommand::Kind::Typing:
		relayTyping(session, now);
		break;
	case ClientCommand::Kind::History:
		sendOlderHistory(connection, session, command.history());
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

void ChatHandler::relayTyping(ChatSession& session, std::int64_t now)
{
	// A notice, never stored and never numbered: it goes to the room's
	// other members (of each instance, for shared rooms), not through the
	// room's topic, which reaches the typist too. Each member is reached
	// through its connection's handle, so a notice costs one task per
	// member: rooms with more than MaxTypingAudience other members on an
	// instance get none there. Beyond one per ChatSession::TypingIntervalMs
	// notices are dropped without a word (the frame still counted against
	// the rate limits).
	if (!session.typing().tryTake(now)) return;
	// Shared rooms: the other instances' members hear of it through the
	// backend, each instance telling its own (typing() below).
	if (SharedRooms* shared = _store.shared()) shared->typing(session.room()->key(), session.nick());
	typing(session.room()->key(), session.nick());
}

void ChatHandler::typing(const std::string& room, const std::string& nick)
{
	const auto others = _targets.othersIn(room, NameRules::comparisonKey(nick), MaxTypingAudience);
	if (others.empty()) return;
	const auto event = std::make_shared<const std::string>(ServerEvents::typing(nick));
	for (const auto& other : others) other.post([event](engine::Connection& member) { member.send(ws::Opcode::Text, *event); });
}

void ChatHandler::sendOlderHistory(engine::Connection& connection, ChatSession& session, const ClientCommand::HistoryRequest& request)
{
	// The newest request.limit messages below before, gathered newest first
	// from the room's memory, then, for what is older than it holds, from
	// the store. One message more than the page is read: whether it exists
	// is "more". A page holds at most history_bytes of JSON, as a welcome's
	// history does (ChatSettings keeps that within a client's queue), and at
	// least one message.
	const std::size_t limit = request.limit;
	std::vector<std::string> newestFirst;
	std::size_t bytes = 0;
	bool more = false;
	const auto take = [&](std::string json) {
		if (!newestFirst.empty() && (newestFirst.size() == limit || bytes + json.size() > _settings.historyBytes))
		{
			more = true;
			return false;
		}
		bytes += json.size();
		newestFirst.push_back(std::move(json));
		return true;
	};
	const std::shared_ptr<Room>& room = session.room();
	auto memory = room->historyBefore(request.before, limit + 1);
	if (!memory) return; // a member's room is loaded
	bool full = false;
	for (auto entry = memory->history.rbegin(); !full && entry != memory->history.rend(); ++entry) full = !take(std::move(entry->second));
	// The ids the memory holds are consecutive and end at lastId: below the
	// oldest of them (or below before, when the memory has none below it)
	// only the store may have more.
	const std::uint64_t oldest = !memory->history.empty() ? memory->history.front().first : std::min(request.before, memory->lastId + 1);
	if (!full && oldest > 1)
	{
		// A read on this I/O thread: one indexed range read per request (as
		// a room's first load is), and each request is a frame under the
		// connection's and its address's rate limits.
		std::vector<HistoryStore::Message> stored;
		try
		{
			stored = _store.loadBefore(room->key(), oldest, limit - newestFirst.size() + 1);
		}
		catch (const std::exception& exc)
		{
			_logger.error("room " + room->name() + ": cannot read older history (" + webchat::describe(exc) + ")");
			sendError(connection, "unavailable", "the server cannot read older messages now; try again shortly");
			return;
		}
		for (auto message = stored.rbegin(); message != stored.rend() && take(ServerEvents::message(*message)); ++message) {}
	}
	std::reverse(newestFirst.begin(), newestFirst.end());
	connection.send(ws::Opcode::Text, ServerEvents::history(newestFirst, more));
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
	if (const auto refusal = claimForHolder(session.nickHolder(), nick))
	{
		sendError(connection, refusal->code, refusal->message);
		return;
	}
	switch (session.room()->rename(session.nick(), nick, session.speaker().verified))
	{
	case RoomState::Rename::Renamed:
		session.nickChanges().tryTake(now);
		_targets.rename(session.room()->key(), NameRules::comparisonKey(session.nick()), nick, NameRules::comparisonKey(nick));
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
	if (const auto join = session.endJoining())
	{
		// Closed while its join was under way: a join thread still working
		// on it undoes what it took when done; a join ready to complete
		// is undone here.
		if (join->cancel() == JoinTicket::State::Ready)
		{
			abandonJoin(*join);
			join->done->signal();
		}
		return;
	}
	const bool wasMember = session.joined();
	const auto room = session.dropRoom();
	if (!room) return;
	if (wasMember)
	{
		const std::string nickKey = NameRules::comparisonKey(session.nick());
		_targets.remove(room->key(), nickKey);
		if (_settings.leaveGraceMs > 0 && !session.closedByServer())
		{
			// A lost connection: the member stays, away, for the grace, and
			// so does the session's hold of the room, given back when the
			// member leaves at the grace's end or by its return (joinRoom).
			const std::uint64_t ticket = room->keepAway(session.nick(), session.announced());
			_leaveGraces.schedule(steadyMs() + _settings.leaveGraceMs, [this, room, nickKey, ticket] {
				if (room->endAway(nickKey, ticket)) _rooms.release(room->key());
			});
			return;
		}
		room->leave(session.nick(), session.announced());
	}
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

void ChatHandler::forgetRoomsEmptySince(std::chrono::steady_clock::time_point cutoff)
{
	_rooms.forgetEmptySince(cutoff);
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

// Moderation keeps rooms by their key, as the registry does; empty stays
// empty (a ban of every room).
std::string roomKeyOf(const std::string& roomName)
{
	return roomName.empty() ? std::string() : NameRules::comparisonKey(roomName);
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
	const auto ban = _moderation.banOf(roomKeyOf(target.room()), subject);
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
	closeAtOnce(connection, CloseCodes::Forbidden, "banned");
	return true;
}

bool ChatHandler::mayPost(engine::Connection& connection, const ChatSession& session)
{
	// Moderators are not held back; everyone else only when some mute or
	// slow mode exists at all (computing a subject costs a normalization).
	if (!_moderation.anyMessageRules() || mayModerate(session.speaker())) return true;
	const Subject subject = subjectOf(session, connection);
	const std::string& room = session.room()->key();
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

ChatHandler::Outcome ChatHandler::deleteMessage(const std::string& roomName, std::uint64_t id, const std::string& by)
{
	const std::string room = roomKeyOf(roomName);
	const auto found = _rooms.find(room);
	if (!found || found->remove(id, by) == Room::Removal::NoSuchId) return Outcome::NotFound;
	_moderation.audit(by, "delete", std::to_string(id), room);
	return Outcome::Done;
}

ChatHandler::Outcome ChatHandler::kick(const std::string& roomName, const std::string& nick, const std::string& reason, const std::string& by)
{
	const std::string room = roomKeyOf(roomName);
	if (kickHere(room, nick, reason, by))
	{
		_moderation.audit(by, "kick", nick, room, reason);
		return Outcome::Done;
	}
	// Away within its leave grace: it leaves now, and the hold of the room
	// its lost connection kept is given back (its grace then finds it gone).
	if (const auto found = _rooms.find(room); found && found->dismissAway(NameRules::comparisonKey(nick)))
	{
		_rooms.release(room);
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
	const auto found = _rooms.find(room);
	target->handle.post([this, event = ServerEvents::kicked(found ? found->name() : room, by, reason)](engine::Connection& connection) {
		connection.send(ws::Opcode::Text, event);
		closeAtOnce(connection, CloseCodes::Forbidden, "kicked");
	});
	return true;
}

void ChatHandler::enforce(const Ban& ban)
{
	for (const auto& target : _targets.bannedBy(ban))
	{
		if (ban.holder.empty() && !ban.nickKey.empty() && target.subject.nickKey == ban.nickKey) _moderation.completeBan(ban.id, target.subject.from);
		kickHere(target.room, target.nick, ban.reason.empty() ? "banned" : ban.reason, ban.by);
	}
}

Ban ChatHandler::addBan(const BanRequest& request, const std::string& by)
{
	Ban ban;
	ban.room = roomKeyOf(request.room);
	ban.nick = request.nick;
	ban.address = request.address;
	ban.reason = request.reason;
	ban.by = by;
	if (!request.nick.empty())
	{
		ban.nickKey = NameRules::comparisonKey(request.nick);
		// Whoever holds the nick now is banned as well under any other nick.
		if (const auto holder = _targets.find(ban.room, ban.nickKey)) ban.holder = holder->subject.from;
	}
	ban = _moderation.addBan(std::move(ban), request.seconds);
	enforce(ban);
	return ban;
}

ChatHandler::Outcome ChatHandler::removeBan(std::uint64_t id, const std::string& by)
{
	return _moderation.removeBan(id, by) ? Outcome::Done : Outcome::NotFound;
}

ChatHandler::Outcome ChatHandler::unban(const std::string& roomName, const std::string& nick, const std::string& address, const std::string& by)
{
	const std::string room = roomKeyOf(roomName);
	const std::string nickKey = nick.empty() ? std::string() : NameRules::comparisonKey(nick);
	return _moderation.unban(room, nickKey, address, by).empty() ? Outcome::NotFound : Outcome::Done;
}

void ChatHandler::mute(const std::string& roomName, const std::string& nick, std::int64_t seconds, const std::string& by)
{
	const std::string room = roomKeyOf(roomName);
	Mute mute;
	mute.room = room;
	mute.nick = nick;
	mute.nickKey = NameRules::comparisonKey(nick);
	mute.by = by;
	if (const auto holder = _targets.find(room, mute.nickKey)) mute.holder = holder->subject.from;
	_moderation.mute(std::move(mute), seconds);
}

void ChatHandler::setSlowmode(const std::string& roomName, std::int64_t seconds, const std::string& by)
{
	_moderation.setSlowmode(roomKeyOf(roomName), seconds, by);
}

void ChatHandler::setTopic(const std::string& roomName, const std::string& text, const std::string& by)
{
	const std::string room = roomKeyOf(roomName);
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
	// A mute by nick given on another instance learns its holder here.
	for (const Mute& mute : _moderation.mutes())
	{
		if (!mute.holder.empty()) continue;
		if (const auto target = _targets.find(mute.room, mute.nickKey)) _moderation.completeMute(mute.room, mute.nickKey, target->subject.from);
	}
}

} // namespace webchat::chatroom
