#include "ListenerSettings.h"
#include "RequestMetrics.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Util/MapConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <thread>
#include <vector>

using webchat::AccessLogLimit;

namespace {

constexpr std::int64_t second = 1000000; // microseconds

} // namespace

class AccessLogLimitTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AccessLogLimitTest);
	CPPUNIT_TEST(testLogsUpToTheLimitEachSecond);
	CPPUNIT_TEST(testSummarisesTheRestOnceInTheNextWindow);
	CPPUNIT_TEST(testNoSummaryWhenNothingWasDropped);
	CPPUNIT_TEST(testSummarySpansTheQuietSeconds);
	CPPUNIT_TEST(testLateClockReadingCountsInCurrentWindow);
	CPPUNIT_TEST(testConcurrentRequestsCountedExactly);
	CPPUNIT_TEST(testListenerKey);
	CPPUNIT_TEST(testCredentialsNeverLogged);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCredentialsNeverLogged()
	{
		using webchat::AccessLog;
		const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
		CPPUNIT_ASSERT_EQUAL(std::string("/lobby?nick=An&token=REDACTED&since=4"), AccessLog::loggedTarget("/lobby?nick=An&token=" + jwt + "&since=4"));
		CPPUNIT_ASSERT_EQUAL(std::string("/r?TOKEN=REDACTED"), AccessLog::loggedTarget("/r?TOKEN=abc"));
		CPPUNIT_ASSERT_EQUAL(std::string("/r?access_token=REDACTED&password=REDACTED&x=1"), AccessLog::loggedTarget("/r?access_token=a&password=b&x=1"));
		// Given twice, both hidden; a name alone has no value to hide.
		CPPUNIT_ASSERT_EQUAL(std::string("/r?token=REDACTED&token=REDACTED&token"), AccessLog::loggedTarget("/r?token=a&token=b&token"));
		// Anything else as it came, empty pairs included.
		for (const char* target : {"/", "/lobby", "/lobby?", "/r?nick=tokenizer&tokens=1&a=b", "/r?&&nick=x", "/r?since=1#frag"})
			CPPUNIT_ASSERT_EQUAL(std::string(target), AccessLog::loggedTarget(target));
	}

	void testLogsUpToTheLimitEachSecond()
	{
		AccessLogLimit limit(3);
		int logged = 0;
		for (int i = 0; i < 10; ++i) logged += limit.admit(5 * second + i * 1000).log ? 1 : 0;
		CPPUNIT_ASSERT_EQUAL(3, logged);
		for (int i = 0; i < 10; ++i) logged += limit.admit(6 * second + i * 1000).log ? 1 : 0;
		CPPUNIT_ASSERT_EQUAL(6, logged);
	}

	void testSummarisesTheRestOnceInTheNextWindow()
	{
		AccessLogLimit limit(3);
		for (int i = 0; i < 10; ++i) CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), limit.admit(5 * second + i).unlogged);
		const auto first = limit.admit(6 * second + 200000);
		CPPUNIT_ASSERT(first.log);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), first.unlogged);
		CPPUNIT_ASSERT_EQUAL(1 * second + 200000, first.unloggedSpanMicroseconds);
		// Reported once only.
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), limit.admit(6 * second + 300000).unlogged);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), limit.admit(7 * second).unlogged);
	}

	void testNoSummaryWhenNothingWasDropped()
	{
		AccessLogLimit limit(3);
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT(limit.admit(5 * second + i).log);
		const auto next = limit.admit(6 * second);
		CPPUNIT_ASSERT(next.log);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), next.unlogged);
	}

	void testSummarySpansTheQuietSeconds()
	{
		AccessLogLimit limit(1);
		limit.admit(5 * second);
		limit.admit(5 * second + 1);
		limit.admit(5 * second + 2);
		const auto later = limit.admit(9 * second + 500000);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), later.unlogged);
		CPPUNIT_ASSERT_EQUAL(4 * second + 500000, later.unloggedSpanMicroseconds);
	}

	// A worker thread that read the clock just before another opened the
	// next window: its request counts in the new one, and the old window
	// is not reported twice.
	void testLateClockReadingCountsInCurrentWindow()
	{
		AccessLogLimit limit(2);
		for (int i = 0; i < 5; ++i) limit.admit(5 * second + i);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), limit.admit(6 * second).unlogged);
		const auto late = limit.admit(5 * second + 999999);
		CPPUNIT_ASSERT(late.log);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), late.unlogged);
		CPPUNIT_ASSERT(!limit.admit(6 * second + 1).log); // the window's third request
	}

	void testConcurrentRequestsCountedExactly()
	{
		const int threads = 4;
		const int perThread = 20000;
		AccessLogLimit limit(100);
		std::atomic<int> logged{0};
		std::vector<std::thread> workers;
		for (int t = 0; t < threads; ++t)
		{
			workers.emplace_back([&limit, &logged] {
				for (int i = 0; i < perThread; ++i)
				{
					if (limit.admit(3 * second + i).log) logged.fetch_add(1, std::memory_order_relaxed);
				}
			});
		}
		for (auto& worker : workers) worker.join();
		CPPUNIT_ASSERT_EQUAL(100, logged.load());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(threads * perThread - 100), limit.admit(4 * second).unlogged);
	}

	void testListenerKey()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config = new Poco::Util::MapConfiguration;
		config->setString("listeners.page.port", "8080");
		config->setString("listeners.page.plugin", "page");
		config->setString("listeners.page.class", "PagePlugin");
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(100), webchat::ListenerSettings::fromConfig(*config, "page").accessLogLinesPerSecond);
		config->setString("listeners.page.access_log_lines_per_second", "0");
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(0), webchat::ListenerSettings::fromConfig(*config, "page").accessLogLinesPerSecond);
		config->setString("listeners.page.access_log_lines_per_second", "1000000");
		CPPUNIT_ASSERT_EQUAL(std::uint32_t(1000000), webchat::ListenerSettings::fromConfig(*config, "page").accessLogLinesPerSecond);
		for (const char* bad : {"1000001", "-1", "lots"})
		{
			config->setString("listeners.page.access_log_lines_per_second", bad);
			try
			{
				webchat::ListenerSettings::fromConfig(*config, "page");
				CPPUNIT_FAIL(std::string("accepted ") + bad);
			}
			catch (const Poco::InvalidArgumentException& exc)
			{
				CPPUNIT_ASSERT_MESSAGE(exc.displayText(), exc.displayText().find("listeners.page.access_log_lines_per_second") != std::string::npos);
			}
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AccessLogLimitTest);
