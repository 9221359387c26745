// HTTP dates, entity tags and the conditional GET.
#include "Freshness.h"
#include "HttpDate.h"

#include "Poco/DateTime.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::page::Freshness;
using webchat::page::HttpDate;

namespace {

Poco::Timestamp at(int year, int month, int day, int hour, int minute, int second, int millis = 0)
{
	return Poco::DateTime(year, month, day, hour, minute, second, millis).timestamp();
}

std::optional<std::string> none()
{
	return std::nullopt;
}

} // namespace

class FreshnessTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FreshnessTest);
	CPPUNIT_TEST(testFormatsImfFixdate);
	CPPUNIT_TEST(testParsesThreeForms);
	CPPUNIT_TEST(testRejectsEverythingElse);
	CPPUNIT_TEST(testEntityTagChangesWithSizeAndTime);
	CPPUNIT_TEST(testIfNoneMatch);
	CPPUNIT_TEST(testIfNoneMatchMalformed);
	CPPUNIT_TEST(testNoConditionsMeansModified);
	CPPUNIT_TEST(testIfModifiedSince);
	CPPUNIT_TEST(testIfModifiedSinceIgnoresSubSeconds);
	CPPUNIT_TEST(testIfModifiedSinceInvalidOrFutureIgnored);
	CPPUNIT_TEST(testIfNoneMatchTakesPrecedence);
	CPPUNIT_TEST_SUITE_END();

