// webchat::describe (server/include/webchat/ErrorText.h): one line for any
// exception, POCO's displayText() for its own, what() for the others, also
// when a Poco::Exception is caught as a std::exception.
#include "webchat/ErrorText.h"

#include "Poco/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

#include <stdexcept>

class ErrorTextTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ErrorTextTest);
	CPPUNIT_TEST(testPocoExceptionGivesItsDisplayText);
	CPPUNIT_TEST(testOtherExceptionGivesWhat);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPocoExceptionGivesItsDisplayText()
	{
		const Poco::IOException io("Redis closed the connection");
		CPPUNIT_ASSERT_EQUAL(std::string("I/O error: Redis closed the connection"), webchat::describe(io));
		// what() alone would say only "I/O error".
		CPPUNIT_ASSERT_EQUAL(std::string("I/O error"), std::string(static_cast<const std::exception&>(io).what()));
		try
		{
			throw Poco::InvalidArgumentException("redis_address = x", "expected host:port");
		}
		catch (const std::exception& caught)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("Invalid argument: redis_address = x: expected host:port"), webchat::describe(caught));
		}
	}

	void testOtherExceptionGivesWhat()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("bad things"), webchat::describe(std::runtime_error("bad things")));
		CPPUNIT_ASSERT_EQUAL(std::string(std::bad_alloc().what()), webchat::describe(std::bad_alloc()));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ErrorTextTest);
