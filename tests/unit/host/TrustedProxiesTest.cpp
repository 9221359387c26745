// TrustedProxies: which peers are believed, and the client a forwarded
// request names; AddressKey: how budgets group addresses.

#include "RequestHead.h"
#include "TrustedProxies.h"
#include "webchat/AddressKey.h"

#include "Poco/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::RequestHead;
using webchat::TrustedProxies;
using Poco::Net::IPAddress;

namespace {

// The client that head names when it came from peer through proxies.
std::string clientOf(const TrustedProxies& proxies, const std::string& fields, const std::string& peer)
{
	const std::string head = "GET / HTTP/1.1\r\nHost: chat.example\r\n" + fields + "\r\n";
	const auto parsed = RequestHead::parse(head, webchat::HeadLimits());
	CPPUNIT_ASSERT_MESSAGE(head, parsed.ok());
	return proxies.client(parsed.head(), IPAddress(peer)).toString();
}

} // namespace

class TrustedProxiesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TrustedProxiesTest);
	CPPUNIT_TEST(testParsesAddressesAndNetworks);
	CPPUNIT_TEST(testRefusesBadEntries);
	CPPUNIT_TEST(testUntrustedPeerIsTheClient);
	CPPUNIT_TEST(testXForwardedForFromTheRight);
	CPPUNIT_TEST(testForwardedWinsAndIsParsed);
	CPPUNIT_TEST(testUnreadableHopStopsTheWalk);
	CPPUNIT_TEST(testAddressKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void testParsesAddressesAndNetworks()
	{
		const auto proxies = TrustedProxies::parse(" 127.0.0.1, 10.0.0.0/8 ,::1,fd00::/8, 192.168.1.0/24");
		CPPUNIT_ASSERT(proxies.contains(IPAddress("127.0.0.1")));
		CPPUNIT_ASSERT(!proxies.contains(IPAddress("127.0.0.2")));
		CPPUNIT_ASSERT(proxies.contains(IPAddress("10.200.3.4")));
		CPPUNIT_ASSERT(!proxies.contains(IPAddress("11.0.0.1")));
		CPPUNIT_ASSERT(proxies.contains(IPAddress("192.168.1.77")));
		CPPUNIT_ASSERT(!proxies.contains(IPAddress("192.168.2.1")));
		CPPUNIT_ASSERT(proxies.contains(IPAddress("::1")));
		CPPUNIT_ASSERT(proxies.contains(IPAddress("fd12:3456::1")));
		CPPUNIT_ASSERT(!proxies.contains(IPAddress("fe80::1")));
		CPPUNIT_ASSERT(TrustedProxies::parse("").empty());
		CPPUNIT_ASSERT(TrustedProxies::parse("0.0.0.0/0").contains(IPAddress("8.8.8.8")));
	}

	void testRefusesBadEntries()
	{
		for (const char* bad : {"localhost", "10.0.0.0/33", "::/129", "10.0.0.0/x", "1.2.3", "10.0.0.0/", "/8"})
			CPPUNIT_ASSERT_THROW_MESSAGE(bad, TrustedProxies::parse(bad), Poco::InvalidArgumentException);
	}

	void testUntrustedPeerIsTheClient()
	{
		const auto proxies = TrustedProxies::parse("127.0.0.1");
		CPPUNIT_ASSERT_EQUAL(std::string("203.0.113.5"), clientOf(proxies, "X-Forwarded-For: 198.51.100.1\r\n", "203.0.113.5"));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), clientOf(TrustedProxies(), "X-Forwarded-For: 198.51.100.1\r\n", "127.0.0.1"));
	}

	void testXForwardedForFromTheRight()
	{
		const auto proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8");
		CPPUNIT_ASSERT_EQUAL(std::string("198.51.100.1"), clientOf(proxies, "X-Forwarded-For: 198.51.100.1\r\n", "127.0.0.1"));
		// A client cannot claim to be someone else: what it sent stands left
		// of what the trusted proxies appended.
		CPPUNIT_ASSERT_EQUAL(std::string("198.51.100.1"), clientOf(proxies, "X-Forwarded-For: 6.6.6.6, 198.51.100.1, 10.1.1.1\r\n", "127.0.0.1"));
		// Two field lines make one list.
		CPPUNIT_ASSERT_EQUAL(std::string("198.51.100.1"), clientOf(proxies, "X-Forwarded-For: 6.6.6.6\r\nX-Forwarded-For: 198.51.100.1\r\n", "127.0.0.1"));
		CPPUNIT_ASSERT_EQUAL(std::string("198.51.100.1"), clientOf(proxies, "X-Forwarded-For: 198.51.100.1:4711\r\n", "127.0.0.1"));
		CPPUNIT_ASSERT_EQUAL(std::string("2001:db8::7"), clientOf(proxies, "X-Forwarded-For: 2001:db8::7\r\n", "127.0.0.1"));
		// Only proxies in the chain: the leftmost is as far as it goes.
		CPPUNIT_ASSERT_EQUAL(std::string("10.9.9.9"), clientOf(proxies, "X-Forwarded-For: 10.9.9.9\r\n", "127.0.0.1"));
		// No header: the proxy itself.
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), clientOf(proxies, "", "127.0.0.1"));
	}

	void testForwardedWinsAndIsParsed()
	{
		const auto proxies = TrustedProxies::parse("127.0.0.1");
		CPPUNIT_ASSERT_EQUAL(std::string("198.51.100.2"),
			clientOf(proxies, "Forwarded: for=198.51.100.2;proto=https\r\nX-Forwarded-For: 6.6.6.6\r\n", "127.0.0.1"));
		CPPUNIT_ASSERT_EQUAL(std::string("2001:db8::9"), clientOf(proxies, "Forwarded: For=\"[2001:db8::9]:4711\"\r\n", "127.0.0.1"));
		CPPUNIT_ASSERT_EQUAL(std::string("198.51.100.3"), clientOf(proxies, "Forwarded: for=6.6.6.6, for=198.51.100.3\r\n", "127.0.0.1"));
	}

	void testUnreadableHopStopsTheWalk()
	{
		const auto proxies = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8");
		CPPUNIT_ASSERT_EQUAL(std::string("10.1.1.1"), clientOf(proxies, "X-Forwarded-For: 198.51.100.1, garbage, 10.1.1.1\r\n", "127.0.0.1"));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), clientOf(proxies, "Forwarded: for=unknown\r\n", "127.0.0.1"));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), clientOf(proxies, "Forwarded: for=_hidden\r\n", "127.0.0.1"));
	}

	void testAddressKey()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("203.0.113.5"), webchat::addressKey(IPAddress("203.0.113.5")));
		CPPUNIT_ASSERT_EQUAL(std::string("203.0.113.5"), webchat::addressKey(IPAddress("::ffff:203.0.113.5")));
		CPPUNIT_ASSERT_EQUAL(std::string("2001:db8:1:2::/64"), webchat::addressKey(IPAddress("2001:db8:1:2:aaaa:bbbb:cccc:dddd")));
		CPPUNIT_ASSERT_EQUAL(webchat::addressKey(IPAddress("2001:db8:1:2::1")), webchat::addressKey(IPAddress("2001:db8:1:2:ffff::9")));
		CPPUNIT_ASSERT(webchat::addressKey(IPAddress("2001:db8:1:3::1")) != webchat::addressKey(IPAddress("2001:db8:1:2::1")));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TrustedProxiesTest);
