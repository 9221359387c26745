//
// HistorySettings.h
//
// Where the chat room keeps its history (the listener's backend keys: see
// keys() for each, its default and range), read and validated, and the store
// they describe. The shipped .ini names the database
// ${application.configDir}../../var/lib/webchat/chat.db:
// /var/lib/webchat/chat.db for /etc/webchat/webchat.ini,
// <build>/var/lib/webchat/chat.db in a build tree.
//

#ifndef WEBCHAT_CHATROOM_HISTORYSETTINGS_INCLUDED
#define WEBCHAT_CHATROOM_HISTORYSETTINGS_INCLUDED

#include "HistoryStore.h"
#include "redis/RedisRooms.h"

#include "webchat/ConfigKeys.h"

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

	// The keys of keys(), read by fromConfig().
	Backend backend = Backend::Sqlite;
	std::string database;                // absolute
	bool fallBackToMemory = false;       // database_fallback = memory
	std::int64_t batchWindowMs = 0;
	std::uint64_t retentionCount = 0;
	std::int64_t retentionDays = 0;
	std::size_t maxPendingMessages = 0;
	std::uint64_t maxPendingBytes = 0;
	redis::RedisRooms::Options redis;

	/// The history's keys (beside the chat room's and the engine's).
	static const SettingsTable<HistorySettings>& keys();

	/// Reads the keys above. historySize is the room's history_size: what
	/// retention_count keeps may not be less (its default grows to it).
	/// Throws Poco::InvalidArgumentException naming the key for a bad value.
	static HistorySettings fromConfig(const Poco::Util::AbstractConfiguration& section, std::size_t historySize);

	/// Checks what openStore() would use without opening, creating or
	/// connecting anything (webchatd --check-config): the database's path
	/// for sqlite; nothing more for memory and redis (Redis is reached at
	/// run time, and may start later). Throws as openStore() would.
	void checkStore() const;

	/// The store these settings describe, opened. Throws Poco::Exception
	/// naming `database` and the path when the file cannot be used.
	std::unique_ptr<HistoryStore> openStore(Poco::Logger& logger) const;
};

} // namespace webchat::chatroom

#endif
