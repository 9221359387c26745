//
// Room.h
//
// One chat room: its RoomState wired to the engine topic its members are
// subscribed to and to the history store. The state changes only under the
// topic's lock, which the engine takes in publishWith() and subscribe():
// ids are assigned in delivery order, each message is handed to the store
// in that order, and a joining client's snapshot (members, history) and the
// live stream meet with no gap and no duplicate. No lock of its own.
//
// The room is loaded from the store by its first join, under the same lock
// (see join()). Should the store fail there, the room runs on in memory
// under a new epoch, not stored, until it is forgotten: chatting goes on,
// and clients are told the history they knew is gone.
//
// Members are on several I/O threads; every call here is made on the
// calling connection's thread.
//

#ifndef WEBCHAT_CHATROOM_ROOM_INCLUDED
#define WEBCHAT_CHATROOM_ROOM_INCLUDED

#include "HistoryStore.h"
#include "RoomState.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Topic.h"

#include "Poco/Logger.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class Room
{
public:
	Room(std::string name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits, HistoryStore& store, Poco::Logger& logger);

	const std::string& name() const { return _name; }

	struct JoinResult
	{
		std::optional<RoomState::Join> status; // none: the connection was no longer open
		std::string nick;                      // the nick asked for, or the guest nick given
	};

	/// Subscribes connection as nick (a guest nick when none) and, when it
	/// may join, sends it the welcome (the history after since, or all of it
	/// when epoch is not the room's) and the others a join event. When
	/// refused, the connection is subscribed all the same: the caller
	/// closes it.
	JoinResult join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since,
		const std::optional<std::string>& epoch = std::nullopt);

	/// nick left (its connection is already unsubscribed): a leave event.
	void leave(const std::string& nick);

	/// A nick event to everyone when renamed.
	RoomState::Rename rename(const std::string& from, const std::string& to);

	/// Publishes a message and hands it to the history store: tail from
	/// ServerEvents::appendMessageTail() with the same nick, text and ts.
	void post(const std::string& nick, std::string_view text, std::int64_t ts, std::string_view tail);

private:
	// Under the topic's lock, once.
	void load();

	const std::string _name;
	const std::shared_ptr<engine::Topic> _topic;
	HistoryStore& _store;
	const bool _storeKeepsMessages;
	Poco::Logger& _logger;
	// Guarded by _topic's lock:
	RoomState _state;
	bool _loaded = false;
	bool _stored = false; // messages go to the store (false: it keeps none, or failed to load the room)
};

} // namespace webchat::chatroom

#endif
