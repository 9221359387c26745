// Validation of Host headers: whatever passes ends up in JSON and in the CSP.
#include "HostName.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::page::HostName;

class HostNameTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HostNameTest);
	CPPUNIT_TEST(testDnsNames);
	CPPUNIT_TEST(testBadDnsNames);
	CPPUNIT_TEST(testIPv4);
	CPPUNIT_TEST(testBadIPv4);
	CPPUNIT_TEST(testIPv6);
	CPPUNIT_TEST(testBadIPv6);
	CPPUNIT_TEST(testAuthorityWithPort);
	CPPUNIT_TEST(testAuthorityWithoutPort);
	CPPUNIT_TEST(testBadAuthorities);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDnsNames()
	{
		for (const char* good : {"localhost", "example.com", "chat.example.org", "a", "xn--bcher-kva.example", "a-b.c-d.e", "Example.COM", "host1", "1host.example"})
			CPPUNIT_ASSERT_MESSAGE(good, HostName::isValid(good));
		CPPUNIT_ASSERT(HostName::isValid(std::string(63, 'a') + ".com"));
	}

	void testBadDnsNames()
	{
		for (const char* bad : {"", "-a.com", "a-.com", "a..com", ".com", "a.com.", "a_b.com", "a b", "a.com/evil", "a\"b", "a<b>",
			"a;b", "a,b", "a'b", "ex ample", "a\r\nb", "\xC3\xA9.com", "a.com:80", "user@a.com", "*.a.com", "0x7f.1"})
			CPPUNIT_ASSERT_MESSAGE(bad, !HostName::isValid(bad));
		CPPUNIT_ASSERT(!HostName::isValid(std::string(64, 'a') + ".com"));
		std::string tooLong;
		while (tooLong.size() < 254) tooLong += "abcdefghi.";
		tooLong += "com";
		CPPUNIT_ASSERT(!HostName::isValid(tooLong));
	}

	void testIPv4()
	{
		for (const char* good : {"127.0.0.1", "0.0.0.0", "255.255.255.255", "10.1.2.3"})
			CPPUNIT_ASSERT_MESSAGE(good, HostName::isValid(good));
	}

	void testBadIPv4()
	{
		for (const char* bad : {"256.1.1.1", "1.2.3", "1.2.3.4.5", "01.2.3.4", "1.2.3.04", "1.2.3.999", "1..2.3", "1.2.3.4.", "-1.2.3.4", "127.1", "2130706433"})
			CPPUNIT_ASSERT_MESSAGE(bad, !HostName::isValid(bad));
	}

	void testIPv6()
	{
		for (const char* good : {"[::1]", "[::]", "[2001:db8::1]", "[2001:DB8:0:0:0:0:0:1]", "[::ffff:127.0.0.1]", "[fe80::1]"})
			CPPUNIT_ASSERT_MESSAGE(good, HostName::isValid(good));
	}

	void testBadIPv6()
	{
		for (const char* bad : {"::1", "[::1", "::1]", "[]", "[1.2.3.4]", "[::1%eth0]", "[::1%25eth0]", "[fe80::1%lo]", "[::g]", "[:::1]",
			"[2001:db8::1::2]", "[::1] ", "[::1]x", "[v1.x]"})
			CPPUNIT_ASSERT_MESSAGE(bad, !HostName::isValid(bad));
	}

	void testAuthorityWithPort()
	{
		std::string host;
		Poco::UInt16 port = 0;
		CPPUNIT_ASSERT(HostName::parseAuthority("Example.com:8080", host, port));
		CPPUNIT_ASSERT_EQUAL(std::string("example.com"), host);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt16(8080), port);
		CPPUNIT_ASSERT(HostName::parseAuthority("[::1]:443", host, port));
		CPPUNIT_ASSERT_EQUAL(std::string("[::1]"), host);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt16(443), port);
		CPPUNIT_ASSERT(HostName::parseAuthority("127.0.0.1:65535", host, port));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), host);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt16(65535), port);
	}

	void testAuthorityWithoutPort()
	{
		std::string host;
		Poco::UInt16 port = 99;
		CPPUNIT_ASSERT(HostName::parseAuthority("chat.example.org", host, port));
		CPPUNIT_ASSERT_EQUAL(std::string("chat.example.org"), host);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt16(0), port);
		CPPUNIT_ASSERT(HostName::parseAuthority("[2001:DB8::1]", host, port));
		CPPUNIT_ASSERT_EQUAL(std::string("[2001:db8::1]"), host);
	}

	void testBadAuthorities()
	{
		std::string host;
		Poco::UInt16 port = 0;
		for (const char* bad : {"", ":80", "a.com:", "a.com:0", "a.com:65536", "a.com:123456", "a.com:80x", "a.com:-1", "a.com:+80",
			"user@a.com", "user:pw@a.com:80", "a.com:80:80", "::1:80", "[::1]80", "a.com 80", "a.com:80\r\nX: y",
			"evil.com\"><script>", "a.com/path", "a.com?x", "a.com#x", "[::1]:"})
			CPPUNIT_ASSERT_MESSAGE(bad, !HostName::parseAuthority(bad, host, port));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HostNameTest);