public:
	void testFormatsImfFixdate()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("Sun, 06 Nov 1994 08:49:37 GMT"), HttpDate::format(at(1994, 11, 6, 8, 49, 37)));
	}

	void testParsesThreeForms()
	{
		const Poco::Timestamp expected = at(1994, 11, 6, 8, 49, 37);
		Poco::Timestamp t;
		CPPUNIT_ASSERT(HttpDate::parse("Sun, 06 Nov 1994 08:49:37 GMT", t));
		CPPUNIT_ASSERT(t == expected);
		t = Poco::Timestamp();
		CPPUNIT_ASSERT(HttpDate::parse("Sunday, 06-Nov-94 08:49:37 GMT", t));
		CPPUNIT_ASSERT(t == expected);
		t = Poco::Timestamp();
		CPPUNIT_ASSERT(HttpDate::parse("Sun Nov  6 08:49:37 1994", t));
		CPPUNIT_ASSERT(t == expected);
		CPPUNIT_ASSERT(HttpDate::parse("Thu, 26 Nov 2026 08:18:44 GMT", t));
		CPPUNIT_ASSERT(t == at(2026, 11, 26, 8, 18, 44));
		CPPUNIT_ASSERT(HttpDate::parse("Sat, 13-Nov-10 10:00:00 GMT", t) == false); // long day name required
		CPPUNIT_ASSERT(HttpDate::parse("Saturday, 13-Nov-10 10:00:00 GMT", t));
		CPPUNIT_ASSERT(t == at(2010, 11, 13, 10, 0, 0));
	}

	void testRejectsEverythingElse()
	{
		Poco::Timestamp t;
		for (const char* bad : {"", "garbage", "06 Nov 1994", "Sun, 06 Nov 1994 08:49:37 GMT trailing", "Sun, 06 Nov 1994 08:49:37 UTC",
			"Sun, 6 Nov 1994 08:49:37 GMT", "sun, 06 nov 1994 08:49:37 GMT", "Sun, 31 Feb 1994 08:49:37 GMT", "Sun, 06 Nov 1994 25:49:37 GMT",
			"Sun, 06 Nov 1994 08:60:37 GMT", "Sun, 06 Nov 1994 08:49:60 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", " Sun, 06 Nov 1994 08:49:37 GMT",
			"Sun, 06 Nov 94 08:49:37 GMT", "1994-11-06T08:49:37Z", "Sun Nov 6 08:49:37 1994", "0"})
			CPPUNIT_ASSERT_MESSAGE(bad, !HttpDate::parse(bad, t));
	}

	void testEntityTagChangesWithSizeAndTime()
	{
		const Poco::Timestamp t = at(2024, 1, 2, 3, 4, 5, 678);
		const std::string tag = Freshness::entityTag(100, t);
		CPPUNIT_ASSERT(tag.size() > 2 && tag.front() == '"' && tag.back() == '"');
		CPPUNIT_ASSERT(tag.find('"', 1) == tag.size() - 1);
		CPPUNIT_ASSERT_EQUAL(tag, Freshness::entityTag(100, t));
		CPPUNIT_ASSERT(tag != Freshness::entityTag(101, t));
		CPPUNIT_ASSERT(tag != Freshness::entityTag(100, at(2024, 1, 2, 3, 4, 5, 679)));
	}

	void testIfNoneMatch()
	{
		const std::string tag = "\"64-5f\"";
		CPPUNIT_ASSERT(Freshness::matchesAny("\"64-5f\"", tag));
		CPPUNIT_ASSERT(Freshness::matchesAny("W/\"64-5f\"", tag));
		CPPUNIT_ASSERT(Freshness::matchesAny("\"a\", \"64-5f\"", tag));
		CPPUNIT_ASSERT(Freshness::matchesAny("\"a\",W/\"64-5f\" , \"b\"", tag));
		CPPUNIT_ASSERT(Freshness::matchesAny("*", tag));
		CPPUNIT_ASSERT(Freshness::matchesAny(" *", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("\"64-5e\"", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("64-5f", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("\"64-5F\"", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("\"\"", tag));
	}

	void testIfNoneMatchMalformed()
	{
		const std::string tag = "\"64-5f\"";
		CPPUNIT_ASSERT(!Freshness::matchesAny("\"64-5f", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("\"a\" \"64-5f\"", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("x, \"64-5f\"", tag));
		CPPUNIT_ASSERT(!Freshness::matchesAny("w/\"64-5f\"", tag));
	}

	void testNoConditionsMeansModified()
	{
		const Poco::Timestamp modified = at(2024, 1, 1, 0, 0, 0);
		CPPUNIT_ASSERT(!Freshness::notModified(none(), none(), "\"x\"", modified, at(2024, 6, 1, 0, 0, 0)));
	}

	void testIfModifiedSince()
	{
		const Poco::Timestamp modified = at(2024, 1, 1, 12, 0, 0);
		const Poco::Timestamp now = at(2024, 6, 1, 0, 0, 0);
		CPPUNIT_ASSERT(Freshness::notModified(none(), std::string("Mon, 01 Jan 2024 12:00:00 GMT"), "\"x\"", modified, now));
		CPPUNIT_ASSERT(Freshness::notModified(none(), std::string("Mon, 01 Jan 2024 12:00:01 GMT"), "\"x\"", modified, now));
		CPPUNIT_ASSERT(!Freshness::notModified(none(), std::string("Mon, 01 Jan 2024 11:59:59 GMT"), "\"x\"", modified, now));
		CPPUNIT_ASSERT(Freshness::notModified(none(), std::string("Monday, 01-Jan-24 12:00:00 GMT"), "\"x\"", modified, now));
		CPPUNIT_ASSERT(Freshness::notModified(none(), std::string("Mon Jan  1 12:00:00 2024"), "\"x\"", modified, now));
	}

	void testIfModifiedSinceIgnoresSubSeconds()
	{
		// Last-Modified only shows whole seconds; the same second is not newer.
		const Poco::Timestamp modified = at(2024, 1, 1, 12, 0, 0, 900);
		CPPUNIT_ASSERT(Freshness::notModified(none(), std::string(HttpDate::format(modified)), "\"x\"", modified, at(2024, 6, 1, 0, 0, 0)));
	}

	void testIfModifiedSinceInvalidOrFutureIgnored()
	{
		const Poco::Timestamp modified = at(2024, 1, 1, 12, 0, 0);
		const Poco::Timestamp now = at(2024, 6, 1, 0, 0, 0);
		CPPUNIT_ASSERT(!Freshness::notModified(none(), std::string("garbage"), "\"x\"", modified, now));
		CPPUNIT_ASSERT(!Freshness::notModified(none(), std::string(""), "\"x\"", modified, now));
		// Later than now: a clock problem, not evidence of a cached copy.
		CPPUNIT_ASSERT(!Freshness::notModified(none(), std::string("Sat, 01 Jun 2024 00:00:01 GMT"), "\"x\"", modified, now));
		CPPUNIT_ASSERT(Freshness::notModified(none(), std::string("Sat, 01 Jun 2024 00:00:00 GMT"), "\"x\"", modified, now));
	}

	void testIfNoneMatchTakesPrecedence()
	{
		const Poco::Timestamp modified = at(2024, 1, 1, 12, 0, 0);
		const Poco::Timestamp now = at(2024, 6, 1, 0, 0, 0);
		const std::string fresh = "Sat, 01 Jun 2024 00:00:00 GMT";
		// A stale tag means modified, whatever the date says.
		CPPUNIT_ASSERT(!Freshness::notModified(std::string("\"old\""), fresh, "\"new\"", modified, now));
		CPPUNIT_ASSERT(Freshness::notModified(std::string("\"new\""), std::string("Mon, 01 Jan 2000 00:00:00 GMT"), "\"new\"", modified, now));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(FreshnessTest);
