//
// Room.h
//
// One chat room: its RoomState wired to the engine topic its members are
// subscribed to. The state changes only under the topic's lock, which the
// engine takes in publishWith() and subscribe(): ids are assigned in
// delivery order, and a joining client's snapshot (members, history) and
// the live stream meet with no gap and no duplicate. No lock of its own.
//
// Members are on several I/O threads; every call here is made on the
// calling connection's thread.
//

#ifndef WEBCHAT_CHATROOM_ROOM_INCLUDED
#define WEBCHAT_CHATROOM_ROOM_INCLUDED

#include "RoomState.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Topic.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class Room
{
public:
	Room(std::string name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits);

	const std::string& name() const { return _name; }

	struct JoinResult
	{
		std::optional<RoomState::Join> status; // none: the connection was no longer open
		std::string nick;                      // the nick asked for, or the guest nick given
	};

	/// Subscribes connection as nick (a guest nick when none) and, when it
	/// may join, sends it the welcome (the history after since) and the
	/// others a join event. When refused, the connection is subscribed all
	/// the same: the caller closes it.
	JoinResult join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since);

	/// nick left (its connection is already unsubscribed): a leave event.
	void leave(const std::string& nick);

	/// A nick event to everyone when renamed.
	RoomState::Rename rename(const std::string& from, const std::string& to);

	/// Publishes a message: tail from ServerEvents::appendMessageTail().
	void post(std::string_view tail);

private:
	const std::string _name;
	const std::shared_ptr<engine::Topic> _topic;
	RoomState _state; // guarded by _topic's lock
};

} // namespace webchat::chatroom

#endif
