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
// calling connection's thread, except the shared-room deliveries below.
//
// With a shared backend (SharedRooms, backend = redis) the room is one of
// several copies, one per instance: the backend numbers the messages, so
// post() only hands a message over and deliver() (on the backend's thread)
// publishes it once it comes back in the room's order; other instances'
// members join the member list through applyPresence() and friends.
//

#ifndef WEBCHAT_CHATROOM_ROOM_INCLUDED
#define WEBCHAT_CHATROOM_ROOM_INCLUDED

#include "HistoryStore.h"
#include "Moderation.h"
#include "RoomState.h"
#include "SharedRooms.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Topic.h"

#include "Poco/Logger.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class Room
{
public:
	/// moderation (may be null) gives the room's topic when it is loaded.
	Room(std::string name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits, HistoryStore& store, Poco::Logger& logger,
		const Moderation* moderation = nullptr);

	const std::string& name() const { return _name; }

	struct JoinResult
	{
		std::optional<RoomState::Join> status; // none: the connection was no longer open, or unavailable
		std::string nick;                      // the nick asked for, or the guest nick given
		bool unavailable = false;              // shared rooms: the backend is unreachable and the room not loaded here
	};

	/// Subscribes connection as nick (a guest nick when none) and, when it
	/// may join, sends it the welcome (the history after since, or all of it
	/// when epoch is not the room's) and, when announce, the others a join
	/// event (the member list in every welcome has it either way). When
	/// refused, the connection is subscribed all the same: the caller
	/// closes it.
	JoinResult join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since,
		const std::optional<std::string>& epoch = std::nullopt, bool announce = true);

	/// nick left (its connection is already unsubscribed): a leave event
	/// when announce (as its join was).
	void leave(const std::string& nick, bool announce = true);

	/// A nick event to everyone when renamed.
	RoomState::Rename rename(const std::string& from, const std::string& to);

	/// Publishes a message and hands it to the history store: tail from
	/// ServerEvents::appendMessageTail() with the same nick, text and ts.
	/// With a shared backend the message is handed to it instead and
	/// published when it comes back (deliver()); the result says whether
	/// it could be sent now.
	SharedRooms::Posted post(const std::string& nick, std::string_view text, std::int64_t ts, std::string_view tail);

	// Moderation: any thread --------------------------------------------------

	enum class Removal
	{
		Removed,   // tombstoned here and in the store; everyone told
		NoSuchId   // not an id the room gave
	};

	/// Message id becomes a tombstone: in the history kept here, in the
	/// store (text gone) or, shared, on every instance, and a deleted event
	/// to every member.
	Removal remove(std::uint64_t id, const std::string& by);

	/// Another instance removed message id (shared rooms): here only.
	void applyRemoval(std::uint64_t id, const std::string& by);

	/// The room's topic is text (empty: none): in later welcomes, and a
	/// topic event to every member.
	void showTopic(const std::string& text, const std::string& by);
	std::string topic();

	// Shared rooms: called on the backend's thread ---------------------------

	/// Where this copy stands; none until its first join loaded it.
	std::optional<SharedRooms::Position> position();

	/// Publishes message if it is the next one (id lastId + 1). A message
	/// of another epoch replaces the room's history: loaded again from the
	/// backend, members told with a history_reset error.
	void deliver(const std::string& epoch, const HistoryStore::Message& message);

	/// Loads the history again (the backend's epoch changed).
	void reload();

	void applyPresence(const SharedRooms::Presence& change);

	/// Other instances' members are exactly members (nick -> instance).
	void replaceRemoteMembers(const std::map<std::string, std::string>& members);

	/// instance's members leave.
	void removeInstance(const std::string& instance);

	/// This instance's own members (the backend registers them again after
	/// a reconnection); none if the room is not loaded.
	std::optional<std::vector<std::string>> localMembers();

	/// Instances with members here.
	std::vector<std::string> remoteInstances();

private:
	// Under the topic's lock: once, and again by reload().
	void load();
	// Under the topic's lock: a remote member joins or leaves, with its event.
	void addRemote(std::string& batch, const std::string& nick, const std::string& instance, std::int64_t ts);
	void removeRemote(std::string& batch, const std::string& nick, std::int64_t ts);
	std::string sharedGuestNick();
	// Tombstones id here (and in the store when toStore), with its event.
	Removal tombstone(std::uint64_t id, const std::string& by, bool toStore);

	const std::string _name;
	const std::shared_ptr<engine::Topic> _topic;
	HistoryStore& _store;
	SharedRooms* const _shared; // null: the room alone numbers its messages
	const bool _storeKeepsMessages;
	Poco::Logger& _logger;
	const Moderation* const _moderation;
	// Guarded by _topic's lock:
	RoomState _state;
	bool _loaded = false;
	bool _stored = false; // messages go to the store (false: it keeps none, or failed to load the room)
	std::map<std::string, std::string> _remoteOwners; // shared rooms: members on other instances, nick -> instance
};

} // namespace webchat::chatroom

#endif
