#include "SocketPair.h"

#include "webchat/platform/Poller.h"

#include <cppunit/extensions/HelperMacros.h>

namespace platform = webchat::platform;
using platform::Poller;
using webchat::test::SocketPair;

// The platform's Poller (epoll here, WSAPoll on Windows), as the loops use it.
class PollerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PollerTest);
	CPPUNIT_TEST(testReadableWithItsTag);
	CPPUNIT_TEST(testWritable);
	CPPUNIT_TEST(testLevelTriggered);
	CPPUNIT_TEST(testModifyChangesInterestAndTag);
	CPPUNIT_TEST(testResetReportedWithoutInterest);
	CPPUNIT_TEST(testRemovedReportsNothing);
	CPPUNIT_TEST_SUITE_END();

public:
	void testReadableWithItsTag()
	{
		SocketPair pair;
		auto poller = Poller::create();
		int tag = 0;
		poller->add(pair.serverHandle(), Poller::Read, &tag);
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(0, poller->wait(events, 4, 0));
		pair.client.sendBytes("x", 1);
		CPPUNIT_ASSERT_EQUAL(1, poller->wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tag);
		CPPUNIT_ASSERT(events[0].readable);
		CPPUNIT_ASSERT(!events[0].writable);
	}

	void testWritable()
	{
		SocketPair pair;
		auto poller = Poller::create();
		int tag = 0;
		poller->add(pair.serverHandle(), Poller::Write, &tag);
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(1, poller->wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tag);
		CPPUNIT_ASSERT(events[0].writable);
		CPPUNIT_ASSERT(!events[0].readable);
	}

	void testLevelTriggered()
	{
		SocketPair pair;
		auto poller = Poller::create();
		int tag = 0;
		poller->add(pair.serverHandle(), Poller::Read, &tag);
		pair.client.sendBytes("x", 1);
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(1, poller->wait(events, 4, 5000));
		// Not read: reported again.
		CPPUNIT_ASSERT_EQUAL(1, poller->wait(events, 4, 0));
	}

	void testModifyChangesInterestAndTag()
	{
		SocketPair pair;
		auto poller = Poller::create();
		int first = 0;
		int second = 0;
		poller->add(pair.serverHandle(), Poller::Read, &first);
		poller->modify(pair.serverHandle(), Poller::Read | Poller::Write, &second);
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(1, poller->wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &second);
		CPPUNIT_ASSERT(events[0].writable);
		poller->modify(pair.serverHandle(), 0, &second);
		CPPUNIT_ASSERT_EQUAL(0, poller->wait(events, 4, 0));
	}

	void testResetReportedWithoutInterest()
	{
		// A throttled connection (no interest) still learns of a reset,
		// as readable, so its read reports it.
		SocketPair pair;
		auto poller = Poller::create();
		int tag = 0;
		poller->add(pair.serverHandle(), 0, &tag);
		platform::setAbortiveClose(pair.clientHandle());
		pair.client.close();
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(1, poller->wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tag);
		CPPUNIT_ASSERT(events[0].readable);
	}

	void testRemovedReportsNothing()
	{
		SocketPair pair;
		auto poller = Poller::create();
		int tag = 0;
		poller->add(pair.serverHandle(), Poller::Read | Poller::Write, &tag);
		poller->remove(pair.serverHandle());
		// Removing what is not there is no error.
		poller->remove(pair.clientHandle());
		pair.client.sendBytes("x", 1);
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(0, poller->wait(events, 4, 50));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PollerTest);
