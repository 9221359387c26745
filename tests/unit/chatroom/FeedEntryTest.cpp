// FeedEntry: the shared feed's entries as the Lua scripts write them, read
// back; anything incomplete or unknown is Unknown (skipped), never a crash.
#include "redis/FeedEntry.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::redis::FeedEntry;
using Fields = FeedEntry::Fields;

class FeedEntryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(FeedEntryTest);
	CPPUNIT_TEST(testMessage);
	CPPUNIT_TEST(testPresence);
	CPPUNIT_TEST(testSync);
	CPPUNIT_TEST(testIncompleteOrUnknownEntries);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMessage()
	{
		const auto entry = FeedEntry::parse({{"t", "m"}, {"r", "Hà Nội"}, {"i", "0123456789abcdef"}, {"e", "fedcba9876543210"}, {"id", "42"},
			{"nick", "Bình"}, {"text", "<b>xin chào</b>\nline two"}, {"ts", "1764150000123"}});
		CPPUNIT_ASSERT(entry.kind == FeedEntry::Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string("Hà Nội"), entry.room);
		CPPUNIT_ASSERT_EQUAL(std::string("0123456789abcdef"), entry.instance);
		CPPUNIT_ASSERT_EQUAL(std::string("fedcba9876543210"), entry.epoch);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), entry.message.id);
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), entry.message.nick);
		CPPUNIT_ASSERT_EQUAL(std::string("<b>xin chào</b>\nline two"), entry.message.text);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1764150000123), entry.message.ts);
	}

	void testPresence()
	{
		auto entry = FeedEntry::parse({{"t", "j"}, {"r", "lobby"}, {"i", "a"}, {"nick", "An"}});
		CPPUNIT_ASSERT(entry.kind == FeedEntry::Kind::Join);
		CPPUNIT_ASSERT_EQUAL(std::string("An"), entry.message.nick);
		entry = FeedEntry::parse({{"t", "l"}, {"r", "lobby"}, {"i", "a"}, {"nick", "An"}});
		CPPUNIT_ASSERT(entry.kind == FeedEntry::Kind::Leave);
		entry = FeedEntry::parse({{"t", "n"}, {"r", "lobby"}, {"i", "a"}, {"nick", "An"}, {"to", "Ân"}});
		CPPUNIT_ASSERT(entry.kind == FeedEntry::Kind::Rename);
		CPPUNIT_ASSERT_EQUAL(std::string("An"), entry.message.nick);
		CPPUNIT_ASSERT_EQUAL(std::string("Ân"), entry.newNick);
		CPPUNIT_ASSERT_EQUAL(std::string("lobby"), entry.room);
		CPPUNIT_ASSERT_EQUAL(std::string("a"), entry.instance);
		entry = FeedEntry::parse({{"t", "y"}, {"r", "lobby"}, {"i", "b"}, {"nick", "Chi"}});
		CPPUNIT_ASSERT(entry.kind == FeedEntry::Kind::Typing);
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), entry.message.nick);
		CPPUNIT_ASSERT_EQUAL(std::string("b"), entry.instance);
	}

	void testSync()
	{
		auto entry = FeedEntry::parse({{"t", "s"}, {"r", "lobby"}, {"i", "a"}, {"nicks", "An\nBình\nguest-4711"}});
		CPPUNIT_ASSERT(entry.kind == FeedEntry::Kind::Sync);
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Bình", "guest-4711"}) == entry.nicks);
		// An instance with no members left in the room.
		entry = FeedEntry::parse({{"t", "s"}, {"r", "lobby"}, {"i", "a"}, {"nicks", ""}});
		CPPUNIT_ASSERT(entry.kind == FeedEntry::Kind::Sync);
		CPPUNIT_ASSERT(entry.nicks.empty());
	}

	void testIncompleteOrUnknownEntries()
	{
		const Fields message = {{"t", "m"}, {"r", "x"}, {"i", "a"}, {"e", "e"}, {"id", "1"}, {"nick", "n"}, {"text", "t"}, {"ts", "1"}};
		CPPUNIT_ASSERT(FeedEntry::parse(message).kind == FeedEntry::Kind::Message);
		// Without any one field, or with a bad number, it is not a message.
		for (std::size_t skip = 0; skip < message.size(); ++skip)
		{
			Fields partial = message;
			partial.erase(partial.begin() + static_cast<std::ptrdiff_t>(skip));
			CPPUNIT_ASSERT_MESSAGE(std::string(message[skip].first), FeedEntry::parse(partial).kind == FeedEntry::Kind::Unknown);
		}
		for (const char* id : {"0", "-1", "x", "", "18446744073709551616"})
		{
			Fields bad = message;
			bad[4].second = id;
			CPPUNIT_ASSERT_MESSAGE(id, FeedEntry::parse(bad).kind == FeedEntry::Kind::Unknown);
		}
		Fields badTs = message;
		badTs[7].second = "soon";
		CPPUNIT_ASSERT(FeedEntry::parse(badTs).kind == FeedEntry::Kind::Unknown);
		// Kinds a newer version may add, and presence without its nick.
		CPPUNIT_ASSERT(FeedEntry::parse({{"t", "z"}, {"r", "x"}, {"i", "a"}}).kind == FeedEntry::Kind::Unknown);
		CPPUNIT_ASSERT(FeedEntry::parse({{"t", "mm"}, {"r", "x"}, {"i", "a"}}).kind == FeedEntry::Kind::Unknown);
		CPPUNIT_ASSERT(FeedEntry::parse({{"t", "j"}, {"r", "x"}, {"i", "a"}}).kind == FeedEntry::Kind::Unknown);
		CPPUNIT_ASSERT(FeedEntry::parse({{"t", "y"}, {"r", "x"}, {"i", "a"}}).kind == FeedEntry::Kind::Unknown);
		CPPUNIT_ASSERT(FeedEntry::parse({{"t", "yy"}, {"r", "x"}, {"i", "a"}, {"nick", "n"}}).kind == FeedEntry::Kind::Unknown);
		CPPUNIT_ASSERT(FeedEntry::parse({{"t", "n"}, {"r", "x"}, {"i", "a"}, {"nick", "n"}}).kind == FeedEntry::Kind::Unknown);
		CPPUNIT_ASSERT(FeedEntry::parse({{"t", "s"}, {"r", "x"}, {"i", "a"}}).kind == FeedEntry::Kind::Unknown);
		CPPUNIT_ASSERT(FeedEntry::parse({}).kind == FeedEntry::Kind::Unknown);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(FeedEntryTest);
