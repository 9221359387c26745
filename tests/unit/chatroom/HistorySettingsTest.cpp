// HistorySettings: the backend keys, their defaults, where a relative
// database path leads, and refusals naming the key.
#include "HistorySettings.h"

#include "NativePath.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Util/MapConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::HistorySettings;

namespace {

Poco::AutoPtr<Poco::Util::MapConfiguration> config(const std::vector<std::pair<std::string, std::string>>& keys)
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> map(new Poco::Util::MapConfiguration);
	// As webchatd sets it: the .ini's folder, with a trailing slash.
	map->setString("application.configDir", "/srv/chat/etc/webchat/");
	for (const auto& [key, value] : keys) map->setString(key, value);
	return map;
}

HistorySettings read(const std::vector<std::pair<std::string, std::string>>& keys, std::size_t historySize = 100)
{
	return HistorySettings::fromConfig(*config(keys), historySize);
}

std::string refusal(const std::vector<std::pair<std::string, std::string>>& keys, std::size_t historySize = 100)
{
	try
	{
		read(keys, historySize);
	}
	catch (const Poco::InvalidArgumentException& exc)
	{
		return exc.message();
	}
	return "";
}

} // namespace

class HistorySettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HistorySettingsTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testDatabasePaths);
	CPPUNIT_TEST(testReadsKeys);
	CPPUNIT_TEST(testRetentionCountFollowsHistorySize);
	CPPUNIT_TEST(testRejectsBadValuesNamingKey);
	CPPUNIT_TEST(testRedisDefaults);
	CPPUNIT_TEST(testRedisKeys);
	CPPUNIT_TEST(testRejectsBadRedisValuesNamingKey);
	CPPUNIT_TEST(testSentinelKeys);
	CPPUNIT_TEST(testRejectsBadSentinelValues);
	CPPUNIT_TEST(testRedisClusterTakesSeedNodes);
	CPPUNIT_TEST(testRejectsBadRedisClusterValues);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDefaults()
	{
		const auto s = read({});
		CPPUNIT_ASSERT(s.backend == HistorySettings::Backend::Sqlite);
		// A data folder beside the .ini.
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/srv/chat/etc/webchat/data/chat.db"), s.database);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(100), s.batchWindowMs);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(10000), s.retentionCount);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.retentionDays);
	}

	void testDatabasePaths()
	{
		// The shipped value, once ${application.configDir} is expanded:
		// /etc/webchat/ gives /var/lib/webchat/, a build tree <build>/var/lib/webchat/.
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/var/lib/webchat/chat.db"),
			read({{"application.configDir", "/etc/webchat/"}, {"database", "${application.configDir}../../var/lib/webchat/chat.db"}}).database);
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/home/u/build/var/lib/webchat/chat.db"),
			read({{"application.configDir", "/home/u/build/etc/webchat/"}, {"database", "${application.configDir}../../var/lib/webchat/chat.db"}}).database);
		// Relative: to the .ini's folder.
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/srv/chat/etc/webchat/history.db"), read({{"database", "history.db"}}).database);
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/srv/chat/var/chat.db"), read({{"database", "../../var/chat.db"}}).database);
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/data/chat.db"), read({{"database", " /data/chat.db "}}).database);
	}

	void testReadsKeys()
	{
		const auto s = read({{"backend", "memory"}, {"batch_window_ms", "250"}, {"retention_count", "0"}, {"retention_days", "30"}});
		CPPUNIT_ASSERT(s.backend == HistorySettings::Backend::Memory);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(250), s.batchWindowMs);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.retentionCount);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(30), s.retentionDays);
		CPPUNIT_ASSERT(read({{"backend", "sqlite"}}).backend == HistorySettings::Backend::Sqlite);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), read({{"batch_window_ms", "1"}}).batchWindowMs);
	}

	void testRetentionCountFollowsHistorySize()
	{
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(50000), read({}, 50000).retentionCount);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(100), read({{"retention_count", "100"}}, 100).retentionCount);
		CPPUNIT_ASSERT_EQUAL(std::string("retention_count = 99: keeps fewer messages than history_size = 100; use 0 (keep all) or at least 100"),
			refusal({{"retention_count", "99"}}, 100));
	}

	void testRejectsBadValuesNamingKey()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("backend = SQLite: expected sqlite, memory or redis"), refusal({{"backend", "SQLite"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("database_fallback = yes: expected none or memory"), refusal({{"database_fallback", "yes"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("batch_window_ms = 0: expected a whole number from 1 to 10000"), refusal({{"batch_window_ms", "0"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("batch_window_ms = fast: expected a whole number from 1 to 10000"), refusal({{"batch_window_ms", "fast"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("retention_days = -1: expected a whole number from 0 to 36500"), refusal({{"retention_days", "-1"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("database = /var/lib/webchat/: expected the path of a file"), refusal({{"database", "/var/lib/webchat/"}}));
	}

	void testRedisDefaults()
	{
		const auto s = read({{"backend", "redis"}});
		CPPUNIT_ASSERT(s.backend == HistorySettings::Backend::Redis);
		CPPUNIT_ASSERT(!s.fallBackToMemory);
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1:6379"), s.redis.address);
		CPPUNIT_ASSERT_EQUAL(std::string("webchat"), s.redis.ns);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(2000), s.redis.timeoutMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(10000), s.redis.presenceTtlMs);
		CPPUNIT_ASSERT_EQUAL(std::size_t(10000), s.redis.queueLimit);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(100000), s.redis.feedLength);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(60000), s.redis.idleRoomMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(300000), s.redis.feedWindowMs);
		// A room's log keeps what retention_count says.
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(10000), s.redis.logLength);
	}

	void testRedisKeys()
	{
		const auto s = read({{"backend", "redis"}, {"redis_address", "redis.internal:6380"}, {"redis_namespace", "chat-eu"}, {"redis_timeout_ms", "500"},
			{"redis_presence_ttl_ms", "3000"}, {"redis_queue_limit", "0"}, {"redis_feed_length", "5000"}, {"redis_idle_room_ms", "0"}, {"redis_feed_ms", "20000"}, {"retention_count", "0"},
			{"database_fallback", "memory"}, {"redis_user", "chat"}, {"redis_password", "s3cret with spaces"}});
		CPPUNIT_ASSERT_EQUAL(std::string("redis.internal:6380"), s.redis.address);
		CPPUNIT_ASSERT_EQUAL(std::string("chat-eu"), s.redis.ns);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(500), s.redis.timeoutMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(3000), s.redis.presenceTtlMs);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.redis.queueLimit);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5000), s.redis.feedLength);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.redis.idleRoomMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(20000), s.redis.feedWindowMs);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), s.redis.logLength);
		CPPUNIT_ASSERT(s.fallBackToMemory);
		CPPUNIT_ASSERT_EQUAL(std::string("chat"), s.redis.credentials.user);
		CPPUNIT_ASSERT_EQUAL(std::string("s3cret with spaces"), s.redis.credentials.password);
		CPPUNIT_ASSERT(read({{"backend", "redis"}}).redis.credentials.password.empty());
	}

	void testRejectsBadRedisValuesNamingKey()
	{
		for (const char* address : {"localhost", ":6379", "host:", "host:0", "host:65536", "host:port"})
			CPPUNIT_ASSERT_EQUAL(std::string("redis_address = ") + address + ": expected host:port", refusal({{"backend", "redis"}, {"redis_address", address}}));
		for (const char* ns : {"a:b", "two words", "", "a{b", "a}b"})
		{
			const std::string message = refusal({{"backend", "redis"}, {"redis_namespace", ns}});
			CPPUNIT_ASSERT_MESSAGE(message, message.rfind("redis_namespace = ", 0) == 0);
		}
		CPPUNIT_ASSERT_EQUAL(std::string("redis_user = chat: needs redis_password"), refusal({{"backend", "redis"}, {"redis_user", "chat"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_timeout_ms = 5: expected a whole number from 10 to 60000"), refusal({{"redis_timeout_ms", "5"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_presence_ttl_ms = 100: expected a whole number from 300 to 3600000"),
			refusal({{"redis_presence_ttl_ms", "100"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_feed_length = 10: expected a whole number from 1000 to 1099511627776"), refusal({{"redis_feed_length", "10"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_idle_room_ms = -1: expected a whole number from 0 to 86400000"), refusal({{"redis_idle_room_ms", "-1"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_idle_room_ms = 1d: expected a whole number from 0 to 86400000"), refusal({{"redis_idle_room_ms", "1d"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_feed_ms = 500: expected a whole number from 10000 to 86400000"), refusal({{"redis_feed_ms", "500"}}));
		// A list is for sentinels (and cluster seeds), not a standalone Redis.
		CPPUNIT_ASSERT_EQUAL(std::string("redis_address = a:1,b:2: several addresses need redis_mode = cluster"), refusal({{"redis_address", "a:1,b:2"}}));
	}

	void testSentinelKeys()
	{
		const auto standalone = read({{"backend", "redis"}});
		CPPUNIT_ASSERT(standalone.redis.mode == webchat::chatroom::redis::RedisOptions::Mode::Standalone);
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1:6379"), standalone.redis.where());

		const auto s = read({{"backend", "redis"}, {"redis_mode", "sentinel"}, {"redis_sentinels", "s1:26379, [::1]:26380 ,s3.internal:26381"},
			{"redis_master_name", "chat-main"}});
		CPPUNIT_ASSERT(s.redis.mode == webchat::chatroom::redis::RedisOptions::Mode::Sentinel);
		CPPUNIT_ASSERT((std::vector<std::string>{"s1:26379", "[::1]:26380", "s3.internal:26381"}) == s.redis.sentinels);
		CPPUNIT_ASSERT_EQUAL(std::string("chat-main"), s.redis.masterName);
		CPPUNIT_ASSERT_EQUAL(std::string("master chat-main (sentinels s1:26379,[::1]:26380,s3.internal:26381)"), s.redis.where());
		CPPUNIT_ASSERT_EQUAL(std::string("mymaster"), read({{"redis_mode", "sentinel"}, {"redis_sentinels", "s1:26379"}}).redis.masterName);
	}

	void testRejectsBadSentinelValues()
	{
		const std::string expected = ": expected host:port[,host:port...]";
		for (const char* list : {"s1", "s1:26379,", "s1:26379,,s2:1", "s1:0", "s1:26379;s2:26379", "s1:x"})
		{
			CPPUNIT_ASSERT_EQUAL(std::string("redis_sentinels = ") + list + expected,
				refusal({{"redis_mode", "sentinel"}, {"redis_sentinels", list}}));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("redis_sentinels = : expected 1 to 16 host:port, comma-separated"), refusal({{"redis_mode", "sentinel"}}));
		std::string seventeen;
		for (int i = 0; i < 17; ++i) seventeen += (i ? "," : "") + std::string("s:") + std::to_string(26379 + i);
		CPPUNIT_ASSERT_EQUAL(std::string("redis_sentinels = ") + seventeen + ": expected 1 to 16 host:port, comma-separated",
			refusal({{"redis_mode", "sentinel"}, {"redis_sentinels", seventeen}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_master_name = my master: expected the name the sentinels monitor (no spaces)"),
			refusal({{"redis_mode", "sentinel"}, {"redis_sentinels", "s1:26379"}, {"redis_master_name", "my master"}}));
		const std::string emptyName = refusal({{"redis_mode", "sentinel"}, {"redis_sentinels", "s1:26379"}, {"redis_master_name", ""}});
		CPPUNIT_ASSERT_MESSAGE(emptyName, emptyName.rfind("redis_master_name = ", 0) == 0);
		const std::string badMode = refusal({{"redis_mode", "replica"}});
		CPPUNIT_ASSERT_MESSAGE(badMode, badMode.rfind("redis_mode = replica", 0) == 0);
	}

	void testRedisClusterTakesSeedNodes()
	{
		using Mode = webchat::chatroom::redis::RedisOptions::Mode;
		CPPUNIT_ASSERT(Mode::Standalone == read({{"backend", "redis"}}).redis.mode);
		const auto s = read({{"backend", "redis"}, {"redis_mode", "cluster"}, {"redis_address", "10.0.0.1:7000,redis-b:7001, [::1]:7002"}});
		CPPUNIT_ASSERT(Mode::Cluster == s.redis.mode);
		// Spaces around the commas are left out.
		CPPUNIT_ASSERT((std::vector<std::string>{"10.0.0.1:7000", "redis-b:7001", "[::1]:7002"}) == s.redis.addresses());
		CPPUNIT_ASSERT_EQUAL(std::string("cluster 10.0.0.1:7000,redis-b:7001,[::1]:7002"), s.redis.where());
		// One seed is a cluster too.
		CPPUNIT_ASSERT((std::vector<std::string>{"127.0.0.1:6379"}) == read({{"backend", "redis"}, {"redis_mode", "cluster"}}).redis.addresses());
	}

	void testRejectsBadRedisClusterValues()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("redis_mode = shards: expected standalone, cluster or sentinel"),
			refusal({{"backend", "redis"}, {"redis_mode", "shards"}}));
		for (const char* address : {"a:7000,", ",a:7000", "a:7000,,b:7001", "a:7000,b:0", "a:7000,b:70000", "a:7000,b", "a:7000,b c:7001"})
			CPPUNIT_ASSERT_EQUAL(std::string("redis_address = ") + address + ": expected host:port[,host:port...]",
				refusal({{"backend", "redis"}, {"redis_mode", "cluster"}, {"redis_address", address}}));
		CPPUNIT_ASSERT_EQUAL(std::string("redis_address = a:7000,b:7001: several addresses need redis_mode = cluster"),
			refusal({{"backend", "redis"}, {"redis_address", "a:7000,b:7001"}}));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HistorySettingsTest);
