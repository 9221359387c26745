#include "HistorySettings.h"

#include "ConfigValues.h"
#include "MemoryHistoryStore.h"
#include "SqliteHistoryStore.h"

#include "Poco/Exception.h"
#include "Poco/NumberParser.h"
#include "Poco/Path.h"
#include "Poco/String.h"

#include <algorithm>

namespace webchat::chatroom {

namespace {

std::string resolveDatabase(const Poco::Util::AbstractConfiguration& section)
{
	std::string configured = Poco::trim(section.getString("database", ""));
	if (configured.empty()) configured = HistorySettings::DefaultDatabase;
	Poco::Path path;
	if (!path.tryParse(configured, Poco::Path::PATH_UNIX) || path.isDirectory())
		throw Poco::InvalidArgumentException("database = " + configured + ": expected the path of a file");
	if (path.isRelative())
	{
		// Relative to the .ini's folder, which webchatd puts in
		// application.configDir (the section view falls back to full keys).
		path = Poco::Path(section.getString("application.configDir", Poco::Path::current())).resolve(path);
	}
	// Parsing again folds the "..": the path the messages show.
	return Poco::Path(path.toString()).toString();
}

redis::RedisRooms::Options redisOptions(const Poco::Util::AbstractConfiguration& section, std::uint64_t retentionCount)
{
	redis::RedisRooms::Options o;
	o.address = Poco::trim(section.getString("redis_address", o.address));
	// Names are resolved when connecting (Redis may start later), so only
	// the shape is checked here.
	const auto colon = o.address.rfind(':');
	unsigned port = 0;
	if (colon == std::string::npos || colon == 0 || !Poco::NumberParser::tryParseUnsigned(o.address.substr(colon + 1), port) || port == 0 || port > 65535)
		throw Poco::InvalidArgumentException("redis_address = " + o.address + ": expected host:port");
	o.ns = Poco::trim(section.getString("redis_namespace", o.ns));
	if (o.ns.empty() || o.ns.find_first_of(" \t\r\n:") != std::string::npos)
		throw Poco::InvalidArgumentException("redis_namespace = " + o.ns + ": expected a word without spaces or colons");
	o.credentials.user = section.getString("redis_user", "");
	o.credentials.password = section.getString("redis_password", "");
	if (!o.credentials.user.empty() && o.credentials.password.empty())
		throw Poco::InvalidArgumentException("redis_user = " + o.credentials.user + ": needs redis_password");
	o.timeoutMs = static_cast<std::int64_t>(ConfigValues::whole(section, "redis_timeout_ms", static_cast<std::uint64_t>(o.timeoutMs), 10, 60000));
	o.presenceTtlMs = static_cast<std::int64_t>(ConfigValues::whole(section, "redis_presence_ttl_ms", static_cast<std::uint64_t>(o.presenceTtlMs), 300, 3600000));
	o.queueLimit = ConfigValues::whole(section, "redis_queue_limit", o.queueLimit, 0, 10000000);
	o.feedLength = ConfigValues::whole(section, "redis_feed_length", o.feedLength, 1000, std::uint64_t(1) << 40);
	o.logLength = retentionCount;
	return o;
}

} // namespace

HistorySettings HistorySettings::fromConfig(const Poco::Util::AbstractConfiguration& section, std::size_t historySize)
{
	HistorySettings s;
	const std::string backend = Poco::trim(section.getString("backend", "sqlite"));
	if (backend == "sqlite")
		s.backend = Backend::Sqlite;
	else if (backend == "memory")
		s.backend = Backend::Memory;
	else if (backend == "redis")
		s.backend = Backend::Redis;
	else
		throw Poco::InvalidArgumentException("backend = " + backend + ": expected sqlite, memory or redis");

	s.database = resolveDatabase(section);
	const std::string fallback = Poco::trim(section.getString("database_fallback", "none"));
	if (fallback != "none" && fallback != "memory")
		throw Poco::InvalidArgumentException("database_fallback = " + fallback + ": expected none or memory");
	s.fallBackToMemory = fallback == "memory";
	s.batchWindowMs = static_cast<std::int64_t>(ConfigValues::whole(section, "batch_window_ms", static_cast<std::uint64_t>(s.batchWindowMs), 1, 10000));
	const std::uint64_t least = historySize;
	s.retentionCount = ConfigValues::whole(section, "retention_count", std::max<std::uint64_t>(DefaultRetentionCount, least), 0, std::uint64_t(1) << 53);
	if (s.retentionCount != 0 && s.retentionCount < least)
	{
		throw Poco::InvalidArgumentException("retention_count = " + std::to_string(s.retentionCount) +
			": keeps fewer messages than history_size = " + std::to_string(historySize) + "; use 0 (keep all) or at least " + std::to_string(least));
	}
	s.retentionDays = static_cast<std::int64_t>(ConfigValues::whole(section, "retention_days", 0, 0, 36500));
	s.redis = redisOptions(section, s.retentionCount);
	return s;
}

std::unique_ptr<HistoryStore> HistorySettings::openStore(Poco::Logger& logger) const
{
	if (backend == Backend::Memory) return std::make_unique<MemoryHistoryStore>();
	if (backend == Backend::Redis) return std::make_unique<redis::RedisRooms>(redis, logger);
	SqliteHistoryStore::Options options;
	options.path = database;
	options.batchWindowMs = batchWindowMs;
	options.retentionCount = retentionCount;
	options.retentionDays = retentionDays;
	try
	{
		return std::make_unique<SqliteHistoryStore>(std::move(options), logger);
	}
	catch (const Poco::Exception& exc)
	{
		if (!fallBackToMemory) throw;
		logger.error(exc.message() + "; database_fallback = memory: history is kept in memory only, until the database is fixed and webchatd restarted");
		return std::make_unique<MemoryHistoryStore>();
	}
}

} // namespace webchat::chatroom
