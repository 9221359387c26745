// DelayedTasks: tasks run at their time, in time order, on a thread of
// their own; stop() drops what is pending.
#include "Clock.h"
#include "DelayedTasks.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <mutex>
#include <thread>
#include <vector>

using webchat::chatroom::DelayedTasks;
using webchat::chatroom::steadyMs;

namespace {

// What ran, in order, and when.
class Record
{
public:
	std::function<void()> entry(int name)
	{
		return [this, name] {
			std::lock_guard<std::mutex> lock(_mutex);
			_ran.push_back(name);
			_at.push_back(steadyMs());
		};
	}

	std::vector<int> ran() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _ran;
	}

	std::int64_t at(std::size_t index) const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _at.at(index);
	}

	bool waitFor(std::size_t count, int timeoutMs = 5000) const
	{
		for (int waited = 0; waited < timeoutMs; waited += 5)
		{
			if (ran().size() >= count) return true;
			std::this_thread::sleep_for(std::chrono::milliseconds(5));
		}
		return false;
	}

private:
	mutable std::mutex _mutex;
	std::vector<int> _ran;
	std::vector<std::int64_t> _at;
};

} // namespace

class DelayedTasksTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(DelayedTasksTest);
	CPPUNIT_TEST(testRunInTimeOrderNotBefore);
	CPPUNIT_TEST(testStopDropsWhatIsPending);
	CPPUNIT_TEST(testATaskMaySchedule);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRunInTimeOrderNotBefore()
	{
		Record record;
		DelayedTasks tasks;
		const std::int64_t start = steadyMs();
		tasks.schedule(start + 150, record.entry(3));
		tasks.schedule(start + 50, record.entry(1));
		tasks.schedule(start + 100, record.entry(2));
		tasks.schedule(start - 10, record.entry(0)); // due already
		CPPUNIT_ASSERT(record.waitFor(4));
		CPPUNIT_ASSERT(std::vector<int>({0, 1, 2, 3}) == record.ran());
		CPPUNIT_ASSERT(record.at(1) >= start + 50);
		CPPUNIT_ASSERT(record.at(3) >= start + 150);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), tasks.pending());
	}

	void testStopDropsWhatIsPending()
	{
		Record record;
		DelayedTasks tasks;
		tasks.schedule(steadyMs() + 60000, record.entry(1));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), tasks.pending());
		const std::int64_t start = steadyMs();
		tasks.stop();
		CPPUNIT_ASSERT(steadyMs() - start < 1000);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), tasks.pending());
		// Nothing runs after the stop, not even what is due.
		tasks.schedule(steadyMs() - 1, record.entry(2));
		std::this_thread::sleep_for(std::chrono::milliseconds(50));
		CPPUNIT_ASSERT(record.ran().empty());
		tasks.stop();
	}

	void testATaskMaySchedule()
	{
		Record record;
		DelayedTasks tasks;
		auto second = record.entry(2);
		tasks.schedule(steadyMs(), [&tasks, second, first = record.entry(1)] {
			first();
			tasks.schedule(steadyMs() + 20, second);
		});
		CPPUNIT_ASSERT(record.waitFor(2));
		CPPUNIT_ASSERT(std::vector<int>({1, 2}) == record.ran());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(DelayedTasksTest);
