//
// SharedRooms.h
//
// Rooms shared by several webchatd instances through a backend (Redis, see
// redis/RedisRooms.h). Compared with a HistoryStore, which only records what
// the room decided, a shared backend decides: it gives every message its id
// in the room's order, owns the presence list across instances, and feeds
// back to every instance (this one included) what any of them published.
//
// Two halves:
//   - SharedRooms: what a Room calls, on an I/O thread, but join(), on a
//     join thread (JoinQueue.h). post() and leave() only queue; join() and
//     rename() wait (bounded) for the backend's verdict on the nick,
//     because a nick is unique across instances.
//   - SharedRooms::Sink: what the backend calls from its own thread to
//     deliver messages in order and other instances' presence changes;
//     implemented by ChatHandler, which finds the room.
//
// While the backend is unreachable an instance keeps serving its clients:
// posts wait in a bounded queue and are sent, in order and exactly once,
// when it is back; joins and renames are checked against this instance's
// members only, and its presence is registered again on reconnection.
//

#ifndef WEBCHAT_CHATROOM_SHAREDROOMS_INCLUDED
#define WEBCHAT_CHATROOM_SHAREDROOMS_INCLUDED

#include "HistoryStore.h"
#include "NameRules.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace webchat::chatroom {

class SharedRooms
{
public:
	/// Another instance's presence change, or the whole presence of a room.
	/// Nicks as they are shown; the room compares them by key.
	struct Presence
	{
		enum class Kind
		{
			Join,    // nick joined on instance
			Leave,   // nick left
			Rename,  // from nick to newNick
			Replace  // instance's members of the room are exactly nicks
		};
		Kind kind = Kind::Join;
		std::string instance;
		std::string nick;
		std::string newNick;
		std::vector<std::string> nicks;
	};

	/// Where a room stands on this instance.
	struct Position
	{
		std::string epoch;
		std::uint64_t lastId = 0;
	};

	class Sink
	{
	public:
		virtual ~Sink() = default;

		/// room's position if it is loaded on this instance (else its
		/// messages are not needed: its first join loads it).
		virtual std::optional<Position> position(const std::string& room) = 0;

		/// The next message of room (id = lastId + 1 of its position, or a
		/// new epoch); the backend has filled any gap before.
		virtual void message(const std::string& room, const std::string& epoch, const HistoryStore::Message& message) = 0;

		/// room's history was replaced in the backend (another epoch): load
		/// it again.
		virtual void reload(const std::string& room) = 0;

		/// A presence change of another instance.
		virtual void presence(const std::string& room, const Presence& change) = 0;

		/// nick, a member on another instance, is typing in room.
		virtual void typing(const std::string& /*room*/, const std::string& /*nick*/) {}

		/// Every member other instances have in room, nick (as shown) ->
		/// instance: what the backend holds after a reconnection.
		virtual void remoteMembers(const std::string& room, const std::map<std::string, std::string>& members) = 0;

		/// instance stopped or stopped renewing its presence: its members
		/// leave every room.
		virtual void instanceGone(const std::string& instance) = 0;

		/// The rooms loaded here (by key), with this instance's own members.
		virtual std::map<std::string, std::vector<Name>> localMembers() = 0;

		/// Forgets the rooms that have had no members here since before
		/// cutoff (their history is the backend's): they leave the reads.
		virtual void forgetRoomsEmptySince(std::chrono::steady_clock::time_point /*cutoff*/) {}

		/// The instances with members in rooms loaded here.
		virtual std::vector<std::string> remoteInstances() = 0;

		// Moderation by another instance (see redis/RedisModeration.h).

		/// Message id of room is a tombstone now.
		virtual void removed(const std::string& /*room*/, std::uint64_t /*id*/, const std::string& /*by*/) {}
		/// The member nick of room, if it is here, is kicked.
		virtual void kicked(const std::string& /*room*/, const std::string& /*nick*/, const std::string& /*by*/, const std::string& /*reason*/) {}
		/// room's topic is text now (its rules changed).
		virtual void topicChanged(const std::string& /*room*/, const std::string& /*text*/, const std::string& /*by*/) {}
		/// Bans, mutes or slow mode changed: read them again.
		virtual void moderationChanged() {}
	};

	enum class Verdict
	{
		Accepted,    // the backend has it
		Taken,       // the nick belongs to a member on another instance
		Unavailable  // the backend is unreachable: decide locally
	};

	enum class Posted
	{
		Sent,     // on its way; members see it once the backend ordered it
		Delayed,  // the backend is unreachable: queued until it is back
		Refused   // the queue is full (the backend is away or slower than the clients): not sent
	};

	virtual ~SharedRooms() = default;

	/// Starts delivering to sink (before any room is used).
	virtual void attach(Sink& sink) = 0;

	/// room is the room's key (NameRules.h), as in every call to a
	/// backend; a nick is unique across instances by its key, and carried
	/// to the others as it is shown.
	virtual Posted post(const std::string& room, const Position& seen, HistoryStore::Message message) = 0;
	/// speaker: the joiner's public id (Speaker::from). A nick held by a
	/// member away on another instance (away()) is Accepted for the same
	/// speaker: the member moves here, and that instance lets it go
	/// unannounced (a Join presence change for a member it has away).
	virtual Verdict join(const std::string& room, const Name& nick, const std::string& speaker) = 0;
	virtual Verdict rename(const std::string& room, const Name& from, const Name& to) = 0;
	virtual void leave(const std::string& room, const Name& nick) = 0;
	/// This instance's member nick lost its connection and is kept away
	/// for its leave grace (Room::keepAway): its speaker may come back
	/// through any instance. Its leave() follows unless it comes back.
	virtual void away(const std::string& room, const Name& nick, const std::string& speaker) = 0;
	/// nick is typing in room: the members of the other instances hear of
	/// it, now or never (a notice, not a change: it may be dropped).
	virtual void typing(const std::string& room, const std::string& nick) = 0;

	/// Moderation reaching every instance (each applies its own at once):
	/// message id of room becomes a tombstone; the instance holding nick in
	/// room kicks it. Wait for the backend (bounded); throw Poco::Exception
	/// when it fails.
	virtual void remove(const std::string& room, std::uint64_t id, const std::string& by) = 0;
	virtual void kick(const std::string& room, const std::string& nick, const std::string& by, const std::string& reason) = 0;
};

} // namespace webchat::chatroom

#endif
