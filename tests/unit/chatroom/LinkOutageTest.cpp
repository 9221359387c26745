// LinkOutage: a Redis connection's outage is logged once when it starts
// and once when it ends, at the level its role calls for, and retried with
// a backoff that doubles from 0.1 s to 5 s and starts over once connected.
#include "redis/LinkOutage.h"

#include "LogRecorder.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Logger.h"
#include "Poco/Message.h"

#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>
#include <vector>

using webchat::chatroom::redis::LinkOutage;
using webchat::chatroom::redis::LinkRole;
using webchat::chatroom::redis::RedisOptions;
using webchat::test::LogRecorder;
using Milliseconds = std::chrono::milliseconds;

namespace {

RedisOptions options()
{
	RedisOptions o;
	o.address = "10.0.0.5:6379";
	o.queueLimit = 42;
	return o;
}

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

} // namespace

class LinkOutageTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(LinkOutageTest);
	CPPUNIT_TEST(testWriterOutageIsOneErrorAndOneNotice);
	CPPUNIT_TEST(testFeedReaderOutageIsOneWarningAndOneNotice);
	CPPUNIT_TEST(testBackoffDoublesToFiveSecondsAndStartsOver);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_recorder = new LogRecorder;
		Poco::Logger::get("test.linkoutage").setChannel(_recorder);
		Poco::Logger::get("test.linkoutage").setLevel(Poco::Message::PRIO_DEBUG);
	}

	void tearDown() override { Poco::Logger::get("test.linkoutage").setChannel(nullptr); }

	void testWriterOutageIsOneErrorAndOneNotice()
	{
		LinkOutage outage(LinkRole::Writer, options(), "0123456789abcdef", logger());
		outage.connected();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), lines().size());
		CPPUNIT_ASSERT(lines()[0].first == Poco::Message::PRIO_INFORMATION);
		CPPUNIT_ASSERT_EQUAL(std::string("redis 10.0.0.5:6379 connected (instance 0123456789abcdef)"), lines()[0].second);

		outage.failed(Poco::IOException("Redis closed the connection"));
		outage.failed(Poco::TimeoutException("connect"));
		outage.failed(std::runtime_error("again"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), lines().size());
		CPPUNIT_ASSERT(lines()[1].first == Poco::Message::PRIO_ERROR);
		// The first failure's full text (displayText), what happens meanwhile.
		CPPUNIT_ASSERT_MESSAGE(lines()[1].second, contains(lines()[1].second, "redis 10.0.0.5:6379 unreachable (I/O error: Redis closed the connection)"));
		CPPUNIT_ASSERT_MESSAGE(lines()[1].second, contains(lines()[1].second, "queuing their messages (up to 42)"));

		outage.connected();
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), lines().size());
		CPPUNIT_ASSERT(lines()[2].first == Poco::Message::PRIO_NOTICE);
		CPPUNIT_ASSERT_MESSAGE(lines()[2].second, contains(lines()[2].second, "is reachable again"));

		// The next outage is logged again.
		outage.failed(std::runtime_error("second outage"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), lines().size());
		CPPUNIT_ASSERT_MESSAGE(lines()[3].second, contains(lines()[3].second, "unreachable (second outage)"));
	}

	void testFeedReaderOutageIsOneWarningAndOneNotice()
	{
		LinkOutage outage(LinkRole::FeedReader, options(), "0123456789abcdef", logger());
		outage.connected();
		CPPUNIT_ASSERT(lines().empty()); // the writer says "connected" for both
		outage.failed(Poco::IOException("gone"));
		outage.failed(Poco::IOException("still gone"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), lines().size());
		CPPUNIT_ASSERT(lines()[0].first == Poco::Message::PRIO_WARNING);
		CPPUNIT_ASSERT_MESSAGE(lines()[0].second, contains(lines()[0].second, "the feed reader lost its connection (I/O error: gone)"));
		outage.connected();
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), lines().size());
		CPPUNIT_ASSERT(lines()[1].first == Poco::Message::PRIO_NOTICE);
		CPPUNIT_ASSERT_MESSAGE(lines()[1].second, contains(lines()[1].second, "the feed reader is connected again"));
	}

	void testBackoffDoublesToFiveSecondsAndStartsOver()
	{
		LinkOutage outage(LinkRole::Writer, options(), "i", logger());
		const std::runtime_error failure("down");
		std::vector<Milliseconds> waits;
		for (int i = 0; i < 9; ++i) waits.push_back(outage.failed(failure));
		const std::vector<Milliseconds> expected{Milliseconds(100), Milliseconds(200), Milliseconds(400), Milliseconds(800), Milliseconds(1600),
			Milliseconds(3200), Milliseconds(5000), Milliseconds(5000), Milliseconds(5000)};
		CPPUNIT_ASSERT(expected == waits);
		outage.connected();
		CPPUNIT_ASSERT_EQUAL(Milliseconds(100).count(), outage.failed(failure).count());
		CPPUNIT_ASSERT_EQUAL(Milliseconds(200).count(), outage.failed(failure).count());
	}

private:
	static Poco::Logger& logger() { return Poco::Logger::get("test.linkoutage"); }
	std::vector<LogRecorder::Line> lines() const { return _recorder->lines(); }

	Poco::AutoPtr<LogRecorder> _recorder;
};

CPPUNIT_TEST_SUITE_REGISTRATION(LinkOutageTest);
