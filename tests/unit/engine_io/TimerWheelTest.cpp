// The event loop's timer wheel: a node fires at the first expire() at or
// after its time, never before, whatever the round; re-arming, arming
// earlier and cancelling are O(1) and exact; expire() takes only what is
// due.
#include "TimerWheel.h"

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <vector>

using namespace webchat::engine;

namespace {

constexpr std::int64_t start = 1000000; // any steady-clock reading

std::vector<TimerNode*> expire(TimerWheel& wheel, std::int64_t nowMs)
{
	std::vector<TimerNode*> due;
	wheel.expire(nowMs, due);
	return due;
}

} // namespace

class TimerWheelTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TimerWheelTest);
	CPPUNIT_TEST(testFiresAtTheFirstExpireAtOrAfterItsTime);
	CPPUNIT_TEST(testTimeAlreadyPastFiresAtTheNextExpire);
	CPPUNIT_TEST(testRearmingReplacesAndArmByOnlyBringsCloser);
	CPPUNIT_TEST(testCancelledNodeNeverFires);
	CPPUNIT_TEST(testNodeBeyondARoundWaitsForItsRound);
	CPPUNIT_TEST(testExpireAfterLongAbsenceTakesEverythingDue);
	CPPUNIT_TEST(testExpireTakesOnlyWhatIsDue);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFiresAtTheFirstExpireAtOrAfterItsTime()
	{
		TimerWheel wheel(start);
		TimerNode node;
		wheel.arm(node, start + 1000);
		CPPUNIT_ASSERT(node.armed());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), wheel.size());
		// Ticks every 250 ms, off the slots' boundaries.
		std::int64_t now = start + 7;
		for (; now < start + 1000; now += 250) CPPUNIT_ASSERT(expire(wheel, now).empty());
		const auto due = expire(wheel, now);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), due.size());
		CPPUNIT_ASSERT(due[0] == &node);
		CPPUNIT_ASSERT(!node.armed());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), wheel.size());
		CPPUNIT_ASSERT(expire(wheel, now + 250).empty());
	}

	void testTimeAlreadyPastFiresAtTheNextExpire()
	{
		TimerWheel wheel(start);
		CPPUNIT_ASSERT(expire(wheel, start + 2000).empty());
		TimerNode node;
		wheel.arm(node, start); // in a slot expire() has passed
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), expire(wheel, start + 2001).size());
	}

	void testRearmingReplacesAndArmByOnlyBringsCloser()
	{
		TimerWheel wheel(start);
		TimerNode node;
		wheel.arm(node, start + 500);
		wheel.arm(node, start + 5000);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), wheel.size());
		CPPUNIT_ASSERT(expire(wheel, start + 4999).empty());
		wheel.armBy(node, start + 9000); // later: stays at 5000
		CPPUNIT_ASSERT_EQUAL(start + 5000, node.dueMs);
		wheel.armBy(node, start + 6000);
		CPPUNIT_ASSERT_EQUAL(start + 5000, node.dueMs);
		wheel.armBy(node, start + 4999); // earlier
		CPPUNIT_ASSERT_EQUAL(start + 4999, node.dueMs);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), expire(wheel, start + 4999).size());
		// Not armed: armBy arms.
		wheel.armBy(node, start + 6000);
		CPPUNIT_ASSERT(node.armed());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), expire(wheel, start + 6000).size());
	}

	void testCancelledNodeNeverFires()
	{
		TimerWheel wheel(start);
		TimerNode a, b, c;
		wheel.arm(a, start + 300);
		wheel.arm(b, start + 300);
		wheel.arm(c, start + 300);
		wheel.cancel(b);
		wheel.cancel(b); // not armed: nothing
		CPPUNIT_ASSERT(!b.armed());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), wheel.size());
		auto due = expire(wheel, start + 300);
		std::sort(due.begin(), due.end());
		std::vector<TimerNode*> expected{&a, &c};
		std::sort(expected.begin(), expected.end());
		CPPUNIT_ASSERT(expected == due);
	}

	void testNodeBeyondARoundWaitsForItsRound()
	{
		// Three rounds and a bit ahead: its slot comes round three times
		// before it is due.
		TimerWheel wheel(start);
		const std::int64_t round = TimerWheel::slotMs * static_cast<std::int64_t>(TimerWheel::slotCount);
		TimerNode node;
		const std::int64_t at = start + 3 * round + 600;
		wheel.arm(node, at);
		std::int64_t now = start;
		for (; now < at; now += 250) CPPUNIT_ASSERT(expire(wheel, now).empty());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), expire(wheel, now).size());
	}

	void testExpireAfterLongAbsenceTakesEverythingDue()
	{
		// A loop that did not tick for longer than a round (a stopped
		// process) finds every node due in every slot.
		TimerWheel wheel(start);
		std::vector<TimerNode> nodes(TimerWheel::slotCount * 2);
		for (std::size_t i = 0; i < nodes.size(); ++i) wheel.arm(nodes[i], start + static_cast<std::int64_t>(i) * 100);
		const std::int64_t round = TimerWheel::slotMs * static_cast<std::int64_t>(TimerWheel::slotCount);
		CPPUNIT_ASSERT_EQUAL(nodes.size(), expire(wheel, start + 5 * round).size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), wheel.size());
	}

	void testExpireTakesOnlyWhatIsDue()
	{
		// 10,000 nodes a millisecond apart: each tick takes exactly those
		// due by then, each once.
		TimerWheel wheel(start);
		std::vector<TimerNode> nodes(10000);
		for (std::size_t i = 0; i < nodes.size(); ++i) wheel.arm(nodes[i], start + 1 + static_cast<std::int64_t>(i));
		std::size_t fired = 0;
		for (std::int64_t now = start + 250; fired < nodes.size(); now += 250)
		{
			const auto due = expire(wheel, now);
			for (TimerNode* node : due) CPPUNIT_ASSERT(node->dueMs <= now && node->dueMs > now - 250);
			fired += due.size();
			CPPUNIT_ASSERT_EQUAL(static_cast<std::size_t>(std::min<std::int64_t>(now - start, 10000)), fired);
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), wheel.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TimerWheelTest);
