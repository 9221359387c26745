#include "webchat/engine/OriginPolicy.h"

#include "Poco/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::engine::OriginPolicy;

class OriginPolicyTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(OriginPolicyTest);
	CPPUNIT_TEST(testNoOriginIsAllowed);
	CPPUNIT_TEST(testSelfMatchesHostAnyPort);
	CPPUNIT_TEST(testSelfWithPort);
	CPPUNIT_TEST(testExactOrigins);
	CPPUNIT_TEST(testAny);
	CPPUNIT_TEST(testRejectsMalformedOrigins);
	CPPUNIT_TEST(testBadEntriesThrow);
	CPPUNIT_TEST_SUITE_END();

public:
	void testNoOriginIsAllowed()
	{
		CPPUNIT_ASSERT(OriginPolicy("https://a.example").allows("", "chat.example:8000"));
	}

	void testSelfMatchesHostAnyPort()
	{
		OriginPolicy policy("self");
		CPPUNIT_ASSERT(policy.allows("http://chat.example:8080", "chat.example:8000"));
		CPPUNIT_ASSERT(policy.allows("https://CHAT.example", "chat.example:8000"));
		CPPUNIT_ASSERT(policy.allows("http://[::1]:8080", "[::1]:8000"));
		CPPUNIT_ASSERT(!policy.allows("http://evil.example:8080", "chat.example:8000"));
		CPPUNIT_ASSERT(!policy.allows("http://chat.example.evil.example", "chat.example:8000"));
		CPPUNIT_ASSERT(!policy.allows("null", "chat.example:8000"));
		CPPUNIT_ASSERT(!policy.allows("http://chat.example", ""));
	}

	void testSelfWithPort()
	{
		OriginPolicy policy("self:8080");
		CPPUNIT_ASSERT(policy.allows("http://10.0.0.5:8080", "10.0.0.5:8000"));
		CPPUNIT_ASSERT(!policy.allows("http://10.0.0.5:9090", "10.0.0.5:8000"));
		CPPUNIT_ASSERT(!policy.allows("http://10.0.0.5", "10.0.0.5:8000"));
	}

	void testExactOrigins()
	{
		OriginPolicy policy("https://chat.example.org, http://localhost:3000");
		CPPUNIT_ASSERT(policy.allows("https://chat.example.org", "ws.example.org"));
		CPPUNIT_ASSERT(policy.allows("https://chat.example.org:443", "ws.example.org"));
		CPPUNIT_ASSERT(policy.allows("http://localhost:3000", "ws.example.org"));
		CPPUNIT_ASSERT(!policy.allows("http://chat.example.org", "ws.example.org"));
		CPPUNIT_ASSERT(!policy.allows("https://chat.example.org:8443", "ws.example.org"));
		CPPUNIT_ASSERT(!policy.allows("https://ws.example.org", "ws.example.org"));
	}

	void testAny()
	{
		CPPUNIT_ASSERT(OriginPolicy("*").allows("http://anything.example", "chat.example"));
	}

	void testRejectsMalformedOrigins()
	{
		OriginPolicy policy("self");
		CPPUNIT_ASSERT(!policy.allows("chat.example", "chat.example"));
		CPPUNIT_ASSERT(!policy.allows("ftp://chat.example", "chat.example"));
		CPPUNIT_ASSERT(!policy.allows("http://user@chat.example", "chat.example"));
		CPPUNIT_ASSERT(!policy.allows("http://chat.example:99999", "chat.example"));
	}

	void testBadEntriesThrow()
	{
		CPPUNIT_ASSERT_THROW(OriginPolicy("self:http"), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(OriginPolicy("chat.example.org"), Poco::InvalidArgumentException);
		CPPUNIT_ASSERT_THROW(OriginPolicy("https://chat.example.org/path"), Poco::InvalidArgumentException);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(OriginPolicyTest);
