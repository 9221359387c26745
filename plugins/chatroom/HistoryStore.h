//
// HistoryStore.h
//
// Where a room's messages go beyond the room's own memory: the one small
// interface between the chat room and its history backends (the .ini's
// backend key). A backend only sees whole messages, never SQL or JSON. A
// backend that rooms share with other instances (Redis) also implements
// SharedRooms (shared() returns it): it numbers the messages itself. The
// four calls:
//   - loadRoom() when a room is first used: its epoch, last id and newest
//     messages; it may block on a read, so it runs once per room incarnation;
//   - append() for every message, in id order per room, under the room's
//     lock: it must never block on I/O (a queue and a short mutex at most);
//   - flush() to wait until everything appended is durable;
//   - close() at shutdown: flush, then release the backend.
// Retention (how long the backend keeps messages) is the backend's own
// business; the room keeps history_size of them in memory regardless.
//
// A room is named to a backend by its key (NameRules::comparisonKey): every
// spelling of its name is one room, in memory, in the file and in Redis.
//
// The epoch names one incarnation of a room: a room that starts again from
// nothing (a memory room after a restart, a forgotten room) gets a new one,
// so a client resuming with since= and the old epoch is told to reset
// instead of being shown messages under ids it already knows.
//

#ifndef WEBCHAT_CHATROOM_HISTORYSTORE_INCLUDED
#define WEBCHAT_CHATROOM_HISTORYSTORE_INCLUDED

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ModerationStore.h"

#include "webchat/HandlerPlugin.h"

#include "Poco/Logger.h"

#include <memory>

namespace webchat::chatroom {

class SharedRooms;

class HistoryStore
{
public:
	struct Message
	{
		std::uint64_t id = 0;
		std::int64_t ts = 0; // milliseconds since the Unix epoch, as sent
		std::string nick;
		std::string text;
		std::string from;      // the speaker's public id (Speaker::from); empty for messages stored before ids
		bool verified = false; // a signed identity vouched for the speaker
		std::string deletedBy; // a tombstone: deleted by that moderator (nick and text are empty)
	};

	struct Room
	{
		std::string epoch;
		std::uint64_t lastId = 0;    // ids continue after it
		std::vector<Message> recent; // the newest messages, oldest first, consecutive ids ending at lastId
		std::map<std::string, std::string> remoteMembers; // shared backends: other instances' members, nick -> instance
	};

	virtual ~HistoryStore() = default;

	/// The room of that name as the backend knows it, with at most
	/// maxMessages of its newest messages; a new epoch and lastId 0 for a
	/// room it has never seen. Includes messages appended but not yet
	/// durable. May block on a read. Throws Poco::Exception when the backend
	/// fails.
	virtual Room loadRoom(const std::string& name, std::size_t maxMessages) = 0;

	/// Up to limit of room's stored messages with ids below before, the
	/// newest of them, oldest first (tombstones in place of deleted ones):
	/// what is older than the rooms' memory keeps. Messages appended but not
	/// yet durable may be missing (the room's memory has them). May block on
	/// an indexed read. Throws Poco::Exception when the backend fails.
	/// Default: none (a backend that keeps no messages).
	virtual std::vector<Message> loadBefore(const std::string& /*room*/, std::uint64_t /*before*/, std::size_t /*limit*/) { return {}; }

	/// Records message (the next id of room, whose epoch loadRoom() gave).
	/// Never blocks on I/O and never throws for the backend's failures
	/// (those are logged): called under the room's lock on an I/O thread.
	virtual void append(const std::string& room, const std::string& epoch, Message message) = 0;

	/// Message id of room (epoch as for append()) was deleted by a
	/// moderator: its nick and text are forgotten, not only hidden, and
	/// loadRoom() gives a tombstone in its place. Same rules as append();
	/// a message appended before is tombstoned after it is written.
	/// Default: nothing (a backend that keeps no messages).
	virtual void tombstone(const std::string& /*room*/, const std::string& /*epoch*/, std::uint64_t /*id*/, const std::string& /*by*/) {}

	/// Where moderation (bans, mutes, room rules) is kept with this
	/// backend: its own tables, or by default nothing beyond the process.
	virtual std::unique_ptr<ModerationStore> moderationStore(Poco::Logger& logger);

	/// Waits until every message appended before the call is durable.
	/// False if the backend failed to store some of them (logged).
	virtual bool flush() = 0;

	/// Flushes and releases the backend; append() must not be called after.
	/// Idempotent; also done by the destructor.
	virtual void close() = 0;

	/// The backend's own metrics (any thread, while it exists). Default:
	/// none.
	virtual void writeMetrics(MetricsWriter&) const {}

	/// False when append() does nothing (the room's memory is all there is),
	/// so rooms need not copy their messages for it.
	virtual bool keepsMessages() const { return true; }

	/// A backend shared by several instances (see SharedRooms.h), or null.
	virtual SharedRooms* shared() { return nullptr; }

	/// One line for the log: the backend and where it keeps its data.
	virtual std::string describe() const = 0;

	/// 16 random hex digits (64 bits): a new room incarnation.
	static std::string newEpoch();

	/// Drops the messages of room.recent (sorted by id) that are not part of
	/// the run of consecutive ids ending at room.lastId, then all but the
	/// newest maxMessages.
	static void keepNewestRun(Room& room, std::size_t maxMessages);
};

} // namespace webchat::chatroom

#endif
