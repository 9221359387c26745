// ChatSettings: the chat room's keys, defaults and refusals naming the key.
#include "ChatSettings.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Util/MapConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::ChatSettings;
using webchat::engine::EngineSettings;

namespace {

Poco::AutoPtr<Poco::Util::MapConfiguration> config(const std::vector<std::pair<std::string, std::string>>& keys)
{
	Poco::AutoPtr<Poco::Util::MapConfiguration> map(new Poco::Util::MapConfiguration);
	for (const auto& [key, value] : keys) map->setString(key, value);
	return map;
}

std::string refusal(const std::vector<std::pair<std::string, std::string>>& keys)
{
	const auto section = config(keys);
	try
	{
		ChatSettings::fromConfig(*section, EngineSettings::fromConfig(*section));
	}
	catch (const Poco::InvalidArgumentException& exc)
	{
		return exc.message();
	}
	return "";
}

} // namespace

class ChatSettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ChatSettingsTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testReadsKeys);
	CPPUNIT_TEST(testRejectsBadValuesNamingKey);
	CPPUNIT_TEST(testWelcomeMustFitTheQueue);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDefaults()
	{
		const auto section = config({});
		const auto s = ChatSettings::fromConfig(*section, EngineSettings::fromConfig(*section));
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), s.historySize);
		CPPUNIT_ASSERT_EQUAL(std::size_t(128 * 1024), s.historyBytes);
		CPPUNIT_ASSERT_EQUAL(std::size_t(4096), s.maxTextBytes);
		CPPUNIT_ASSERT_EQUAL(10.0, s.ratePerSecond);
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), s.rateBurst);
		CPPUNIT_ASSERT_EQUAL(std::size_t(50), s.floodCloseAfter);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(10000), s.floodWindowMs);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1000), s.maxRooms);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1000), s.maxUsersPerRoom);
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), s.nickChangesPerMinute);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(5000), s.leaveGraceMs);
		CPPUNIT_ASSERT(s.maxWelcomeBytes() <= EngineSettings::defaults().maxQueuedBytes);
	}

	void testReadsKeys()
	{
		const auto section = config({{"history_size", "7"}, {"history_bytes", "4096"}, {"max_text_bytes", "300"},
			{"rate_per_second", "0.5"}, {"rate_burst", "3"}, {"flood_close_after", "9"}, {"max_rooms", "2"},
			{"max_users_per_room", "4"}, {"nick_changes_per_minute", "0"}, {"leave_grace_ms", "0"}});
		const auto s = ChatSettings::fromConfig(*section, EngineSettings::fromConfig(*section));
		CPPUNIT_ASSERT_EQUAL(std::size_t(7), s.historySize);
		CPPUNIT_ASSERT_EQUAL(std::size_t(4096), s.historyBytes);
		CPPUNIT_ASSERT_EQUAL(std::size_t(300), s.maxTextBytes);
		CPPUNIT_ASSERT_EQUAL(0.5, s.ratePerSecond);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), s.rateBurst);
		CPPUNIT_ASSERT_EQUAL(std::size_t(9), s.floodCloseAfter);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), s.maxRooms);
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), s.maxUsersPerRoom);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.nickChangesPerMinute);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), s.leaveGraceMs);
		const auto limits = s.roomLimits();
		CPPUNIT_ASSERT_EQUAL(std::size_t(7), limits.historySize);
		CPPUNIT_ASSERT_EQUAL(std::size_t(4096), limits.historyBytes);
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), limits.maxUsers);
	}

	void testRejectsBadValuesNamingKey()
	{
		const std::vector<std::pair<std::string, std::string>> cases = {
			{"history_size", "-1"}, {"history_size", "lots"}, {"history_size", "100001"},
			{"history_bytes", "100"}, {"max_text_bytes", "0"}, {"max_text_bytes", "4k"},
			{"rate_per_second", "0"}, {"rate_per_second", "-2"}, {"rate_per_second", "fast"}, {"rate_per_second", "inf"},
			{"rate_burst", "0"}, {"flood_close_after", "0"}, {"max_rooms", "0"}, {"max_users_per_room", "0"},
			{"nick_changes_per_minute", "-5"}, {"max_rooms", "1.5"}, {"leave_grace_ms", "-1"}, {"leave_grace_ms", "600001"}, {"leave_grace_ms", "5s"}};
		for (const auto& [key, value] : cases)
		{
			const std::string message = refusal({{key, value}});
			CPPUNIT_ASSERT_MESSAGE(key + " = " + value + " accepted", !message.empty());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(message, std::string::size_type(0), message.find(key + " = " + value + ": expected"));
		}
	}

	void testWelcomeMustFitTheQueue()
	{
		const std::string message = refusal({{"max_queued_bytes", "65536"}});
		CPPUNIT_ASSERT_MESSAGE(message, message.find("history_bytes = 131072 and max_users_per_room = 1000") == 0);
		CPPUNIT_ASSERT_MESSAGE(message, message.find("max_queued_bytes = 65536") != std::string::npos);
		CPPUNIT_ASSERT_EQUAL(std::string(), refusal({{"max_queued_bytes", "65536"}, {"history_bytes", "16384"}, {"max_users_per_room", "200"}}));
		CPPUNIT_ASSERT(!refusal({{"max_users_per_room", "100000"}}).empty());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ChatSettingsTest);
