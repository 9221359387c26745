// FeedSet: the streams the feed reader reads (the global feed, the wake-up
// stream, the feeds of the rooms loaded here), where it stands in each, and
// the XREADs of a pass: bounded in streams, blocking only when one takes
// them all.
#include "redis/FeedSet.h"
#include "redis/Keyspace.h"

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>

using webchat::chatroom::redis::FeedSet;
using webchat::chatroom::redis::Keyspace;
using webchat::chatroom::redis::RedisLink;

namespace {

using Words = std::vector<std::string>;

// A command's words, read back from its RESP.
Words words(const RedisLink::Command& command)
{
	std::string out;
	command.appendTo(out);
	Words result;
	std::size_t at = out.find("\r\n") + 2; // past *<count>
	while (at < out.size())
	{
		const std::size_t end = out.find("\r\n", at);
		const std::size_t length = std::stoul(out.substr(at + 1, end - at - 1));
		result.push_back(out.substr(end + 2, length));
		at = end + 2 + length + 2;
	}
	return result;
}

bool blocks(const Words& read)
{
	return std::find(read.begin(), read.end(), "BLOCK") != read.end();
}

// The streams a read names (keys, then as many positions).
std::size_t streams(const Words& read)
{
	const auto after = std::find(read.begin(), read.end(), "STREAMS");
	return static_cast<std::size_t>(read.end() - after - 1) / 2;
}

} // namespace

class FeedSetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FeedSetTest);
	CPPUNIT_TEST(testRoomKeysShareTheRoomsHashTag);
	CPPUNIT_TEST(testOneReadBlocksForEveryStream);
	CPPUNIT_TEST(testPositionsAdvancePerStream);
	CPPUNIT_TEST(testWatchedAgainKeepsItsPosition);
	CPPUNIT_TEST(testRoomsNoLongerLoadedAreDropped);
	CPPUNIT_TEST(testManyRoomsAreReadInBoundedReads);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRoomKeysShareTheRoomsHashTag()
	{
		// Redis Cluster hashes what is between the first '{' and the next
		// '}': every key of a room in one slot, the global keys in none.
		const Keyspace keys("chat");
		for (const auto& key : {keys.feed("hà nội"), keys.meta("hà nội"), keys.log("hà nội"), keys.senders("hà nội"), keys.presence("hà nội"),
				 keys.deleted("hà nội")})
		{
			const auto open = key.find('{');
			CPPUNIT_ASSERT_MESSAGE(key, open != std::string::npos);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(key, std::string("hà nội"), key.substr(open + 1, key.find('}', open) - open - 1));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("chat:room:{lobby}:feed"), keys.feed("lobby"));
		for (const auto& key : {keys.feed(), keys.bans(), keys.mutes(), keys.rules(), keys.lastBanId(), keys.instance("i1"), keys.wake("i1")})
			CPPUNIT_ASSERT_MESSAGE(key, key.find_first_of("{}") == std::string::npos);
		CPPUNIT_ASSERT(keys.wake("i1") != keys.wake("i2"));
	}

	void testOneReadBlocksForEveryStream()
	{
		FeedSet set("ns:feed", "ns:instance:i1:wake");
		set.setGlobalPosition("5-0");
		// No room loaded: the global feed and the wake-up stream.
		auto reads = set.reads({1000, 500, 10}, false);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), reads.size());
		// XREAD's COUNT is per stream: the read's 1000 shared.
		CPPUNIT_ASSERT((Words{"XREAD", "COUNT", "500", "BLOCK", "500", "STREAMS", "ns:feed", "ns:instance:i1:wake", "5-0", "0-0"}) == words(reads[0]));
		set.watch("x", "ns:room:{x}:feed", "7-1");
		set.watch("a", "ns:room:{a}:feed", "0-0");
		reads = set.reads({1000, 500, 10}, true);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), reads.size());
		CPPUNIT_ASSERT((Words{"XREAD", "COUNT", "250", "BLOCK", "500", "STREAMS", "ns:feed", "ns:instance:i1:wake", "ns:room:{a}:feed", "ns:room:{x}:feed", "5-0",
						   "0-0", "0-0", "7-1"}) == words(reads[0]));
		CPPUNIT_ASSERT((std::vector<std::string>{"a", "x"}) == set.rooms());
	}

	void testPositionsAdvancePerStream()
	{
		FeedSet set("ns:feed", "ns:wake");
		set.watch("x", "ns:room:{x}:feed", "1-0");
		set.watch("y", "ns:room:{y}:feed", "2-0");
		set.advance("ns:room:{x}:feed", "3-4");
		set.advance("ns:wake", "9-0");
		set.advance("ns:feed", "8-0");
		set.advance("ns:room:{gone}:feed", "10-0"); // not read: ignored
		CPPUNIT_ASSERT_EQUAL(std::string("3-4"), set.position("ns:room:{x}:feed"));
		CPPUNIT_ASSERT_EQUAL(std::string("2-0"), set.position("ns:room:{y}:feed"));
		CPPUNIT_ASSERT_EQUAL(std::string("9-0"), set.position("ns:wake"));
		CPPUNIT_ASSERT_EQUAL(std::string("8-0"), set.globalPosition());
		CPPUNIT_ASSERT_EQUAL(std::string(), set.position("ns:room:{gone}:feed"));
		CPPUNIT_ASSERT(set.isWake("ns:wake"));
		CPPUNIT_ASSERT(!set.isWake("ns:feed"));
		CPPUNIT_ASSERT(!set.isWake("ns:room:{x}:feed"));
	}

	void testWatchedAgainKeepsItsPosition()
	{
		// A reload watches the room again from a newer position: the older
		// one only repeats entries the room skips, the newer could miss some.
		FeedSet set("ns:feed", "ns:wake");
		set.watch("x", "ns:room:{x}:feed", "1-0");
		set.advance("ns:room:{x}:feed", "4-0");
		set.watch("x", "ns:room:{x}:feed", "6-0");
		CPPUNIT_ASSERT_EQUAL(std::string("4-0"), set.position("ns:room:{x}:feed"));
	}

	void testRoomsNoLongerLoadedAreDropped()
	{
		FeedSet set("ns:feed", "ns:wake");
		set.watch("x", "ns:room:{x}:feed", "1-0");
		set.watch("y", "ns:room:{y}:feed", "1-0");
		// Just watched: kept even when not (yet) seen loaded.
		CPPUNIT_ASSERT(set.keepOnly({"x"}).empty());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), set.rooms().size());
		// Not loaded and not watched since: dropped, and read no more.
		CPPUNIT_ASSERT((std::vector<std::string>{"y"}) == set.keepOnly({"x"}));
		CPPUNIT_ASSERT((std::vector<std::string>{"x"}) == set.rooms());
		CPPUNIT_ASSERT_EQUAL(std::string(), set.position("ns:room:{y}:feed"));
		const auto read = words(set.reads({}, false)[0]);
		CPPUNIT_ASSERT(std::find(read.begin(), read.end(), "ns:room:{y}:feed") == read.end());
		// Loaded again later: from the new load's position.
		set.watch("y", "ns:room:{y}:feed", "5-0");
		CPPUNIT_ASSERT_EQUAL(std::string("5-0"), set.position("ns:room:{y}:feed"));
		// x, no longer loaded, goes; y, watched again since, at the next.
		CPPUNIT_ASSERT((std::vector<std::string>{"x"}) == set.keepOnly({}));
		CPPUNIT_ASSERT((std::vector<std::string>{"y"}) == set.keepOnly({}));
		CPPUNIT_ASSERT(set.rooms().empty());
	}

	void testManyRoomsAreReadInBoundedReads()
	{
		FeedSet set("ns:feed", "ns:wake");
		set.setGlobalPosition("1-0");
		const std::size_t rooms = 2 * FeedSet::MaxStreamsPerRead + 10;
		for (std::size_t i = 0; i < rooms; ++i)
		{
			const std::string room = "r" + std::to_string(100000 + i); // in key order
			set.watch(room, "ns:room:{" + room + "}:feed", "0-" + std::to_string(i));
		}
		// Busy: no read blocks, every stream in some read, none over the bound.
		auto reads = set.reads({1000, 500, 10}, false);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), reads.size());
		std::size_t total = 0;
		for (const auto& read : reads)
		{
			CPPUNIT_ASSERT(!blocks(words(read)));
			CPPUNIT_ASSERT(streams(words(read)) <= FeedSet::MaxStreamsPerRead);
			total += streams(words(read));
		}
		CPPUNIT_ASSERT_EQUAL(rooms + 2, total);
		// The first holds the global feed and the wake-up stream, the last
		// the last room, at its position.
		const Words first = words(reads[0]);
		// Many streams: each its least share.
		const std::string least = std::to_string(FeedSet::MinCountPerStream);
		CPPUNIT_ASSERT((Words{"XREAD", "COUNT", least, "STREAMS", "ns:feed", "ns:wake"}) == Words(first.begin(), first.begin() + 6));
		const Words last = words(reads[2]);
		const std::string lastRoom = "r" + std::to_string(100000 + rooms - 1);
		CPPUNIT_ASSERT_EQUAL("ns:room:{" + lastRoom + "}:feed", last[3 + streams(last)]);
		CPPUNIT_ASSERT_EQUAL("0-" + std::to_string(rooms - 1), last.back());
		// After an idle pass, the first polls briefly; the others still not.
		reads = set.reads({1000, 500, 10}, true);
		const Words polling = words(reads[0]);
		CPPUNIT_ASSERT((Words{"XREAD", "COUNT", least, "BLOCK", "10", "STREAMS", "ns:feed"}) == Words(polling.begin(), polling.begin() + 7));
		CPPUNIT_ASSERT(!blocks(words(reads[1])));
		CPPUNIT_ASSERT(!blocks(words(reads[2])));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(FeedSetTest);
