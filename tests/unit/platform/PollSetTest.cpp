#include "PollSet.h"
#include "SocketPair.h"

#include "Poco/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

#include <poll.h>

namespace platform = webchat::platform;
using platform::PollSet;
using platform::Poller;
using webchat::test::SocketPair;

namespace {

// What WsaPollPoller does with WSAPOLLFD and WSAPoll, with poll(2).
class PollPoller
{
public:
	PollPoller():
		_set(platform::PollFlags{POLLIN, POLLOUT, POLLHUP | POLLERR | POLLNVAL})
	{
	}

	PollSet<pollfd>& set() { return _set; }

	int wait(Poller::Event* events, int maxEvents, int timeoutMs)
	{
		const int n = ::poll(_set.data(), _set.size(), timeoutMs);
		return n <= 0 ? 0 : _set.collect(events, maxEvents);
	}

private:
	PollSet<pollfd> _set;
};

} // namespace

class PollSetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PollSetTest);
	CPPUNIT_TEST(testTranslatesReadiness);
	CPPUNIT_TEST(testHangupIsReadableWithoutInterest);
	CPPUNIT_TEST(testAddTwiceAndModifyUnknownThrow);
	CPPUNIT_TEST(testRemoveKeepsTheOthersTags);
	CPPUNIT_TEST(testMaxEventsRotates);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTranslatesReadiness()
	{
		SocketPair pair;
		PollPoller poller;
		int tag = 0;
		poller.set().add(pair.serverHandle(), Poller::Read, &tag);
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(0, poller.wait(events, 4, 0));
		pair.client.sendBytes("x", 1);
		CPPUNIT_ASSERT_EQUAL(1, poller.wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tag);
		CPPUNIT_ASSERT(events[0].readable && !events[0].writable);
		int other = 0;
		poller.set().modify(pair.serverHandle(), Poller::Write, &other);
		CPPUNIT_ASSERT_EQUAL(1, poller.wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &other);
		CPPUNIT_ASSERT(events[0].writable && !events[0].readable);
	}

	void testHangupIsReadableWithoutInterest()
	{
		SocketPair pair;
		PollPoller poller;
		int tag = 0;
		poller.set().add(pair.serverHandle(), 0, &tag);
		platform::setAbortiveClose(pair.clientHandle());
		pair.client.close();
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(1, poller.wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tag);
		CPPUNIT_ASSERT(events[0].readable);
	}

	void testAddTwiceAndModifyUnknownThrow()
	{
		SocketPair pair;
		PollPoller poller;
		int tag = 0;
		poller.set().add(pair.serverHandle(), Poller::Read, &tag);
		CPPUNIT_ASSERT_THROW(poller.set().add(pair.serverHandle(), Poller::Read, &tag), Poco::ExistsException);
		CPPUNIT_ASSERT_THROW(poller.set().modify(pair.clientHandle(), Poller::Read, &tag), Poco::NotFoundException);
		poller.set().remove(pair.clientHandle()); // not there: ignored
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), poller.set().size());
	}

	void testRemoveKeepsTheOthersTags()
	{
		SocketPair a, b, c;
		PollPoller poller;
		int tagA = 0, tagB = 0, tagC = 0;
		poller.set().add(a.serverHandle(), Poller::Read, &tagA);
		poller.set().add(b.serverHandle(), Poller::Read, &tagB);
		poller.set().add(c.serverHandle(), Poller::Read, &tagC);
		// The first goes: the last takes its place in the array.
		poller.set().remove(a.serverHandle());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), poller.set().size());
		c.client.sendBytes("x", 1);
		Poller::Event events[4];
		CPPUNIT_ASSERT_EQUAL(1, poller.wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tagC);
		// And can still be changed and removed by its socket.
		int moved = 0;
		poller.set().modify(c.serverHandle(), Poller::Read, &moved);
		CPPUNIT_ASSERT_EQUAL(1, poller.wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &moved);
		poller.set().remove(c.serverHandle());
		b.client.sendBytes("y", 1);
		CPPUNIT_ASSERT_EQUAL(1, poller.wait(events, 4, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tagB);
	}

	void testMaxEventsRotates()
	{
		SocketPair a, b, c;
		PollPoller poller;
		int tags[3] = {};
		poller.set().add(a.serverHandle(), Poller::Write, &tags[0]);
		poller.set().add(b.serverHandle(), Poller::Write, &tags[1]);
		poller.set().add(c.serverHandle(), Poller::Write, &tags[2]);
		Poller::Event events[2];
		CPPUNIT_ASSERT_EQUAL(2, poller.wait(events, 2, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tags[0] && events[1].tag == &tags[1]);
		// All three stay ready; the one left out comes first next time.
		CPPUNIT_ASSERT_EQUAL(2, poller.wait(events, 2, 5000));
		CPPUNIT_ASSERT(events[0].tag == &tags[2] && events[1].tag == &tags[0]);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PollSetTest);
