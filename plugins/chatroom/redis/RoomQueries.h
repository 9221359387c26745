//
// RoomQueries.h
//
// The queries of RedisRooms: loading a room on its first join here (its
// epoch, counter, newest messages and the other instances' live members),
// on a connection of its own, one load at a time. Called on a join thread
// (JoinQueue.h), which waits for it (once per room, bounded by
// redis_timeout_ms); never on the writer's or the feed reader's connection,
// so a load never waits behind the feed's blocking read.
//

#ifndef WEBCHAT_CHATROOM_ROOMQUERIES_INCLUDED
#define WEBCHAT_CHATROOM_ROOMQUERIES_INCLUDED

#include "HistoryStore.h"
#include "redis/Keyspace.h"
#include "redis/RedisLink.h"
#include "redis/RedisOptions.h"

#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace webchat::chatroom::redis {

class RoomQueries
{
public:
	/// instance: this webchatd's id in Redis (its own members are not
	/// another instance's).
	RoomQueries(const RedisOptions& options, const std::string& instance);

	/// A room as loaded, and where its feed stood before it was read: every
	/// change after feedPosition is in the feed, every one before is in
	/// room (FeedReader::watch).
	struct Loaded
	{
		HistoryStore::Room room;
		std::string feedPosition; // "0-0": the feed was empty
	};

	/// See HistoryStore::loadRoom. A room Redis does not know gets its
	/// epoch here, from whichever instance loads it first. Throws
	/// Poco::Exception when Redis fails or is unreachable.
	Loaded loadRoom(const std::string& name, std::size_t maxMessages);

	/// Adds an entry to the stream key (trimmed to one, kept a day): wakes
	/// a feed reader blocked on it. Throws Poco::Exception when Redis fails.
	void wake(const std::string& key);

	/// See HistoryStore::loadBefore: from the room's log (XREVRANGE) and its
	/// tombstones. Throws Poco::Exception when Redis fails.
	std::vector<HistoryStore::Message> loadBefore(const std::string& name, std::uint64_t before, std::size_t limit);

private:
	// Other instances' members of room, nick -> instance, without (and
	// forgetting) those of instances whose key expired.
	std::map<std::string, std::string> liveOtherMembers(const std::string& room);

	const Keyspace _keys;
	const std::string _instance;
	std::mutex _mutex; // one load at a time on the connection
	std::unique_ptr<Link> _link;
};

} // namespace webchat::chatroom::redis

#endif
