#include "Room.h"

#include "Clock.h"
#include "ServerEvents.h"

#include "webchat/engine/Protocol.h"

namespace webchat::chatroom {

Room::Room(std::string name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits, HistoryStore& store, Poco::Logger& logger):
	_name(std::move(name)),
	_topic(std::move(topic)),
	_store(store),
	_storeKeepsMessages(store.keepsMessages()),
	_logger(logger),
	_state(limits)
{
}

void Room::load()
{
	_loaded = true;
	try
	{
		HistoryStore::Room stored = _store.loadRoom(_name, _state.limits().historySize);
		std::vector<std::string> newest;
		newest.reserve(stored.recent.size());
		for (const auto& message : stored.recent) newest.push_back(ServerEvents::message(message));
		_state.restore(std::move(stored.epoch), stored.lastId, std::move(newest));
		_stored = _storeKeepsMessages;
		return;
	}
	catch (const Poco::Exception& exc)
	{
		_logger.error("room " + _name + ": cannot load its history (" + exc.displayText() + "); it runs in memory, not stored, until it is forgotten");
	}
	catch (const std::exception& exc)
	{
		_logger.error("room " + _name + ": cannot load its history (" + exc.what() + "); it runs in memory, not stored, until it is forgotten");
	}
	_state.restore(HistoryStore::newEpoch(), 0, {});
}

Room::JoinResult Room::join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since,
	const std::optional<std::string>& epoch)
{
	JoinResult result;
	std::string welcome;
	connection.subscribe(*_topic, [&](std::string& batch) {
		// The room's first join loads it, under the room's lock: nothing
		// can be posted before (posting takes a member), and other joiners
		// wait for the history they are to be sent. Only this room waits,
		// and once (the store's load is a short indexed read).
		if (!_loaded) load();
		result.nick = nick ? *nick : _state.guestNick();
		result.status = _state.join(result.nick);
		if (*result.status != RoomState::Join::Joined) return;
		welcome = ServerEvents::welcome(_name, result.nick, _state, _state.resume(since, epoch));
		// To the others only: the engine seals this batch before the new
		// subscriber's first one.
		ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::join(result.nick, wallClockMs()));
	});
	// Sent after the lock, still ahead of any live batch: batches reach a
	// connection only when its I/O thread, which is running this, next
	// processes its inbox. (A send that closed the connection inside the
	// callback would re-enter the room's lock through onClose.)
	if (result.status == RoomState::Join::Joined) connection.send(ws::Opcode::Text, welcome);
	return result;
}

void Room::leave(const std::string& nick)
{
	const std::string event = ServerEvents::leave(nick, wallClockMs());
	_topic->publishWith([&](std::string& batch) {
		if (_state.leave(nick)) ws::appendFrame(batch, ws::Opcode::Text, event);
	});
}

RoomState::Rename Room::rename(const std::string& from, const std::string& to)
{
	const std::string event = ServerEvents::nick(from, to, wallClockMs());
	RoomState::Rename result = RoomState::Rename::NotMember;
	_topic->publishWith([&](std::string& batch) {
		result = _state.rename(from, to);
		if (result == RoomState::Rename::Renamed) ws::appendFrame(batch, ws::Opcode::Text, event);
	});
	return result;
}

void Room::post(const std::string& nick, std::string_view text, std::int64_t ts, std::string_view tail)
{
	// Copied before the lock; under it only the id is set.
	HistoryStore::Message message;
	if (_storeKeepsMessages)
	{
		message.ts = ts;
		message.nick = nick;
		message.text = text;
	}
	_topic->publishWith([&](std::string& batch) {
		message.id = _state.nextId();
		std::string json = ServerEvents::message(message.id, tail);
		ws::appendFrame(batch, ws::Opcode::Text, json);
		_state.append(std::move(json));
		// In id order per room; a queue push, never I/O.
		if (_stored) _store.append(_name, _state.epoch(), std::move(message));
	});
}

} // namespace webchat::chatroom
