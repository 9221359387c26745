// JoinQueue: works of one affinity run in order on one thread, the queue is
// bounded, stop() drops what waits and waits for what runs; JoinTicket's
// hand-over between a join thread and the connection's thread.
#include "JoinQueue.h"

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <vector>

using webchat::chatroom::JoinQueue;
using webchat::chatroom::JoinTicket;

class JoinQueueTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JoinQueueTest);
	CPPUNIT_TEST(testOneAffinityRunsInOrder);
	CPPUNIT_TEST(testOtherAffinitiesRunBesideABlockedOne);
	CPPUNIT_TEST(testQueueIsBounded);
	CPPUNIT_TEST(testStopDropsWhatWaits);
	CPPUNIT_TEST(testTicketHandOver);
	CPPUNIT_TEST_SUITE_END();

public:
	void testOneAffinityRunsInOrder()
	{
		std::mutex mutex;
		std::vector<int> order;
		std::promise<void> allDone;
		{
			JoinQueue queue(4, 1000);
			for (int i = 0; i < 200; ++i)
			{
				CPPUNIT_ASSERT(queue.submit(7, [&, i] {
					std::lock_guard<std::mutex> lock(mutex);
					order.push_back(i);
					if (i == 199) allDone.set_value();
				}));
			}
			CPPUNIT_ASSERT(allDone.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready);
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(200), order.size());
		for (int i = 0; i < 200; ++i) CPPUNIT_ASSERT_EQUAL(i, order[static_cast<std::size_t>(i)]);
	}

	void testOtherAffinitiesRunBesideABlockedOne()
	{
		JoinQueue queue(2, 10);
		std::promise<void> release;
		auto released = release.get_future().share();
		std::promise<void> otherRan;
		CPPUNIT_ASSERT(queue.submit(0, [released] { released.wait(); }));
		CPPUNIT_ASSERT(queue.submit(1, [&] { otherRan.set_value(); }));
		CPPUNIT_ASSERT(otherRan.get_future().wait_for(std::chrono::seconds(5)) == std::future_status::ready);
		release.set_value();
	}

	void testQueueIsBounded()
	{
		JoinQueue queue(1, 3);
		std::promise<void> release;
		auto released = release.get_future().share();
		std::atomic<int> ran{0};
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT(queue.submit(0, [released, &ran] { released.wait(); ++ran; }));
		// Three wait or run: the fourth is refused, whatever its affinity.
		CPPUNIT_ASSERT(!queue.submit(1, [] {}));
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), queue.pending());
		release.set_value();
		for (int i = 0; i < 500 && queue.pending() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), queue.pending());
		CPPUNIT_ASSERT_EQUAL(3, ran.load());
		CPPUNIT_ASSERT(queue.submit(1, [] {}));
	}

	void testStopDropsWhatWaits()
	{
		std::atomic<int> ran{0};
		std::promise<void> started;
		JoinQueue queue(1, 10);
		CPPUNIT_ASSERT(queue.submit(0, [&] {
			started.set_value();
			std::this_thread::sleep_for(std::chrono::milliseconds(100));
			++ran;
		}));
		for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT(queue.submit(0, [&] { ++ran; }));
		started.get_future().wait();
		queue.stop();
		// The one running finished; the five waiting never ran.
		CPPUNIT_ASSERT_EQUAL(1, ran.load());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), queue.pending());
		CPPUNIT_ASSERT(!queue.submit(0, [] {}));
		queue.stop(); // idempotent
	}

	void testTicketHandOver()
	{
		// The worker finishes, the connection's thread completes.
		JoinTicket done;
		CPPUNIT_ASSERT(done.finishWork());
		CPPUNIT_ASSERT(done.complete());
		CPPUNIT_ASSERT(!done.complete());
		CPPUNIT_ASSERT(JoinTicket::State::Completed == done.cancel());

		// Closed while the worker works: the worker undoes (finishWork false).
		JoinTicket early;
		CPPUNIT_ASSERT(JoinTicket::State::Working == early.cancel());
		CPPUNIT_ASSERT(!early.finishWork());
		CPPUNIT_ASSERT(!early.complete());

		// Closed once ready: the closer undoes; the completion does nothing.
		JoinTicket late;
		CPPUNIT_ASSERT(late.finishWork());
		CPPUNIT_ASSERT(JoinTicket::State::Ready == late.cancel());
		CPPUNIT_ASSERT(!late.complete());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(JoinQueueTest);
