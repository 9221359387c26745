//
// FeedReader.h
//
// The feed reader of RedisRooms: on a thread and a connection of its own it
// reads the feeds of the rooms loaded here and the global feed (XREAD
// BLOCK, FeedSet.h), where every instance's changes arrive in the rooms'
// order, and hands them to those rooms (the Sink):
//   - messages in each room's order, exactly once: ids the room has are
//     skipped, a gap is filled from the room's log first, and a room whose
//     log no longer holds the gap (or that Redis started afresh under
//     another epoch) is loaded again;
//   - other instances' joins, leaves, renames and syncs, and their
//     moderation (deletions, kicks, topics, bans...; this instance's own
//     were applied when they happened);
//   - one batch per room per read, not one per message (PublishScope): the
//     I/O threads then write each client once for the lot.
// A room loaded here is watched (watch(), from RedisRooms::loadRoom): its
// feed joins the next read, which a wake-up entry on this instance's own
// stream starts at once. A room no longer loaded leaves the reads (an empty
// room stays loaded, for its history, until the registry forgets it: its
// feed is read until then).
// After each (re)connection every loaded room catches up from its log and
// takes the other instances' members as Redis holds them. Every half
// redis_presence_ttl_ms it checks the instances with members here: one whose
// key expired (it crashed, or stopped) loses its members; and drops the
// feeds of the rooms no longer loaded.
// Losing the connection is logged once (LinkOutage) and retried with
// backoff; the feeds' positions are kept, so nothing in between is missed.
//

#ifndef WEBCHAT_CHATROOM_FEEDREADER_INCLUDED
#define WEBCHAT_CHATROOM_FEEDREADER_INCLUDED

#include "HistoryStore.h"
#include "SharedRooms.h"
#include "redis/FeedEntry.h"
#include "redis/FeedSet.h"
#include "redis/Keyspace.h"
#include "redis/LinkOutage.h"
#include "redis/RedisLink.h"
#include "redis/RedisOptions.h"

#include "Poco/Logger.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace webchat::chatroom::redis {

class FeedReader
{
public:
	/// instance: this webchatd's id in Redis (its own presence changes are
	/// not handed back).
	FeedReader(const RedisOptions& options, const std::string& instance, Poco::Logger& logger);
	~FeedReader();

	FeedReader(const FeedReader&) = delete;
	FeedReader& operator=(const FeedReader&) = delete;

	/// Starts the thread, delivering to sink.
	void start(SharedRooms::Sink& sink);

	/// The thread ends after its current read (at most the XREAD block
	/// time); stop() also waits for it. Both idempotent.
	void requestStop();
	void stop();

	/// room was loaded here; its feed stood at feedPosition before (see
	/// FeedSet::watch). Any thread; read from the next pass on (the caller
	/// wakes a blocked read: RoomQueries::wake on Keyspace::wake).
	void watch(const std::string& room, const std::string& feedPosition);

	/// Messages read from the rooms' feeds so far (only the rooms loaded
	/// here): what this instance pays for the rooms shared through Redis.
	std::uint64_t messagesReceived() const { return _messagesReceived.load(std::memory_order_relaxed); }

	/// The rooms whose feeds are read now.
	std::size_t roomsRead() const { return _roomsRead.load(std::memory_order_relaxed); }

private:
	void run();
	bool stopping();
	void connect();
	void readFeeds();
	void takeWatched();
	void dropUnloaded();
	/// id: the entry's stream id ("<ms>-<n>", Redis's clock when added).
	void handle(std::string_view id, const FeedEntry::Fields& fields);
	void deliverInOrder(const std::string& room, const std::string& epoch, const HistoryStore::Message& message);
	bool fillFrom(const std::string& room, const std::string& epoch, std::uint64_t first, std::uint64_t last);
	void catchUp();
	void checkInstances();

	const RedisOptions _options;
	const Keyspace _keys;
	const std::string _instance;
	Poco::Logger& _logger;
	SharedRooms::Sink* _sink = nullptr;

	std::mutex _mutex;
	std::condition_variable _wake; // the backoff's wait: stop
	bool _stopping = false;
	std::vector<std::pair<std::string, std::string>> _watched; // room, feed position: for the thread
	std::atomic<std::uint64_t> _messagesReceived{0}; // written by the thread only
	std::atomic<std::size_t> _roomsRead{0};          // the same

	// The thread's own.
	std::unique_ptr<Link> _link;
	FeedSet _streams;
	bool _lastPassIdle = false;
	LinkOutage _outage;
	std::thread _thread;
};

} // namespace webchat::chatroom::redis

#endif
