// RequestTarget: room, nick and since from the upgrade request's target.
#include "RequestTarget.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::RequestTarget;

namespace {

std::string errorCode(const std::string& uri)
{
	const auto target = RequestTarget::parse(uri);
	return target.error() ? target.error()->code : "";
}

} // namespace

class RequestTargetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RequestTargetTest);
	CPPUNIT_TEST(testRootIsLobby);
	CPPUNIT_TEST(testRoomAndNick);
	CPPUNIT_TEST(testVietnameseRoomAndNick);
	CPPUNIT_TEST(testPlusInPathSpaceInQuery);
	CPPUNIT_TEST(testSince);
	CPPUNIT_TEST(testEmptyValuesAreAbsentUnknownKeysIgnored);
	CPPUNIT_TEST(testBadRooms);
	CPPUNIT_TEST(testBadNicks);
	CPPUNIT_TEST(testBadSince);
	CPPUNIT_TEST(testEpoch);
	CPPUNIT_TEST(testBadEpoch);
	CPPUNIT_TEST(testToken);
	CPPUNIT_TEST(testBadToken);
	CPPUNIT_TEST(testPercentDecodingErrors);
	CPPUNIT_TEST(testErrorsCloseWith4400);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRootIsLobby()
	{
		for (const char* uri : {"/", "/?", "/?nick=An", "/#x"})
		{
			const auto target = RequestTarget::parse(uri);
			CPPUNIT_ASSERT_MESSAGE(uri, !target.error());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("lobby"), target.room());
		}
		CPPUNIT_ASSERT(!RequestTarget::parse("/").nick());
		CPPUNIT_ASSERT(!RequestTarget::parse("/").since());
	}

	void testRoomAndNick()
	{
		const auto target = RequestTarget::parse("/general?nick=An");
		CPPUNIT_ASSERT(!target.error());
		CPPUNIT_ASSERT_EQUAL(std::string("general"), target.room());
		CPPUNIT_ASSERT_EQUAL(std::string("An"), *target.nick());
		CPPUNIT_ASSERT(!target.since());
	}

	void testVietnameseRoomAndNick()
	{
		const auto target = RequestTarget::parse("/H%C3%A0%20N%E1%BB%99i?nick=B%C3%ACnh&since=41");
		CPPUNIT_ASSERT(!target.error());
		CPPUNIT_ASSERT_EQUAL(std::string("Hà Nội"), target.room());
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), *target.nick());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(41), *target.since());
		// Raw UTF-8 bytes (some clients do not encode) are the same room.
		CPPUNIT_ASSERT_EQUAL(std::string("Hà"), RequestTarget::parse("/Hà").room());
	}

	void testPlusInPathSpaceInQuery()
	{
		const auto target = RequestTarget::parse("/C++?nick=An+Nguy%E1%BB%85n");
		CPPUNIT_ASSERT(!target.error());
		CPPUNIT_ASSERT_EQUAL(std::string("C++"), target.room());
		CPPUNIT_ASSERT_EQUAL(std::string("An Nguyễn"), *target.nick());
		CPPUNIT_ASSERT_EQUAL(std::string("a+b"), *RequestTarget::parse("/?nick=a%2Bb").nick());
	}

	void testSince()
	{
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), *RequestTarget::parse("/?since=0").since());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), *RequestTarget::parse("/?since=007").since());
		CPPUNIT_ASSERT_EQUAL(RequestTarget::MaxSince, *RequestTarget::parse("/?since=9007199254740991").since());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), *RequestTarget::parse("/x?nick=a&since=5").since());
	}

	void testEmptyValuesAreAbsentUnknownKeysIgnored()
	{
		const auto target = RequestTarget::parse("/?nick=&since=&v=3&flag&=x&&");
		CPPUNIT_ASSERT(!target.error());
		CPPUNIT_ASSERT(!target.nick());
		CPPUNIT_ASSERT(!target.since());
		CPPUNIT_ASSERT(!RequestTarget::parse("/?nick").nick());
		CPPUNIT_ASSERT(!RequestTarget::parse("/?other=%zz").error());
	}

	void testBadRooms()
	{
		for (const char* uri : {"/a/b", "/lobby/", "//", "/a%2Fb", "/%20lobby", "/lobby%20", "/a%0Ab", "/a%00b", "/a%7Fb",
				 "/a%C2%85b", "/a%E2%80%A8b", "http://host/lobby", "*", "",
				 "/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("invalid_room"), errorCode(uri));
		CPPUNIT_ASSERT_EQUAL(std::string(""), errorCode("/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	}

	void testBadNicks()
	{
		for (const char* uri : {"/?nick=%20An", "/?nick=An+", "/?nick=a%0Db", "/?nick=a&nick=b", "/?nick=%E2%80%AEnA",
				 "/?nick=123456789012345678901234567890123"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("invalid_nick"), errorCode(uri));
		CPPUNIT_ASSERT_EQUAL(std::string(""), errorCode("/?nick=12345678901234567890123456789012"));
		CPPUNIT_ASSERT_EQUAL(std::string("a/b"), *RequestTarget::parse("/?nick=a%2Fb").nick());
	}

	void testBadSince()
	{
		for (const char* uri : {"/?since=-1", "/?since=1.5", "/?since=abc", "/?since=1e3", "/?since=+5", "/?since=%201",
				 "/?since=9007199254740992", "/?since=99999999999999999999999", "/?since=1&since=2", "/?since=0x10"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("invalid_since"), errorCode(uri));
	}

	void testEpoch()
	{
		auto target = RequestTarget::parse("/r?nick=An&since=41&epoch=3f9a0c1d2b4e5f60");
		CPPUNIT_ASSERT(!target.error());
		CPPUNIT_ASSERT_EQUAL(std::string("3f9a0c1d2b4e5f60"), *target.epoch());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(41), *target.since());
		CPPUNIT_ASSERT(!RequestTarget::parse("/r?since=4").epoch());
		CPPUNIT_ASSERT(!RequestTarget::parse("/r?since=4&epoch=").epoch());
		// Opaque: other backends may make other tokens.
		CPPUNIT_ASSERT_EQUAL(std::string("Redis_1-x"), *RequestTarget::parse("/r?epoch=Redis_1-x").epoch());
		CPPUNIT_ASSERT_EQUAL(std::string(64, 'a'), *RequestTarget::parse("/r?epoch=" + std::string(64, 'a')).epoch());
	}

	void testBadEpoch()
	{
		for (const std::string& uri : std::vector<std::string>{"/?epoch=a&epoch=b", "/?epoch=a%20b", "/?epoch=a+b", "/?epoch=%C3%A0", "/?epoch=a.b", "/?epoch=%",
				 "/?epoch=" + std::string(65, 'a')})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("invalid_epoch"), errorCode(uri));
		CPPUNIT_ASSERT_EQUAL(int(4400), int(RequestTarget::parse("/?epoch=a.b").error()->closeCode));
	}

	void testToken()
	{
		const std::string jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl-_";
		auto target = RequestTarget::parse("/r?nick=An&token=" + jwt);
		CPPUNIT_ASSERT(!target.error());
		CPPUNIT_ASSERT_EQUAL(jwt, *target.token());
		CPPUNIT_ASSERT(!RequestTarget::parse("/r?nick=An").token());
		CPPUNIT_ASSERT(!RequestTarget::parse("/r?token=").token());
		// Percent-decoded like every value.
		CPPUNIT_ASSERT_EQUAL(std::string("a.b"), *RequestTarget::parse("/r?token=a%2Eb").token());
		const std::string longest(RequestTarget::MaxTokenLength, 'x');
		CPPUNIT_ASSERT_EQUAL(longest, *RequestTarget::parse("/r?token=" + longest).token());
	}

	void testBadToken()
	{
		for (const std::string& uri : std::vector<std::string>{"/?token=a&token=b", "/?token=a%20b", "/?token=a+b", "/?token=%C3%A0", "/?token=a/b",
				 "/?token=a%3Db", "/?token=%", "/?token=%FF", "/?token=" + std::string(RequestTarget::MaxTokenLength + 1, 'a')})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("invalid_token"), errorCode(uri));
		CPPUNIT_ASSERT_EQUAL(int(4400), int(RequestTarget::parse("/?token=a%20b").error()->closeCode));
	}

	void testPercentDecodingErrors()
	{
		for (const char* uri : {"/a%", "/a%4", "/a%zz", "/a%C3", "/a%C3%28", "/%ED%A0%80", "/%C0%AF", "/%FF", "/a%%41"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("invalid_room"), errorCode(uri));
		for (const char* uri : {"/?nick=a%", "/?nick=%E1%BA", "/?nick=%80"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("invalid_nick"), errorCode(uri));
		CPPUNIT_ASSERT_EQUAL(std::string("invalid_since"), errorCode("/?since=1%"));
		// Decoded exactly once.
		CPPUNIT_ASSERT_EQUAL(std::string("%41"), RequestTarget::parse("/%2541").room());

		// '+' is a plus sign in the room, a space in query values.
		const auto target = RequestTarget::parse("/a%20b+c?nick=a%20b+c");
		CPPUNIT_ASSERT(!target.error());
		CPPUNIT_ASSERT_EQUAL(std::string("a b+c"), target.room());
		CPPUNIT_ASSERT_EQUAL(std::string("a b c"), *target.nick());
	}

	void testErrorsCloseWith4400()
	{
		for (const char* uri : {"/a/b", "/?nick=%20", "/?since=x"})
		{
			const auto target = RequestTarget::parse(uri);
			CPPUNIT_ASSERT(target.error());
			CPPUNIT_ASSERT_EQUAL(int(4400), int(target.error()->closeCode));
			CPPUNIT_ASSERT(!target.error()->message.empty());
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RequestTargetTest);
