#include "SocketPair.h"

#include "webchat/platform/Wakeup.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <thread>

namespace platform = webchat::platform;
using webchat::test::becomesReadable;

class WakeupTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WakeupTest);
	CPPUNIT_TEST(testSignalMakesReadableUntilDrained);
	CPPUNIT_TEST(testSignalFromAnotherThreadEndsAWait);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSignalMakesReadableUntilDrained()
	{
		platform::Wakeup wakeup;
		CPPUNIT_ASSERT(!becomesReadable(wakeup.fd(), 0));
		wakeup.signal();
		wakeup.signal();
		wakeup.signal();
		CPPUNIT_ASSERT(becomesReadable(wakeup.fd(), 5000));
		// Several signals before a drain are one.
		wakeup.drain();
		CPPUNIT_ASSERT(!becomesReadable(wakeup.fd(), 0));
		// Draining what is not signalled does not block.
		wakeup.drain();
		wakeup.signal();
		CPPUNIT_ASSERT(becomesReadable(wakeup.fd(), 5000));
	}

	void testSignalFromAnotherThreadEndsAWait()
	{
		platform::Wakeup wakeup;
		const auto start = std::chrono::steady_clock::now();
		std::thread signaller([&wakeup] {
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
			wakeup.signal();
		});
		const bool woken = becomesReadable(wakeup.fd(), 10000);
		signaller.join();
		CPPUNIT_ASSERT(woken);
		CPPUNIT_ASSERT(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WakeupTest);
