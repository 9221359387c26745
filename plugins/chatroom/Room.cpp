#include "Room.h"

#include "Clock.h"
#include "ServerEvents.h"

#include "webchat/engine/Protocol.h"

namespace webchat::chatroom {

Room::Room(std::string name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits):
	_name(std::move(name)),
	_topic(std::move(topic)),
	_state(limits)
{
}

Room::JoinResult Room::join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since)
{
	JoinResult result;
	std::string welcome;
	connection.subscribe(*_topic, [&](std::string& batch) {
		result.nick = nick ? *nick : _state.guestNick();
		result.status = _state.join(result.nick);
		if (*result.status != RoomState::Join::Joined) return;
		welcome = ServerEvents::welcome(_name, result.nick, _state, _state.resume(since));
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

void Room::post(std::string_view tail)
{
	_topic->publishWith([&](std::string& batch) {
		std::string json = ServerEvents::message(_state.nextId(), tail);
		ws::appendFrame(batch, ws::Opcode::Text, json);
		_state.append(std::move(json));
	});
}

} // namespace webchat::chatroom
