#include "ChatEndpoint.h"

#include "Poco/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::page::ChatEndpoint;

class ChatEndpointTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ChatEndpointTest);
	CPPUNIT_TEST(testPortUsesPageHost);
	CPPUNIT_TEST(testPortZeroRefused);
	CPPUNIT_TEST(testFixedUrl);
	CPPUNIT_TEST(testFixedUrlNormalised);
	CPPUNIT_TEST(testFixedUrlIPv6);
	CPPUNIT_TEST(testBadUrlsNameKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPortUsesPageHost()
	{
		const ChatEndpoint chat = ChatEndpoint::onPort(8000);
		CPPUNIT_ASSERT(!chat.fixed());
		CPPUNIT_ASSERT_EQUAL(std::string("ws://example.com:8000/"), chat.url("example.com"));
		CPPUNIT_ASSERT_EQUAL(std::string("ws://[::1]:8000/"), chat.url("[::1]"));
		// A page served over this server's TLS gets the chat over TLS.
		CPPUNIT_ASSERT_EQUAL(std::string("wss://example.com:8000/"), chat.url("example.com", true));
		CPPUNIT_ASSERT_EQUAL(std::string("ws://example.com:8000 wss://example.com:8000 http://example.com:8000/rooms https://example.com:8000/rooms"), chat.connectSources("example.com"));
		CPPUNIT_ASSERT_EQUAL(std::string("ws://<page host>:8000/"), chat.describe());
	}

	void testPortZeroRefused()
	{
		CPPUNIT_ASSERT_THROW(ChatEndpoint::onPort(0), Poco::InvalidArgumentException);
	}

	void testFixedUrl()
	{
		const ChatEndpoint chat = ChatEndpoint::fromUrl("wss://chat.example.org/");
		CPPUNIT_ASSERT(chat.fixed());
		CPPUNIT_ASSERT_EQUAL(std::string("wss://chat.example.org/"), chat.url("ignored.example"));
		// The room list beside it, over https.
		CPPUNIT_ASSERT_EQUAL(std::string("wss://chat.example.org/ https://chat.example.org/rooms"), chat.connectSources("ignored.example"));
		CPPUNIT_ASSERT_EQUAL(std::string("ws://10.0.0.5:9000/chat http://10.0.0.5:9000/chat/rooms"), ChatEndpoint::fromUrl("ws://10.0.0.5:9000/chat").connectSources(""));
		CPPUNIT_ASSERT_EQUAL(std::string("wss://chat.example.org/"), chat.describe());
		CPPUNIT_ASSERT_EQUAL(std::string("ws://10.0.0.5:9000/chat/room-1"), ChatEndpoint::fromUrl("ws://10.0.0.5:9000/chat/room-1").url(""));
		CPPUNIT_ASSERT_EQUAL(std::string("ws://a.example/p%20q"), ChatEndpoint::fromUrl("ws://a.example/p%20q").url(""));
	}

	void testFixedUrlNormalised()
	{
		// No path means "/"; scheme and host are case-insensitive.
		CPPUNIT_ASSERT_EQUAL(std::string("wss://chat.example.org:8443/"), ChatEndpoint::fromUrl("WSS://Chat.Example.ORG:8443").url(""));
	}

	void testFixedUrlIPv6()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("ws://[::1]:8000/"), ChatEndpoint::fromUrl("ws://[::1]:8000/").url(""));
	}

	void testBadUrlsNameKey()
	{
		for (const char* bad : {"", "chat.example.org", "http://chat.example.org/", "https://x/", "ws:/x/", "ws://", "ws:///path",
			"ws://user@x/", "ws://user:pw@x/", "ws://x:0/", "ws://x:65536/", "ws://x:/", "ws://x/?room=1", "ws://x/#f", "ws://x/a b",
			"ws://x/a;b", "ws://x/a,b", "ws://x/a'b", "ws://x/a\"b", "ws://x/%zz", "ws://x/%4", "ws://x/\\", "ws://bad_host/",
			"ws://x/\r\nInjected: 1", "ws://[::1%eth0]/", "javascript:alert(1)"})
		{
			try
			{
				ChatEndpoint::fromUrl(bad);
				CPPUNIT_FAIL(std::string("accepted: ") + bad);
			}
			catch (const Poco::InvalidArgumentException& exc)
			{
				CPPUNIT_ASSERT_MESSAGE(exc.displayText(), exc.displayText().find("chat_url = ") != std::string::npos);
			}
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ChatEndpointTest);
