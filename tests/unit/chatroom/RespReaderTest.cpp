// RespReader: Redis's replies (RESP2) as RedisLink reads them, fed here
// byte by byte or in pieces: every type as POCO's types, an XREAD walked in
// place, a reply cut short read once the rest arrives, and every malformed
// reply refused with Poco::Redis::RedisException, never a crash.
#include "redis/RedisLink.h"
#include "redis/RespReader.h"

#include "Poco/Redis/Array.h"
#include "Poco/Redis/Error.h"
#include "Poco/Redis/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::redis::RedisLink;
using webchat::chatroom::redis::RespReader;
using Poco::Redis::RedisType;

namespace {

RedisType::Ptr readOne(const std::string& bytes)
{
	RespReader reader;
	reader.feed(bytes);
	auto reply = reader.readReply();
	CPPUNIT_ASSERT_EQUAL(std::size_t(0), reader.buffered());
	return reply;
}

// An XREAD reply: one stream per key, each entry [id, [field, value...]].
std::string xread(const std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::vector<std::string>>>>>& streams)
{
	auto bulk = [](const std::string& s) { return "$" + std::to_string(s.size()) + "\r\n" + s + "\r\n"; };
	std::string out = "*" + std::to_string(streams.size()) + "\r\n";
	for (const auto& [key, entries] : streams)
	{
		out += "*2\r\n" + bulk(key) + "*" + std::to_string(entries.size()) + "\r\n";
		for (const auto& [id, values] : entries)
		{
			out += "*2\r\n" + bulk(id) + "*" + std::to_string(values.size()) + "\r\n";
			for (const auto& value : values) out += bulk(value);
		}
	}
	return out;
}

std::string walk(RespReader& reader)
{
	std::string seen;
	reader.readStreams([&](std::string_view stream, std::string_view id, const RespReader::Fields& fields) {
		seen += std::string(stream) + "/" + std::string(id) + ":";
		for (const auto& [name, value] : fields) seen += std::string(name) + "=" + std::string(value) + ",";
		seen += ";";
	});
	return seen;
}

void expectMalformed(const std::string& bytes, bool streams = false)
{
	RespReader reader;
	reader.feed(bytes);
	try
	{
		if (streams)
			walk(reader);
		else
			reader.readReply();
	}
	catch (const Poco::Redis::RedisException&)
	{
		return;
	}
	CPPUNIT_FAIL("taken: " + bytes);
}

} // namespace

class RespReaderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RespReaderTest);
	CPPUNIT_TEST(testEveryTypeAsPocoMakesIt);
	CPPUNIT_TEST(testRepliesInPiecesAndBackToBack);
	CPPUNIT_TEST(testStreamsAreWalkedInOrder);
	CPPUNIT_TEST(testStreamsReplyOtherThanStreams);
	CPPUNIT_TEST(testVisitorMayReadTheNextReply);
	CPPUNIT_TEST(testMalformedRepliesAreRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryTypeAsPocoMakesIt()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("OK"), RedisLink::bulk(readOne("+OK\r\n")).value());
		CPPUNIT_ASSERT_EQUAL(std::string("NOSCRIPT No matching script"), RedisLink::errorText(readOne("-NOSCRIPT No matching script\r\n")));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(-42), RedisLink::integer(readOne(":-42\r\n")));
		CPPUNIT_ASSERT_EQUAL(std::string("xin\r\nchào"), RedisLink::bulk(readOne("$10\r\nxin\r\nchào\r\n")).value());
		CPPUNIT_ASSERT(!RedisLink::bulk(readOne("$-1\r\n")));
		CPPUNIT_ASSERT_EQUAL(std::string(""), RedisLink::bulk(readOne("$0\r\n\r\n")).value());
		// As POCO's own reader: nil and empty arrays are null arrays.
		CPPUNIT_ASSERT(RedisLink::array(readOne("*-1\r\n")).isNull());
		CPPUNIT_ASSERT(RedisLink::array(readOne("*0\r\n")).isNull());
		const auto nested = RedisLink::array(readOne("*3\r\n:1\r\n*2\r\n$1\r\na\r\n$-1\r\n+x\r\n"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), nested.size());
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), RedisLink::integer(*nested.begin()));
		const auto inner = RedisLink::array(*(nested.begin() + 1));
		CPPUNIT_ASSERT_EQUAL(std::string("a"), RedisLink::bulk(*inner.begin()).value());
		CPPUNIT_ASSERT(!RedisLink::bulk(*(inner.begin() + 1)));
		CPPUNIT_ASSERT_EQUAL(std::string("x"), RedisLink::bulk(*(nested.begin() + 2)).value());
	}

	void testRepliesInPiecesAndBackToBack()
	{
		const std::string two = "*2\r\n$5\r\nhello\r\n:7\r\n+PONG\r\n";
		// Cut anywhere: nothing is taken until the whole reply is there.
		for (std::size_t cut = 0; cut < two.size() - 7; ++cut)
		{
			RespReader reader;
			reader.feed(two.substr(0, cut));
			CPPUNIT_ASSERT_THROW(reader.readReply(), Poco::IOException);
			CPPUNIT_ASSERT_EQUAL(cut, reader.buffered());
			reader.feed(two.substr(cut));
			CPPUNIT_ASSERT_EQUAL(std::size_t(2), RedisLink::array(reader.readReply()).size());
			CPPUNIT_ASSERT_EQUAL(std::string("PONG"), RedisLink::bulk(reader.readReply()).value());
			CPPUNIT_ASSERT_EQUAL(std::size_t(0), reader.buffered());
		}
	}

	void testStreamsAreWalkedInOrder()
	{
		RespReader reader;
		reader.feed(xread({{"ns:feed", {{"1-0", {"t", "m", "text", "xin chào\r\n"}}, {"1-1", {}}}}, {"other", {{"2-0", {"t", "j"}}}}}));
		CPPUNIT_ASSERT_EQUAL(std::string("ns:feed/1-0:t=m,text=xin chào\r\n,;ns:feed/1-1:;other/2-0:t=j,;"), walk(reader));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), reader.buffered());
		// BLOCK timed out: nil, no entry.
		reader.feed("*-1\r\n");
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), reader.readStreams([](std::string_view, std::string_view, const RespReader::Fields&) { CPPUNIT_FAIL("no entry"); }));
	}

	void testStreamsReplyOtherThanStreams()
	{
		RespReader reader;
		reader.feed("-WRONGTYPE Operation against a key holding the wrong kind of value\r\n+after\r\n");
		try
		{
			walk(reader);
			CPPUNIT_FAIL("an error reply walked");
		}
		catch (const Poco::Redis::RedisException& exc)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("WRONGTYPE Operation against a key holding the wrong kind of value"), exc.message());
		}
		// The error reply was taken: the next one is read.
		CPPUNIT_ASSERT_EQUAL(std::string("after"), RedisLink::bulk(reader.readReply()).value());
		expectMalformed(":1\r\n", true);
		expectMalformed("*1\r\n*3\r\n$1\r\nk\r\n*0\r\n*0\r\n", true);          // a stream of three
		expectMalformed("*1\r\n*2\r\n$1\r\nk\r\n*1\r\n*1\r\n$1\r\ni\r\n", true); // an entry without fields
		expectMalformed(xread({{"k", {{"1-0", {"t", "m", "odd"}}}}}), true);
	}

	void testVisitorMayReadTheNextReply()
	{
		// FeedReader fills a gap from a room's log (another command, another
		// reply) while it walks the feed: the entry's views stay whole.
		RespReader reader;
		std::string big(100000, 'x');
		reader.feed(xread({{"feed", {{"1-0", {"a", "first"}}, {"1-1", {"b", "second"}}}}}) + "$100000\r\n" + big + "\r\n");
		std::string seen;
		reader.readStreams([&](std::string_view, std::string_view id, const RespReader::Fields& fields) {
			if (id == "1-0") CPPUNIT_ASSERT_EQUAL(big, RedisLink::bulk(reader.readReply()).value());
			seen += std::string(id) + "=" + std::string(fields[0].second) + ";";
		});
		CPPUNIT_ASSERT_EQUAL(std::string("1-0=first;1-1=second;"), seen);
		// Not from within its own walk.
		reader.feed(xread({{"feed", {{"2-0", {"c", "d"}}}}}) + xread({{"feed", {{"3-0", {"e", "f"}}}}}));
		CPPUNIT_ASSERT_THROW(reader.readStreams([&](std::string_view, std::string_view, const RespReader::Fields&) { walk(reader); }), Poco::IllegalStateException);
	}

	void testMalformedRepliesAreRefused()
	{
		for (const std::string& bytes : {
				 std::string("?what\r\n"),                 // no such type
				 std::string("+OK\rX"),                     // \r without \n
				 std::string(":12a\r\n"),                   // not a number
				 std::string(":\r\n"),                      // no digits
				 std::string(":1234567890123456789\r\n"),   // 19 digits
				 std::string("$3\r\nabcd\r\n"),             // longer than said
				 std::string("$-2\r\n"),                    // a negative length
				 std::string("*-5\r\n"),                    // a negative count
				 std::string("$999999999999\r\n"),          // over MaxReplyBytes
				 std::string("*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n*1\r\n:1\r\n"), // deeper than MaxDepth
			 })
			expectMalformed(bytes);
		// A count far beyond what arrives is not malformed, only unfinished.
		RespReader reader;
		reader.feed("*1000000000\r\n:1\r\n");
		CPPUNIT_ASSERT_THROW(reader.readReply(), Poco::IOException);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RespReaderTest);
