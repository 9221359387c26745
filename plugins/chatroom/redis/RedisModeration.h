//
// RedisModeration.h
//
// Moderation with backend = redis: bans, mutes and room rules in Redis
// (keys in RedisScripts.h), so every instance applies the same ones, and
// the moderation notices other instances act on:
//   on the global feed, which every instance reads (the records are global
//   keys, changed with their notice in one MULTI):
//     t=x  bans, mutes or slow mode changed (they read them again),
//     t=o  a room's topic changed (its members are told);
//   on the room's feed, read where the room is loaded:
//     t=k  a member is kicked (the instance holding it closes it),
//     t=d  a message was deleted (Scripts::remove: out of the log, its
//          tombstone recorded).
// Each instance applies its own actions as it takes them and skips its own
// notices (FeedReader). A connection of its own, one call at a time; calls
// wait for Redis (bounded by redis_timeout_ms): moderation is rare. Failures
// throw Poco::Exception.
//

#ifndef WEBCHAT_CHATROOM_REDISMODERATION_INCLUDED
#define WEBCHAT_CHATROOM_REDISMODERATION_INCLUDED

#include "ModerationStore.h"
#include "redis/Keyspace.h"
#include "redis/RedisLink.h"
#include "redis/RedisOptions.h"

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace webchat::chatroom::redis {

class RedisModeration final: public ModerationStore
{
public:
	/// instance: this webchatd's id in Redis, named in its notices.
	RedisModeration(const RedisOptions& options, const std::string& instance);

	Records load() override;
	std::uint64_t addBan(const Ban& ban) override;
	void removeBan(std::uint64_t id) override;
	void updateBan(const Ban& ban) override;
	void saveMute(const Mute& mute) override;
	void removeMute(const std::string& room, const std::string& nickKey) override;
	void saveRules(const std::string& room, const RoomRules& rules) override;

	/// Message id of room leaves the log for a tombstone; other instances
	/// are told.
	void removeMessage(const std::string& room, std::uint64_t id, const std::string& by);
	/// The instance holding nick in room kicks it.
	void kick(const std::string& room, const std::string& nick, const std::string& by, const std::string& reason);

private:
	// Runs commands, then the notice on feed (fields after t, r, i), at once.
	void apply(std::vector<RedisLink::Command> commands, const std::string& feed, const std::string& room, char type,
		std::initializer_list<std::string_view> fields = {});

	const Keyspace _keys;
	const std::string _instance;
	const std::string _feedCap;    // the global feed's redis_feed_length
	const std::string _feedWindow; // a room feed's redis_feed_ms
	std::mutex _mutex;
	std::unique_ptr<Link> _link;
};

} // namespace webchat::chatroom::redis

#endif
