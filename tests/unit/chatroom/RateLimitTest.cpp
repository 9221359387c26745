// TokenBucket and FloodGuard, driven by the time passed in: no sleeps.
#include "ChatSession.h"
#include "FloodGuard.h"
#include "webchat/engine/TokenBucket.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::ChatSession;
using webchat::chatroom::FloodGuard;
using webchat::engine::TokenBucket;

class RateLimitTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RateLimitTest);
	CPPUNIT_TEST(testBurstThenRefused);
	CPPUNIT_TEST(testRefillsAtRate);
	CPPUNIT_TEST(testRefillCappedAtBurst);
	CPPUNIT_TEST(testSteadyRateIsSustainable);
	CPPUNIT_TEST(testFractionalRate);
	CPPUNIT_TEST(testClockGoingBackwards);
	CPPUNIT_TEST(testZeroBucketRefusesEverything);
	CPPUNIT_TEST(testAvailableTakesNothing);
	CPPUNIT_TEST(testFloodGuardTripsAtLimitWithinWindow);
	CPPUNIT_TEST(testFloodGuardSpreadOutNeverTrips);
	CPPUNIT_TEST(testFloodGuardSlidingWindow);
	CPPUNIT_TEST(testFloodGuardLimitOne);
	CPPUNIT_TEST(testTypingOncePerInterval);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTypingOncePerInterval()
	{
		CPPUNIT_ASSERT_EQUAL(std::int64_t(2000), ChatSession::TypingIntervalMs);
		ChatSession session(webchat::chatroom::RequestTarget::parse("/lobby?nick=An"), webchat::chatroom::ChatSettings{});
		CPPUNIT_ASSERT(session.typing().tryTake(10000));
		CPPUNIT_ASSERT(!session.typing().tryTake(10001));
		CPPUNIT_ASSERT(!session.typing().tryTake(11999));
		CPPUNIT_ASSERT(session.typing().tryTake(12000));
		// No saving up: a long pause still gives one notice, then the wait.
		CPPUNIT_ASSERT(session.typing().tryTake(60000));
		CPPUNIT_ASSERT(!session.typing().tryTake(60500));
	}

	void testBurstThenRefused()
	{
		TokenBucket bucket(10, 20);
		for (int i = 0; i < 20; ++i) CPPUNIT_ASSERT_MESSAGE(std::to_string(i), bucket.tryTake(1000));
		CPPUNIT_ASSERT(!bucket.tryTake(1000));
		CPPUNIT_ASSERT(!bucket.tryTake(1099)); // 0.99 of a token
	}

	void testRefillsAtRate()
	{
		TokenBucket bucket(10, 20);
		for (int i = 0; i < 20; ++i) bucket.tryTake(0);
		CPPUNIT_ASSERT(!bucket.tryTake(50));
		CPPUNIT_ASSERT(bucket.tryTake(100)); // one token per 100 ms
		CPPUNIT_ASSERT(!bucket.tryTake(100));
		// One second: ten more.
		int taken = 0;
		while (bucket.tryTake(1100)) ++taken;
		CPPUNIT_ASSERT_EQUAL(10, taken);
	}

	void testRefillCappedAtBurst()
	{
		TokenBucket bucket(10, 20);
		bucket.tryTake(0);
		int taken = 0;
		while (bucket.tryTake(3600000)) ++taken;
		CPPUNIT_ASSERT_EQUAL(20, taken);
	}

	void testSteadyRateIsSustainable()
	{
		TokenBucket bucket(10, 1);
		for (std::int64_t t = 0; t < 60000; t += 100) CPPUNIT_ASSERT_MESSAGE(std::to_string(t), bucket.tryTake(t));
		CPPUNIT_ASSERT(!bucket.tryTake(59950));
	}

	void testFractionalRate()
	{
		// 5 a minute: one every 12 s.
		TokenBucket bucket(5.0 / 60.0, 5);
		for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT(bucket.tryTake(0));
		CPPUNIT_ASSERT(!bucket.tryTake(11999));
		CPPUNIT_ASSERT(bucket.tryTake(12001));
		CPPUNIT_ASSERT(!bucket.tryTake(12002));
	}

	void testClockGoingBackwards()
	{
		TokenBucket bucket(10, 1);
		CPPUNIT_ASSERT(bucket.tryTake(5000));
		CPPUNIT_ASSERT(!bucket.tryTake(1000));
		CPPUNIT_ASSERT(!bucket.tryTake(5050));
		CPPUNIT_ASSERT(bucket.tryTake(5100));
	}

	void testZeroBucketRefusesEverything()
	{
		TokenBucket bucket(0, 0);
		CPPUNIT_ASSERT(!bucket.tryTake(0));
		CPPUNIT_ASSERT(!bucket.tryTake(1000000000));
	}

	void testAvailableTakesNothing()
	{
		TokenBucket bucket(1, 2);
		for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT(bucket.available(0));
		CPPUNIT_ASSERT(bucket.tryTake(0));
		CPPUNIT_ASSERT(bucket.tryTake(0));
		CPPUNIT_ASSERT(!bucket.available(0));
		CPPUNIT_ASSERT(!bucket.available(999));
		CPPUNIT_ASSERT(bucket.available(1000));
		CPPUNIT_ASSERT(bucket.tryTake(1000));
	}

	void testFloodGuardTripsAtLimitWithinWindow()
	{
		FloodGuard guard(50, 10000);
		for (int i = 0; i < 49; ++i) CPPUNIT_ASSERT_MESSAGE(std::to_string(i), !guard.refuse(i * 10));
		CPPUNIT_ASSERT(guard.refuse(490));
	}

	void testFloodGuardSpreadOutNeverTrips()
	{
		FloodGuard guard(50, 10000);
		// One refusal every 205 ms: 50 of them span 10.045 s.
		for (int i = 0; i < 1000; ++i) CPPUNIT_ASSERT_MESSAGE(std::to_string(i), !guard.refuse(i * 205));
	}

	void testFloodGuardSlidingWindow()
	{
		FloodGuard guard(3, 1000);
		CPPUNIT_ASSERT(!guard.refuse(0));
		CPPUNIT_ASSERT(!guard.refuse(600));
		CPPUNIT_ASSERT(!guard.refuse(1000)); // 0, 600, 1000: span of 1000 is not within
		CPPUNIT_ASSERT(!guard.refuse(1700)); // 600, 1000, 1700
		CPPUNIT_ASSERT(guard.refuse(1900));  // 1000, 1700, 1900
	}

	void testFloodGuardLimitOne()
	{
		FloodGuard guard(1, 1000);
		CPPUNIT_ASSERT(guard.refuse(0));
		CPPUNIT_ASSERT(guard.refuse(5000));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RateLimitTest);
