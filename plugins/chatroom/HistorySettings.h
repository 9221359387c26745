//
// HistorySettings.h
//
// Where the chat room keeps its history (the listener's backend keys), read
// and validated, and the store they describe:
//   backend          sqlite (default), memory, or redis (rooms shared by
//                    every instance using the same Redis: RedisRooms.h)
//   database         the SQLite file; relative to the .ini's folder
//                    (application.configDir); default data/chat.db there.
//                    The shipped .ini names
//                    ${application.configDir}../../var/lib/webchat/chat.db:
//                    /var/lib/webchat/chat.db for /etc/webchat/webchat.ini,
//                    <build>/var/lib/webchat/chat.db in a build tree
//   batch_window_ms  how long the writer gathers messages into one
//                    transaction: what a crash may lose (default 100)
//   database_fallback  what an unusable database at start does: none (the
//                    default: webchatd stops with exit 78 naming it) or
//                    memory (logged as an error; history is kept in memory
//                    until the database is fixed and webchatd restarted)
//   retention_count  messages kept per room (default 10000; 0: all; else at
//                    least history_size)
//   retention_days   and for at most this many days (default 0: no limit;
//                    sqlite only)
// With backend = redis (database and batch_window_ms do not apply):
//   redis_address        host:port (default 127.0.0.1:6379)
//   redis_namespace      key prefix, so deployments can share a Redis
//                        (default webchat)
//   redis_password       AUTH with it (Redis's requirepass, or with
//   redis_user           an ACL user); keep the .ini readable by webchatd only
//   redis_timeout_ms     connect/reply timeout; the longest a join waits
//                        for its nick (default 2000)
//   redis_presence_ttl_ms  how soon a crashed instance's users leave
//                        (default 10000)
//   redis_queue_limit    messages waiting for Redis, unreachable or slower
//                        than the clients (default 10000; beyond, sending
//                        is refused)
//   redis_feed_length    entries kept in the shared feed (default 100000)
//

#ifndef WEBCHAT_CHATROOM_HISTORYSETTINGS_INCLUDED
#define WEBCHAT_CHATROOM_HISTORYSETTINGS_INCLUDED

#include "HistoryStore.h"
#include "redis/RedisRooms.h"

#include "Poco/Logger.h"
#include "Poco/Util/AbstractConfiguration.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace webchat::chatroom {

struct HistorySettings
{
	enum class Backend
	{
		Sqlite,
		Memory,
		Redis
	};

	/// The database when the key is absent, relative to the .ini's folder:
	/// a data folder beside it, wherever an ad-hoc .ini lives.
	static constexpr const char* DefaultDatabase = "data/chat.db";
	static constexpr std::uint64_t DefaultRetentionCount = 10000;

	Backend backend = Backend::Sqlite;
	std::string database;                // absolute
	bool fallBackToMemory = false;       // database_fallback = memory
	std::int64_t batchWindowMs = 100;
	std::uint64_t retentionCount = DefaultRetentionCount;
	std::int64_t retentionDays = 0;
	redis::RedisRooms::Options redis;

	/// Reads the keys above. historySize is the room's history_size: what
	/// retention_count keeps may not be less (its default grows to it).
	/// Throws Poco::InvalidArgumentException naming the key for a bad value.
	static HistorySettings fromConfig(const Poco::Util::AbstractConfiguration& section, std::size_t historySize);

	/// The store these settings describe, opened. Throws Poco::Exception
	/// naming `database` and the path when the file cannot be used.
	std::unique_ptr<HistoryStore> openStore(Poco::Logger& logger) const;
};

} // namespace webchat::chatroom

#endif
