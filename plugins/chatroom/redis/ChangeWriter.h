//
// ChangeWriter.h
//
// The writer of RedisRooms: what this instance's rooms hand over (posts,
// joins, leaves, renames) goes to Redis in the order it was handed over,
// pipelined, each change one script call (RedisScripts.h), on a thread and
// a connection of its own. It also keeps this instance's presence key
// alive (renewed every third of redis_presence_ttl_ms, between batches too,
// so a steady stream of posts never lets it expire).
//
// Guarantees:
//   - order: one queue, sent front first; a change leaves the queue only
//     when its reply is read;
//   - exactly once: a connection that fails mid-pipeline sends the whole
//     unanswered front again; a post carries this instance's sequence
//     number, and the post script takes each number once;
//   - "not now" error replies (LOADING, OOM, MISCONF, NOSCRIPT...) keep the
//     change and what follows queued for the next attempt, never dropped;
//     other error replies drop that change (logged);
//   - bounded: at most redis_queue_limit posts wait (Redis away or only
//     slower than the clients); beyond that post() refuses;
//   - typing notices are the exception: sent at most once and only while
//     the link is up and the queue short (dropped otherwise: a notice
//     that arrives late is wrong, not late);
//   - while Redis is unreachable: logged once (LinkOutage), retried with
//     backoff; on reconnection the scripts are loaded again and every room's
//     members of this instance registered again (a sync per room);
//   - at stop: what is queued gets redis_timeout_ms to go out, then the
//     instance's key is deleted so other instances drop its members at once.
//
// join() and rename() wait (up to redis_timeout_ms) for the script's
// verdict on the nick; post() and leave() only queue.
//
// On a Redis Cluster (ClusterLink) the same holds room by room: a room's
// changes go to its slot's master in the queue's order. A batch spans
// masters; when one of them fails, the whole unanswered batch is sent again
// as above (the parts other masters took are taken once again: posts by
// their sequence, the other scripts being idempotent for one instance).
// The rooms' scripts check this instance's key in each room's own slot
// (Keyspace::instancePrefix): set before each join, rename and sync there,
// renewed with the presence key, deleted at stop.
//

#ifndef WEBCHAT_CHATROOM_CHANGEWRITER_INCLUDED
#define WEBCHAT_CHATROOM_CHANGEWRITER_INCLUDED

#include "HistoryStore.h"
#include "SharedRooms.h"
#include "redis/Keyspace.h"
#include "redis/LinkOutage.h"
#include "redis/RedisLink.h"
#include "redis/RedisOptions.h"

#include "Poco/Logger.h"

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

namespace webchat::chatroom::redis {

class ChangeWriter
{
public:
	/// instance: this webchatd's id in Redis.
	ChangeWriter(const RedisOptions& options, const std::string& instance, Poco::Logger& logger);
	~ChangeWriter();

	ChangeWriter(const ChangeWriter&) = delete;
	ChangeWriter& operator=(const ChangeWriter&) = delete;

	/// Starts the thread; sink gives this instance's members for the syncs
	/// after each (re)connection.
	void start(SharedRooms::Sink& sink);

	// From the rooms (I/O threads).
	SharedRooms::Posted post(const std::string& room, const SharedRooms::Position& seen, HistoryStore::Message message);
	SharedRooms::Verdict join(const std::string& room, const Name& nick, const std::string& speaker);
	SharedRooms::Verdict rename(const std::string& room, const Name& from, const Name& to);
	void leave(const std::string& room, const Name& nick);
	void away(const std::string& room, const Name& nick, const std::string& speaker);
	void typing(const std::string& room, const std::string& nick);

	/// Waits (up to redis_timeout_ms) until nothing is queued.
	bool flush();

	/// Nothing more is queued; the thread sends what it can within
	/// redis_timeout_ms and ends. stop() also waits for it. Both idempotent.
	void requestStop();
	void stop();

	bool linkUp() const { return _linkUp.load(std::memory_order_relaxed); }
	/// Changes waiting to be sent or answered.
	std::size_t queued() const;

private:
	// The changes, each the arguments of its script.
	struct Post
	{
		std::string room;
		std::uint64_t sequence = 0; // this instance's post number, so a resent post is taken once
		SharedRooms::Position seen; // the room as this instance has it: Redis never numbers below it
		HistoryStore::Message message;
	};
	struct Join
	{
		std::string room;
		Name nick;
		std::string speaker; // the joiner's public id (from): takes its nick back from another instance
	};
	struct Away
	{
		std::string room;
		Name nick;
		std::string speaker;
	};
	struct Typing // not a script: one feed entry, t=y
	{
		std::string room;
		std::string nick;
	};
	struct Leave
	{
		std::string room;
		Name nick;
	};
	struct Rename
	{
		std::string room;
		Name from;
		Name to;
	};
	struct Sync // this instance's members of room are exactly nicks
	{
		std::string room;
		std::vector<Name> nicks;
	};
	using Change = std::variant<Post, Join, Leave, Rename, Sync, Away, Typing>;

	struct Queued
	{
		Change change;
		std::shared_ptr<std::promise<bool>> verdict; // Join, Rename: whether the script said 1
	};

	enum Script : std::size_t
	{
		PostScript,
		JoinScript,
		LeaveScript,
		RenameScript,
		SyncScript,
		AwayScript,
		ScriptCount
	};

	/// Queues a change for the thread; false when it was not queued. A
	/// typing notice is now or never: not while Redis is away (the outage's
	/// resend would deliver it late), nor behind a full queue.
	enum class Lateness
	{
		Allowed,
		Pointless
	};
	bool enqueue(Queued queued, Lateness lateness = Lateness::Allowed);
	SharedRooms::Verdict decide(Change change);

	void run();
	void connect();
	void renewPresence();
	/// SET key PX redis_presence_ttl_ms: an instance's key renewed.
	RedisLink::Command alive(const std::string& key) const;
	static const std::string& roomOf(const Change& change);
	void queueResync();
	bool writeBatch();
	void finish();

	RedisLink::Command command(const Change& change) const;
	RedisLink::Command command(const Post& post) const;
	RedisLink::Command command(const Join& join) const;
	RedisLink::Command command(const Leave& leave) const;
	RedisLink::Command command(const Rename& rename) const;
	RedisLink::Command command(const Sync& sync) const;
	RedisLink::Command command(const Away& away) const;
	RedisLink::Command command(const Typing& typing) const;
	RedisLink::Command script(Script which, const char* keyCount) const;

	const RedisOptions _options;
	const Keyspace _keys;
	const std::string _instance;
	// Script arguments every call repeats, made once.
	const std::string _feedWindow; // redis_feed_ms
	const std::string _logCap;
	Poco::Logger& _logger;
	SharedRooms::Sink* _sink = nullptr;

	mutable std::mutex _mutex;
	std::condition_variable _wake; // the thread: changes, stop; flush(): the queue emptied
	std::deque<Queued> _queue;     // oldest first; the front ones may be in flight
	std::size_t _queuedPosts = 0;
	std::uint64_t _postSequence = 0;
	bool _closed = false; // requestStop() was called: nothing more is queued

	// The thread's own.
	std::atomic<bool> _linkUp{false};
	std::array<std::string, ScriptCount> _scriptIds;
	std::vector<std::string> _roomsAlive; // cluster: the rooms renewPresence() last kept this instance's key in
	std::unique_ptr<Link> _link;
	LinkOutage _outage;
	std::thread _thread;
};

} // namespace webchat::chatroom::redis

#endif
