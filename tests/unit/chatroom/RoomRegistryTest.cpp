// RoomRegistry: rooms by the key of their name, at most max_rooms, empty
// ones kept until their slot is needed (the longest empty first).
#include "RoomRegistry.h"

#include <chrono>
#include <thread>

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::Name;
using webchat::chatroom::NameRules;
using webchat::chatroom::RoomRegistry;

namespace {

struct FakeRoom
{
	explicit FakeRoom(std::string n): name(std::move(n)) {}
	std::string name;
	int messages = 0;
};

struct Registry
{
	explicit Registry(std::size_t maxRooms):
		rooms(maxRooms, [this](const Name& name) {
			++created;
			return std::make_shared<FakeRoom>(name.shown);
		})
	{
	}
	int created = 0;
	RoomRegistry<FakeRoom> rooms;
};

std::string key(const std::string& name)
{
	return NameRules::comparisonKey(name);
}

} // namespace

class RoomRegistryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RoomRegistryTest);
	CPPUNIT_TEST(testSameNameSameRoom);
	CPPUNIT_TEST(testSpellingsOfANameAreOneRoom);
	CPPUNIT_TEST(testEmptyRoomKeepsItsState);
	CPPUNIT_TEST(testFullWithoutEmptyRoomRefuses);
	CPPUNIT_TEST(testForgetsTheLongestEmptyRoom);
	CPPUNIT_TEST(testRoomInUseIsNeverForgotten);
	CPPUNIT_TEST(testForgetsRoomsEmptyForAWhile);
	CPPUNIT_TEST(testReleaseOfUnknownRoomIsHarmless);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSameNameSameRoom()
	{
		Registry r(10);
		const auto a = r.rooms.acquire(Name::of("a"));
		const auto again = r.rooms.acquire(Name::of("a"));
		const auto b = r.rooms.acquire(Name::of("b"));
		CPPUNIT_ASSERT(a == again);
		CPPUNIT_ASSERT(a != b);
		CPPUNIT_ASSERT_EQUAL(std::string("a"), a->name);
		CPPUNIT_ASSERT_EQUAL(2, r.created);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.rooms.size());
	}

	void testSpellingsOfANameAreOneRoom()
	{
		Registry r(10);
		const auto lobby = r.rooms.acquire(Name::of("Lobby"));
		for (const char* other : {"lobby", "LOBBY", "\uFF4C\uFF4F\uFF42\uFF42\uFF59", "l\u043Ebby"})
			CPPUNIT_ASSERT_MESSAGE(other, lobby == r.rooms.acquire(Name::of(other)));
		// Shown as its first acquire spelt it.
		CPPUNIT_ASSERT_EQUAL(std::string("Lobby"), lobby->name);
		CPPUNIT_ASSERT_EQUAL(1, r.created);
		CPPUNIT_ASSERT(lobby == r.rooms.find(key("LoBBy")));
		CPPUNIT_ASSERT(r.rooms.contains(key("lobby")));
		// A hold given back by the key of another spelling: the room is
		// empty, and the one forgotten when a slot is needed.
		Registry full(1);
		full.rooms.acquire(Name::of("Lobby"));
		full.rooms.release(key("LOBBY"));
		CPPUNIT_ASSERT(full.rooms.acquire(Name::of("other")));
		CPPUNIT_ASSERT(!full.rooms.contains(key("lobby")));
	}

	void testEmptyRoomKeepsItsState()
	{
		Registry r(10);
		r.rooms.acquire(Name::of("a"))->messages = 7;
		r.rooms.release(key("a"));
		CPPUNIT_ASSERT(r.rooms.contains(key("a")));
		CPPUNIT_ASSERT_EQUAL(7, r.rooms.acquire(Name::of("a"))->messages);
		CPPUNIT_ASSERT_EQUAL(1, r.created);
	}

	void testFullWithoutEmptyRoomRefuses()
	{
		Registry r(2);
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("a")));
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("b")));
		CPPUNIT_ASSERT(!r.rooms.acquire(Name::of("c")));
		// Existing rooms can still be joined.
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("a")));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.rooms.size());
	}

	void testForgetsTheLongestEmptyRoom()
	{
		Registry r(3);
		for (const char* name : {"a", "b", "c"}) r.rooms.acquire(Name::of(name))->messages = 1;
		r.rooms.release(key("b"));
		r.rooms.release(key("a"));
		r.rooms.release(key("c"));
		// Joining c again takes it off the empty list; b is the longest empty.
		r.rooms.acquire(Name::of("c"));
		r.rooms.release(key("c"));
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("d")));
		CPPUNIT_ASSERT(!r.rooms.contains(key("b")));
		CPPUNIT_ASSERT(r.rooms.contains(key("a")) && r.rooms.contains(key("c")));
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("e")));
		CPPUNIT_ASSERT(!r.rooms.contains(key("a")));
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("f")));
		CPPUNIT_ASSERT(!r.rooms.contains(key("c")));
		CPPUNIT_ASSERT(!r.rooms.acquire(Name::of("g")));
		// A forgotten room comes back new.
		r.rooms.release(key("d"));
		CPPUNIT_ASSERT_EQUAL(0, r.rooms.acquire(Name::of("b"))->messages);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), r.rooms.size());
	}

	void testRoomInUseIsNeverForgotten()
	{
		Registry r(1);
		r.rooms.acquire(Name::of("a"));
		r.rooms.acquire(Name::of("a"));
		r.rooms.release(key("a"));
		CPPUNIT_ASSERT(!r.rooms.acquire(Name::of("b"))); // a still has a holder
		r.rooms.release(key("a"));
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("b")));
		CPPUNIT_ASSERT(!r.rooms.contains(key("a")));
	}

	// backend = redis: rooms empty since before a cutoff are forgotten,
	// the oldest first; one emptied later, or held again, stays.
	void testForgetsRoomsEmptyForAWhile()
	{
		Registry r(10);
		for (const char* name : {"a", "b", "c", "d"}) r.rooms.acquire(Name::of(name))->messages = 1;
		r.rooms.release(key("a"));
		r.rooms.release(key("b"));
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
		const auto cutoff = std::chrono::steady_clock::now();
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
		r.rooms.release(key("c"));
		r.rooms.acquire(Name::of("b")); // a join under way
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.rooms.forgetEmptySince(cutoff - std::chrono::seconds(1)));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.rooms.forgetEmptySince(cutoff));
		CPPUNIT_ASSERT(!r.rooms.contains(key("a")));
		CPPUNIT_ASSERT(r.rooms.contains(key("b")) && r.rooms.contains(key("c")) && r.rooms.contains(key("d")));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.rooms.forgetEmptySince(std::chrono::steady_clock::now() + std::chrono::seconds(1)));
		CPPUNIT_ASSERT(!r.rooms.contains(key("c")));
		CPPUNIT_ASSERT(r.rooms.contains(key("b")) && r.rooms.contains(key("d")));
		// A forgotten room comes back new.
		CPPUNIT_ASSERT_EQUAL(0, r.rooms.acquire(Name::of("a"))->messages);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), r.rooms.size());
	}

	void testReleaseOfUnknownRoomIsHarmless()
	{
		Registry r(1);
		r.rooms.release(key("nothing"));
		r.rooms.acquire(Name::of("a"));
		r.rooms.release(key("a"));
		r.rooms.release(key("a")); // once too often: ignored
		CPPUNIT_ASSERT(r.rooms.acquire(Name::of("b")));
		r.rooms.clear();
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.rooms.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RoomRegistryTest);
