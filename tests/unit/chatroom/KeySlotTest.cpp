// KeySlot and ClusterLink's routing: CRC16/XMODEM on its known vectors, hash
// tags as the Redis Cluster specification defines them, the slots of the
// shared rooms' keys, and which word of a command a cluster routes by.
#include "redis/ClusterLink.h"
#include "redis/FeedSet.h"
#include "redis/KeySlot.h"
#include "redis/Keyspace.h"

#include <cppunit/extensions/HelperMacros.h>

#include <set>

using webchat::chatroom::redis::ClusterLink;
using webchat::chatroom::redis::crc16;
using webchat::chatroom::redis::FeedSet;
using webchat::chatroom::redis::keySlot;
using webchat::chatroom::redis::Keyspace;
using webchat::chatroom::redis::RedisLink;

class KeySlotTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(KeySlotTest);
	CPPUNIT_TEST(testCrc16KnownVectors);
	CPPUNIT_TEST(testHashTags);
	CPPUNIT_TEST(testRoomKeysShareOneSlotInACluster);
	CPPUNIT_TEST(testCommandsAreRoutedByTheirKey);
	CPPUNIT_TEST(testSlotReadsNameOneSlotEach);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCrc16KnownVectors()
	{
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(0x31C3), crc16("123456789"));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(0), crc16(""));
		// Slots of the Redis Cluster tutorial (redis-cli -c: "Redirected to
		// slot [12182]" for foo, [866] for hello).
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(12182), keySlot("foo"));
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(866), keySlot("hello"));
	}

	void testHashTags()
	{
		CPPUNIT_ASSERT_EQUAL(keySlot("user1000"), keySlot("{user1000}.following"));
		CPPUNIT_ASSERT_EQUAL(keySlot("user1000"), keySlot("{user1000}.followers"));
		// The first '{' and the first '}' after it.
		CPPUNIT_ASSERT_EQUAL(keySlot("bar"), keySlot("foo{bar}{zap}"));
		CPPUNIT_ASSERT_EQUAL(keySlot("{bar"), keySlot("foo{{bar}}zap"));
		// An empty tag, or none closed: the whole key.
		CPPUNIT_ASSERT_EQUAL(crc16("foo{}{bar}") % 16384, int(keySlot("foo{}{bar}")));
		CPPUNIT_ASSERT_EQUAL(crc16("foo{bar") % 16384, int(keySlot("foo{bar")));
	}

	void testRoomKeysShareOneSlotInACluster()
	{
		const Keyspace keys("chat", true);
		const auto slot = keySlot(keys.feed("lobby"));
		for (const auto& key : {keys.meta("lobby"), keys.log("lobby"), keys.senders("lobby"), keys.presence("lobby"), keys.deleted("lobby"),
				 keys.instancePrefix("lobby") + "i1"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(key, slot, keySlot(key));
		// The deployment's global keys share one slot of their own.
		const auto global = keySlot(keys.feed());
		for (const auto& key : {keys.bans(), keys.lastBanId(), keys.mutes(), keys.rules(), keys.nickPrefix() + "ann", keys.nicksByLastUse()})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(key, global, keySlot(key));
		// One Redis: the names of before.
		const Keyspace standalone("chat");
		CPPUNIT_ASSERT_EQUAL(std::string("chat:feed"), standalone.feed());
		CPPUNIT_ASSERT_EQUAL(std::string("chat:moderation:bans"), standalone.bans());
		CPPUNIT_ASSERT_EQUAL(std::string("chat:instance:"), standalone.instancePrefix("lobby"));
		CPPUNIT_ASSERT_EQUAL(std::string("{chat}:feed"), keys.feed());
	}

	void testCommandsAreRoutedByTheirKey()
	{
		const auto slot = [](std::initializer_list<std::string_view> words) { return ClusterLink::commandSlot(RedisLink::Command(words)); };
		CPPUNIT_ASSERT(slot({"GET", "foo"}) == keySlot("foo"));
		CPPUNIT_ASSERT(slot({"EVALSHA", "abc", "2", "k:{r}:a", "k:{r}:b", "arg"}) == keySlot("r"));
		CPPUNIT_ASSERT(slot({"eval", "return 1", "1", "foo"}) == keySlot("foo"));
		CPPUNIT_ASSERT(!slot({"EVAL", "return 1", "0"}));
		CPPUNIT_ASSERT(slot({"XREAD", "COUNT", "10", "BLOCK", "5", "STREAMS", "s1", "s2", "0-0", "0-0"}) == keySlot("s1"));
		for (const char* keyless : {"MULTI", "EXEC", "PING"}) CPPUNIT_ASSERT(!slot({keyless}));
		CPPUNIT_ASSERT(!slot({"SCRIPT", "LOAD", "return 1"}));
		CPPUNIT_ASSERT(!slot({"CLUSTER", "SLOTS"}));
	}

	void testSlotReadsNameOneSlotEach()
	{
		const Keyspace keys("chat", true);
		FeedSet set(keys.feed(), keys.wake("i1"));
		set.setGlobalPosition("0-0");
		for (int i = 0; i < 50; ++i) set.watch("room" + std::to_string(i), keys.feed("room" + std::to_string(i)), "0-0");
		const FeedSet::Timing timing{1000, 500, 10};
		std::set<std::string> named;
		for (const auto& read : set.slotReads(timing))
		{
			// No BLOCK; every stream of one read in one slot.
			std::size_t at = 1;
			while (read.word(at) != "STREAMS")
			{
				CPPUNIT_ASSERT(read.word(at) != "BLOCK");
				++at;
			}
			const std::size_t count = (read.size() - at - 1) / 2;
			for (std::size_t i = 0; i < count; ++i)
			{
				CPPUNIT_ASSERT_EQUAL(keySlot(read.word(at + 1)), keySlot(read.word(at + 1 + i)));
				named.insert(std::string(read.word(at + 1 + i)));
			}
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(52), named.size());
		// The wait after an idle pass: the wake-up stream alone, blocking
		// pollMs; once a room had an entry, that room's feed from there.
		const auto words = [](const RedisLink::Command& read) {
			std::vector<std::string> result;
			for (std::size_t i = 0; i < read.size(); ++i) result.emplace_back(read.word(i));
			return result;
		};
		CPPUNIT_ASSERT((std::vector<std::string>{"XREAD", "COUNT", "1000", "BLOCK", "10", "STREAMS", keys.wake("i1"), "0-0"}) == words(set.wait(timing)));
		set.advance(keys.feed("room7"), "5-1");
		CPPUNIT_ASSERT((std::vector<std::string>{"XREAD", "COUNT", "1000", "BLOCK", "10", "STREAMS", keys.feed("room7"), "5-1"}) == words(set.wait(timing)));
		set.advance(keys.wake("i1"), "6-0");
		CPPUNIT_ASSERT_EQUAL(keys.feed("room7"), words(set.wait(timing))[6]);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(KeySlotTest);
