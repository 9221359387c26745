//
// The command line's defaults for registering webchatd as a Windows
// service (server/src/ServiceOptions.h).
//

#include "ServiceOptions.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::ServiceOptions;

class ServiceOptionsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ServiceOptionsTest);
	CPPUNIT_TEST(testRegistrationGetsADescription);
	CPPUNIT_TEST(testAGivenDescriptionStays);
	CPPUNIT_TEST(testOtherCommandLinesAreUnchanged);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRegistrationGetsADescription()
	{
		const auto args = ServiceOptions::withDefaults({"webchatd.exe", "--registerService", "--startup=automatic"});
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), args.size());
		CPPUNIT_ASSERT_EQUAL(std::string("--description=") + ServiceOptions::description, args[3]);
	}

	void testAGivenDescriptionStays()
	{
		const std::vector<std::string> given{"webchatd.exe", "--registerService", "--description=ours"};
		CPPUNIT_ASSERT(given == ServiceOptions::withDefaults(given));
	}

	void testOtherCommandLinesAreUnchanged()
	{
		for (const std::vector<std::string>& line : std::vector<std::vector<std::string>>{
				 {"webchatd"}, {"webchatd", "--config=x.ini"}, {"webchatd", "--unregisterService"}, {"--registerService"}, {}})
			CPPUNIT_ASSERT(line == ServiceOptions::withDefaults(line));
		// A value that only looks like the option is a value.
		const std::vector<std::string> define{"webchatd", "--define=a.b=--registerService"};
		CPPUNIT_ASSERT(define == ServiceOptions::withDefaults(define));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServiceOptionsTest);
