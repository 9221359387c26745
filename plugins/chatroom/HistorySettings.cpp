#include "HistorySettings.h"

#include "MemoryHistoryStore.h"
#include "SqliteHistoryStore.h"

#include "Poco/Exception.h"
#include "Poco/NumberParser.h"
#include "Poco/Path.h"
#include "Poco/String.h"
#include "Poco/StringTokenizer.h"

#include <algorithm>

namespace webchat::chatroom {

namespace {

// host:port (names are resolved when connecting, as Redis may start later,
// so only the shape is checked).
bool isHostPort(const std::string& address)
{
	const auto colon = address.rfind(':');
	unsigned port = 0;
	if (colon == std::string::npos || colon == 0 || !Poco::NumberParser::tryParseUnsigned(address.substr(colon + 1), port) || port == 0 || port > 65535)
		return false;
	const std::string host = address.substr(0, colon);
	// A name or IPv4 address, or an IPv6 address in brackets.
	if (host.front() == '[')
		return host.size() > 2 && host.back() == ']' && host.find_first_not_of("0123456789abcdefABCDEF:.", 1) == host.size() - 1;
	return host.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") == std::string::npos;
}

// A comma-separated list of host:port, each checked; at most 16 (more
// sentinels or seed nodes than that is a typo, not a deployment).
std::vector<std::string> addressList(const ConfigReader& read, const std::string& key)
{
	const std::string text = read.text(key);
	std::vector<std::string> list;
	for (const auto& item : Poco::StringTokenizer(text, ",", Poco::StringTokenizer::TOK_TRIM))
	{
		if (!isHostPort(item)) read.refuse(key, text, "expected host:port[,host:port...]");
		list.push_back(item);
	}
	if (list.empty() || list.size() > 16) read.refuse(key, text, "expected 1 to 16 host:port, comma-separated");
	return list;
}

redis::RedisRooms::Options redisOptions(const ConfigReader& read, std::uint64_t retentionCount)
{
	redis::RedisRooms::Options o;
	const std::string mode = read.choice("redis_mode");
	o.mode = mode == "cluster" ? redis::RedisOptions::Mode::Cluster :
		mode == "sentinel" ? redis::RedisOptions::Mode::Sentinel : redis::RedisOptions::Mode::Standalone;
	o.address = read.text("redis_address");
	if (o.cluster())
	{
		// Seed nodes: any of them tells where the rest are.
		std::string seeds;
		for (const auto& seed : addressList(read, "redis_address")) seeds += (seeds.empty() ? "" : ",") + seed;
		o.address = seeds;
	}
	else if (o.address.find(',') != std::string::npos)
		read.refuse("redis_address", o.address, "several addresses need redis_mode = cluster");
	else if (!isHostPort(o.address))
		read.refuse("redis_address", o.address, "expected host:port");
	if (o.mode == redis::RedisOptions::Mode::Sentinel)
	{
		o.sentinels = addressList(read, "redis_sentinels");
		o.masterName = read.text("redis_master_name");
		if (o.masterName.find_first_of(" \t\r\n") != std::string::npos)
			read.refuse("redis_master_name", o.masterName, "expected the name the sentinels monitor (no spaces)");
	}
	o.ns = read.text("redis_namespace");
	// Braces would make a hash tag of the namespace: every room's keys in one
	// slot of a Redis Cluster (Keyspace.h).
	if (o.ns.find_first_of(" \t\r\n:{}") != std::string::npos)
		read.refuse("redis_namespace", o.ns, "expected a word without spaces, colons or braces");
	o.credentials.user = read.text("redis_user");
	o.credentials.password = read.text("redis_password");
	if (!o.credentials.user.empty() && o.credentials.password.empty())
		read.refuse("redis_user", o.credentials.user, "needs redis_password");
	o.timeoutMs = read.integer("redis_timeout_ms");
	o.presenceTtlMs = read.integer("redis_presence_ttl_ms");
	o.queueLimit = static_cast<std::size_t>(read.integer("redis_queue_limit"));
	o.feedLength = static_cast<std::uint64_t>(read.integer("redis_feed_length"));
	o.feedWindowMs = read.integer("redis_feed_ms");
	o.idleRoomMs = read.integer("redis_idle_room_ms");
	o.logLength = retentionCount;
	return o;
}

} // namespace

const SettingsTable<HistorySettings>& HistorySettings::keys()
{
	using Key = ConfigKey;
	using S = HistorySettings;
	static const SettingsTable<HistorySettings> table{"chat history", {
		Key::choice("backend", "sqlite", {"sqlite", "memory", "redis"}, "where history is kept: a SQLite file, memory only, or Redis (rooms shared by every webchatd on it)"),
		Key::path("database", DefaultDatabase, "the SQLite file (relative: to the .ini's folder); its folder is created if missing"),
		Key::choice("database_fallback", "none", {"none", "memory"}, "memory: an unusable database at start is logged and history kept in memory"),
		{Key::integer("batch_window_ms", 100, 1, 10000, "ms", "the writer's transaction window: what a crash may lose"), &S::batchWindowMs},
		Key::integer("retention_count", static_cast<std::int64_t>(DefaultRetentionCount), 0, std::int64_t(1) << 53, "messages",
			"messages kept per room (0: all; else at least history_size, and the default grows to it)"),
		{Key::integer("retention_days", 0, 0, 36500, "days", "...and for at most this many days (0: no age limit)"), &S::retentionDays},
		{Key::integer("max_pending_messages", 100000, 1, 100000000, "messages", "messages waiting to be written (a slow or failing disk); beyond it or max_pending_bytes, new ones are delivered but not kept"), &S::maxPendingMessages},
		{Key::integer("max_pending_bytes", 64 << 20, 1 << 20, std::int64_t(1) << 36, "bytes", "...and their size"), &S::maxPendingBytes},
		Key::choice("redis_mode", "standalone", {"standalone", "cluster", "sentinel"}, "backend = redis: one Redis, a Redis Cluster (rooms spread over its masters), or the master Redis Sentinel names"),
		Key::text("redis_address", "127.0.0.1:6379", "standalone: host:port of Redis; cluster: seed nodes, host:port,host:port..."),
		Key::text("redis_sentinels", "", "redis_mode = sentinel: host:port of each sentinel, comma-separated"),
		Key::text("redis_master_name", "mymaster", "redis_mode = sentinel: the name the sentinels monitor the master under").notEmpty(),
		Key::text("redis_namespace", "webchat", "key prefix, so deployments can share a Redis").notEmpty(),
		Key::text("redis_user", "", "an ACL user for AUTH (with redis_password)"),
		Key::text("redis_password", "", "AUTH with it (requirepass); keep the .ini readable by webchatd only").hidden(),
		Key::integer("redis_timeout_ms", 2000, 10, 60000, "ms", "connect/reply timeout; the longest a join waits for its nick"),
		Key::integer("redis_presence_ttl_ms", 10000, 300, 3600000, "ms", "a crashed server's users leave within this"),
		Key::integer("redis_queue_limit", 10000, 0, 10000000, "messages", "messages kept while Redis is unreachable or slower than the clients"),
		Key::integer("redis_feed_length", 100000, 1000, std::int64_t(1) << 40, "entries", "entries kept in the global feed (bans, mutes, room rules)"),
		Key::integer("redis_feed_ms", 300000, 10000, 86400000, "ms", "how long each room's feed keeps its changes (a server further behind fills the messages from the room's log)"),
		Key::integer("redis_idle_room_ms", 60000, 0, 86400000, "ms", "a room with no members on this server is forgotten after this, its feed no longer read (its history stays in Redis; 0: kept until max_rooms needs its place)"),
	}};
	return table;
}

HistorySettings HistorySettings::fromConfig(const Poco::Util::AbstractConfiguration& section, std::size_t historySize)
{
	const ConfigReader read(keys(), section);
	HistorySettings s;
	keys().read(read, s);
	const std::string backend = read.choice("backend");
	s.backend = backend == "memory" ? Backend::Memory : backend == "redis" ? Backend::Redis : Backend::Sqlite;
	s.database = read.resolvedFilePath("database");
	s.fallBackToMemory = read.choice("database_fallback") == "memory";
	const std::uint64_t least = historySize;
	s.retentionCount = read.hasValue("retention_count") ? static_cast<std::uint64_t>(read.integer("retention_count")) :
		std::max<std::uint64_t>(DefaultRetentionCount, least);
	if (s.retentionCount != 0 && s.retentionCount < least)
	{
		read.refuse("retention_count", std::to_string(s.retentionCount), "keeps fewer messages than history_size = " +
			std::to_string(historySize) + "; use 0 (keep all) or at least " + std::to_string(least));
	}
	s.redis = redisOptions(read, s.retentionCount);
	return s;
}

void HistorySettings::checkStore() const
{
	if (backend == Backend::Sqlite && !fallBackToMemory) SqliteHistoryStore::checkUsable(database);
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
	options.maxPendingMessages = maxPendingMessages;
	options.maxPendingBytes = maxPendingBytes;
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
