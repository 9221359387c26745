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
// (see admit(), on a join thread). Should the store fail there, the room runs on in memory
// under a new epoch, not stored, until it is forgotten: chatting goes on,
// and clients are told the history they knew is gone.
//
// A room is known by its name's key (NameRules.h): the registry finds it,
// the store keeps it and the shared backend orders it by that key, so
// `Lobby` and `lobby` are one room. It is shown as its name was typed by
// whoever made it exist on this instance. Its members too are one per key.
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
#include "NameRules.h"
#include "Moderation.h"
#include "RoomState.h"
#include "ServerEvents.h"
#include "SharedRooms.h"
#include "Speaker.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Topic.h"

#include "Poco/Logger.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webchat::chatroom {

class Room
{
public:
	/// moderation (may be null) gives the room's topic when it is loaded.
	Room(Name name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits, HistoryStore& store, Poco::Logger& logger,
		const Moderation* moderation = nullptr);

	/// As shown.
	const std::string& name() const { return _name.shown; }
	/// What it is found and stored by.
	const std::string& key() const { return _name.key; }

	struct JoinResult
	{
		std::optional<RoomState::Join> status; // none: the connection was no longer open, or unavailable
		std::string nick;                      // the nick asked for, or the guest nick given, as shown
		bool unavailable = false;              // shared rooms: the backend is unreachable and the room not loaded here
		bool returned = false;                 // it took back its own place, away within its grace (see keepAway)
		bool announced = false;                // when returned: whether its first join was announced (its leave will be)
	};

	/// Subscribes connection as nick (a guest nick when none) and, when it
	/// may join, sends it the welcome (the history after since, or all of it
	/// when epoch is not the room's) and, when announce, the others a join
	/// event (the member list in every welcome has it either way). When
	/// refused, the connection is subscribed all the same: the caller
	/// closes it. speaker is who the connection speaks as (its welcome
	/// tells it its roles and its public id; its join event says whether it
	/// is verified); it and the connection's address are kept with the
	/// member for snapshot(). token, when not empty, is the nick token its
	/// welcome gives it.
	/// admit() then join() below, on the calling thread.
	JoinResult join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since,
		const std::optional<std::string>& epoch = std::nullopt, bool announce = true, const Speaker& speaker = Speaker(),
		std::string_view token = {});

	/// What a join takes before it may join (admit()).
	struct Admission
	{
		Name nick;          // as asked for; shared rooms: the guest nick chosen
		bool guest = false; // no nick asked for
		SharedRooms::Verdict claim = SharedRooms::Verdict::Unavailable; // shared rooms: the backend's verdict on nick
		bool unavailable = false; // the room could not be loaded (shared rooms: the backend is unreachable)
	};

	/// The half of a join that may block, on any thread (the chat room's
	/// join threads, JoinQueue.h): the nick's claim across instances
	/// (shared rooms; speakerFrom is the joiner's public id) and the room's
	/// first load. Then join(connection, admission, ...) on the
	/// connection's thread, or abandon().
	Admission admit(const std::optional<std::string>& nick, const std::string& speakerFrom);

	/// The half of a join in memory: see join() above.
	JoinResult join(engine::Connection& connection, const Admission& admission, const std::optional<std::uint64_t>& since,
		const std::optional<std::string>& epoch, bool announce, const Speaker& speaker, std::string_view token);

	/// The joiner of admission went away before join(): its claim across
	/// instances is given back (any thread).
	void abandon(const Admission& admission);

	/// nick (as it joined or was renamed, shown) left (its connection is
	/// already unsubscribed): a leave event when announce (as its join was).
	void leave(const std::string& nick, bool announce = true);

	/// Leave grace: nick's connection is gone (already unsubscribed), but it
	/// stays a member, away, with no event: a join under its nick (any
	/// spelling) by the same speaker (the same public id, from) takes its
	/// place back unseen by the others, with the welcome any join gets
	/// (JoinResult::returned); anyone else finds the nick taken. The ticket
	/// names this absence for endAway(). announce: whether its join was
	/// announced (then its leave will be). Shared rooms: the backend hears
	/// of the absence, so the same speaker may come back through another
	/// instance, which then holds the member (applyPresence: unannounced).
	std::uint64_t keepAway(const std::string& nick, bool announce);

	/// The grace of the absence ticket ended: the member of that nick (its
	/// key) leaves, as leave() does, unless it came back meanwhile; true
	/// when it left now or came back through another instance (either way
	/// the absence's hold of the room is over), false when it came back
	/// here.
	bool endAway(const std::string& nickKey, std::uint64_t ticket);

	/// The member of that nick key, away, leaves now (a moderator kicked
	/// it), as at the end of its grace; true when one was away.
	bool dismissAway(const std::string& nickKey);

	/// Whether the room is shared through a backend (several instances).
	bool shared() const { return _shared != nullptr; }

	/// A nick event to everyone when renamed; from is the member's nick as
	/// shown, to as asked for (shown in its display form). "verified":true
	/// for a verified speaker, who is then a verified member.
	RoomState::Rename rename(const std::string& from, const std::string& to, bool verified = false);

	/// nick (as shown), a member, is a verified speaker from now on (its
	/// later welcomes' verifiedIndexes say so, snapshot() has speaker); no
	/// event.
	void setVerified(const std::string& nick, const Speaker& speaker);

	/// Publishes a message and hands it to the history store: tail from
	/// ServerEvents::appendMessageTail() with the same nick, sender, text
	/// and ts.
	/// With a shared backend the message is handed to it instead and
	/// published when it comes back (deliver()); the result says whether
	/// it could be sent now. assignedId, when given, gets the message's id
	/// (left alone with a shared backend, which numbers it later).
	SharedRooms::Posted post(const std::string& nick, const ServerEvents::Sender& sender, std::string_view text, std::int64_t ts,
		std::string_view tail, std::uint64_t* assignedId = nullptr);

	// The operator API (ChatServiceImpl): any thread -------------------------

	struct Member
	{
		std::string nick;
		Speaker speaker;     // empty for a member of another instance
		std::string address; // empty for a member of another instance
	};

	struct Snapshot
	{
		std::uint64_t lastId = 0;
		std::vector<Member> members; // in the order they joined
		std::vector<std::pair<std::uint64_t, std::string>> history; // (id, message event), oldest first
	};

	/// The room as it stands, with up to historyLimit of the messages it
	/// holds whose ids are below before (0: the newest); none until its
	/// first join loaded it.
	std::optional<Snapshot> snapshot(std::uint64_t before, std::size_t historyLimit);

	/// The same without the members: what a client's history request
	/// reads from the room's memory (its own I/O thread).
	std::optional<Snapshot> historyBefore(std::uint64_t before, std::size_t historyLimit);

	/// Members, of this instance and (shared rooms) of others, those away
	/// within their leave grace included; 0 until its first join loaded it.
	std::size_t memberCount();

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
	std::optional<std::vector<Name>> localMembers();

	/// Instances with members here.
	std::vector<std::string> remoteInstances();

