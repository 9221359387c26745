//
// RedisRooms.h
//
// backend = redis: rooms shared by every webchatd instance using the same
// Redis (and redis_namespace). Redis orders each room (one Lua script per
// change, RedisScripts.h), keeps its log and presence, and carries every
// change in the room's own stream, its feed, which only the instances that
// have the room loaded read. Three roles, each with its own connection, so
// no I/O thread ever waits on the feeds:
//   - the writer (ChangeWriter.h, a thread) sends what the rooms hand over
//     (posts, joins, leaves, renames) in order, pipelined, exactly once, and
//     renews this instance's presence key; while Redis is unreachable it
//     keeps them (posts up to redis_queue_limit) and retries with backoff;
//   - the feed reader (FeedReader.h, a thread) reads the feeds of the rooms
//     loaded here and hands every change to them in the rooms' order (a
//     room loaded here is added to its reads at once: loadRoom() wakes it),
//     reads the global feed (bans, mutes, rules), catches them up after a
//     reconnection and removes the members of instances that stopped
//     renewing their key;
//   - the queries (RoomQueries.h) load a room on its first join (a join
//     thread, JoinQueue.h, waits for that read and the wake-up, once per
//     room).
// This class is the rooms' view of the three: a HistoryStore whose
// shared() is itself.
//

#ifndef WEBCHAT_CHATROOM_REDISROOMS_INCLUDED
#define WEBCHAT_CHATROOM_REDISROOMS_INCLUDED

#include "HistoryStore.h"
#include "SharedRooms.h"
#include "redis/ChangeWriter.h"
#include "redis/FeedReader.h"
#include "redis/Keyspace.h"
#include "redis/RedisModeration.h"
#include "redis/RedisOptions.h"
#include "redis/RoomQueries.h"

#include "Poco/Logger.h"

#include <cstddef>
#include <string>

namespace webchat::chatroom::redis {

class RedisRooms final: public HistoryStore, public SharedRooms
{
public:
	using Options = RedisOptions;

	RedisRooms(Options options, Poco::Logger& logger);
	~RedisRooms() override;

	// HistoryStore
	Room loadRoom(const std::string& name, std::size_t maxMessages) override;
	std::vector<Message> loadBefore(const std::string& name, std::uint64_t before, std::size_t limit) override;
	void append(const std::string&, const std::string&, Message) override {}
	bool flush() override;
	void close() override;
	SharedRooms* shared() override { return this; }
	std::unique_ptr<ModerationStore> moderationStore(Poco::Logger& logger) override;
	std::string describe() const override;

	// SharedRooms
	void attach(Sink& sink) override;
	Posted post(const std::string& room, const Position& seen, Message message) override;
	Verdict join(const std::string& room, const Name& nick, const std::string& speaker) override;
	Verdict rename(const std::string& room, const Name& from, const Name& to) override;
	void leave(const std::string& room, const Name& nick) override;
	void away(const std::string& room, const Name& nick, const std::string& speaker) override;
	void typing(const std::string& room, const std::string& nick) override;
	void remove(const std::string& room, std::uint64_t id, const std::string& by) override;
	void kick(const std::string& room, const std::string& nick, const std::string& by, const std::string& reason) override;

	/// For metrics and tests.
	void writeMetrics(MetricsWriter& writer) const override;

	bool linkUp() const { return _writer.linkUp(); }
	std::size_t queued() const { return _writer.queued(); }

private:
	const Options _options;
	const std::string _instance; // this webchatd's id in Redis, new at every start
	const Keyspace _keys;
	RoomQueries _queries;
	ChangeWriter _writer;
	FeedReader _feed;
	RedisModeration _notices; // deletions and kicks
};

} // namespace webchat::chatroom::redis

#endif
