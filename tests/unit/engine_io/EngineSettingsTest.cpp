#include "webchat/engine/EngineSettings.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Util/MapConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::engine::EngineSettings;

class EngineSettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(EngineSettingsTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testReadsKeys);
	CPPUNIT_TEST(testRejectsBadValuesNamingKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDefaults()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
		const auto s = EngineSettings::fromConfig(*config);
		CPPUNIT_ASSERT_EQUAL(std::size_t(64 * 1024), s.maxMessageBytes);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1024 * 1024), s.maxQueuedBytes);
		CPPUNIT_ASSERT(s.resolvedIoThreads() >= 1);
	}

	void testReadsKeys()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
		config->setString("io_threads", "3");
		config->setString("max_message_bytes", "1000");
		config->setString("max_queued_bytes", "2048");
		config->setString("send_buffer_bytes", "0");
		config->setString("max_connections", "7");
		config->setString("max_connections_per_ip", "2");
		config->setString("ping_interval_ms", "500");
		config->setString("pong_timeout_ms", "600");
		config->setString("frame_timeout_ms", "700");
		config->setString("close_timeout_ms", "800");
		config->setString("drain_timeout_ms", "900");
		const auto s = EngineSettings::fromConfig(*config);
		CPPUNIT_ASSERT_EQUAL(3, s.resolvedIoThreads());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1000), s.maxMessageBytes);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2048), s.maxQueuedBytes);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), s.sendBufferBytes);
		CPPUNIT_ASSERT_EQUAL(std::size_t(7), s.maxConnections);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), s.maxConnectionsPerIp);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(500), s.pingIntervalMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(600), s.pongTimeoutMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(700), s.frameTimeoutMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(800), s.closeTimeoutMs);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(900), s.drainTimeoutMs);
	}

	void testRejectsBadValuesNamingKey()
	{
		for (const auto& [key, value] : std::vector<std::pair<std::string, std::string>>{
				 {"max_message_bytes", "0"}, {"max_message_bytes", "lots"}, {"io_threads", "-1"},
				 {"max_queued_bytes", "10"}, {"ping_interval_ms", "1"}})
		{
			Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
			config->setString(key, value);
			try
			{
				EngineSettings::fromConfig(*config);
				CPPUNIT_FAIL(key + " = " + value + " was accepted");
			}
			catch (const Poco::InvalidArgumentException& exc)
			{
				CPPUNIT_ASSERT_MESSAGE(exc.displayText(), exc.displayText().find(key + " = " + value) != std::string::npos);
			}
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(EngineSettingsTest);