private:
	// Under the topic's lock: once, and again by reload().
	void load();
	// Under the topic's lock: lastId, and up to historyLimit of the history's
	// entries with ids below before (0: the newest), oldest first.
	void copyHistory(Snapshot& snapshot, std::uint64_t before, std::size_t historyLimit) const;
	// Under the topic's lock: a remote member joins or leaves, with its event.
	void addRemote(std::string& batch, const Name& nick, const std::string& instance, std::int64_t ts);
	void removeRemote(std::string& batch, const std::string& key, std::int64_t ts);
	static Name sharedGuestNick();
	// Under the room's lock: loads the room unless loaded; false when a
	// shared room cannot be loaded (logged; the next join tries again).
	bool ensureLoaded();
	// Under the topic's lock: the member away under key is returning (the
	// same speaker): it takes its place back, result says so.
	bool takeBack(const std::string& key, Member returning, JoinResult& result);
	// Tombstones id here (and in the store when toStore), with its event.
	Removal tombstone(std::uint64_t id, const std::string& by, bool toStore);

	const Name _name;
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
	std::map<std::string, std::string> _remoteOwners; // shared rooms: members on other instances, nick's key -> instance
	std::map<std::string, Member> _localMembers;      // this instance's members, nick's key -> who and from where
	struct Absence
	{
		std::uint64_t ticket = 0;
		bool announced = false;
	};
	std::map<std::string, Absence> _away; // local members within their leave grace, nick's key -> why
	std::set<std::uint64_t> _movedTickets; // absences ended by a return through another instance, until endAway()
	std::uint64_t _lastTicket = 0;
};

} // namespace webchat::chatroom

#endif
