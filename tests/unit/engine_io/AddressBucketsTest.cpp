// AddressBuckets: one budget per address across its connections, and a
// table that forgets addresses whose bucket is full again (driven by the
// time passed in: no sleeps).

#include "webchat/engine/AddressBuckets.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::engine::AddressBuckets;

class AddressBucketsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AddressBucketsTest);
	CPPUNIT_TEST(testOneBudgetPerAddress);
	CPPUNIT_TEST(testRetryAfterSaysWhenATokenIsBack);
	CPPUNIT_TEST(testFullBucketsAreForgotten);
	CPPUNIT_TEST_SUITE_END();

public:
	void testOneBudgetPerAddress()
	{
		AddressBuckets buckets(1, 3);
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT(buckets.tryTake("203.0.113.1", 1000));
		CPPUNIT_ASSERT(!buckets.tryTake("203.0.113.1", 1000));
		CPPUNIT_ASSERT(buckets.tryTake("203.0.113.2", 1000));
		// A second later, one more.
		CPPUNIT_ASSERT(buckets.tryTake("203.0.113.1", 2000));
		CPPUNIT_ASSERT(!buckets.tryTake("203.0.113.1", 2000));
	}

	void testRetryAfterSaysWhenATokenIsBack()
	{
		AddressBuckets buckets(0.5, 1);
		CPPUNIT_ASSERT(buckets.tryTake("a", 1000));
		std::int64_t retryAfterMs = 0;
		CPPUNIT_ASSERT(!buckets.tryTake("a", 1500, &retryAfterMs));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1500), retryAfterMs);
		CPPUNIT_ASSERT(buckets.tryTake("a", 3000));
	}

	void testFullBucketsAreForgotten()
	{
		AddressBuckets buckets(1, 2);
		for (int i = 0; i < 100; ++i) buckets.tryTake("10.0.0." + std::to_string(i), 1000);
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), buckets.size());
		// Two seconds on, every bucket is full again: the next take sweeps
		// them out, and only the address just taken from is left.
		CPPUNIT_ASSERT(buckets.tryTake("10.0.0.7", 3001));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), buckets.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AddressBucketsTest);
