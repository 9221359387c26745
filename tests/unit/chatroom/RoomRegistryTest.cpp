// RoomRegistry: rooms by name, at most max_rooms, empty ones kept until
// their slot is needed (the longest empty first).
#include "RoomRegistry.h"

#include <cppunit/extensions/HelperMacros.h>

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
		rooms(maxRooms, [this](const std::string& name) {
			++created;
			return std::make_shared<FakeRoom>(name);
		})
	{
	}
	int created = 0;
	RoomRegistry<FakeRoom> rooms;
};

} // namespace

class RoomRegistryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RoomRegistryTest);
	CPPUNIT_TEST(testSameNameSameRoom);
	CPPUNIT_TEST(testEmptyRoomKeepsItsState);
	CPPUNIT_TEST(testFullWithoutEmptyRoomRefuses);
	CPPUNIT_TEST(testForgetsTheLongestEmptyRoom);
	CPPUNIT_TEST(testRoomInUseIsNeverForgotten);
	CPPUNIT_TEST(testReleaseOfUnknownRoomIsHarmless);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSameNameSameRoom()
	{
		Registry r(10);
		const auto a = r.rooms.acquire("a");
		const auto again = r.rooms.acquire("a");
		const auto b = r.rooms.acquire("b");
		CPPUNIT_ASSERT(a == again);
		CPPUNIT_ASSERT(a != b);
		CPPUNIT_ASSERT_EQUAL(std::string("a"), a->name);
		CPPUNIT_ASSERT_EQUAL(2, r.created);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.rooms.size());
	}

	void testEmptyRoomKeepsItsState()
	{
		Registry r(10);
		r.rooms.acquire("a")->messages = 7;
		r.rooms.release("a");
		CPPUNIT_ASSERT(r.rooms.contains("a"));
		CPPUNIT_ASSERT_EQUAL(7, r.rooms.acquire("a")->messages);
		CPPUNIT_ASSERT_EQUAL(1, r.created);
	}

	void testFullWithoutEmptyRoomRefuses()
	{
		Registry r(2);
		CPPUNIT_ASSERT(r.rooms.acquire("a"));
		CPPUNIT_ASSERT(r.rooms.acquire("b"));
		CPPUNIT_ASSERT(!r.rooms.acquire("c"));
		// Existing rooms can still be joined.
		CPPUNIT_ASSERT(r.rooms.acquire("a"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), r.rooms.size());
	}

	void testForgetsTheLongestEmptyRoom()
	{
		Registry r(3);
		for (const char* name : {"a", "b", "c"}) r.rooms.acquire(name)->messages = 1;
		r.rooms.release("b");
		r.rooms.release("a");
		r.rooms.release("c");
		// Joining c again takes it off the empty list; b is the longest empty.
		r.rooms.acquire("c");
		r.rooms.release("c");
		CPPUNIT_ASSERT(r.rooms.acquire("d"));
		CPPUNIT_ASSERT(!r.rooms.contains("b"));
		CPPUNIT_ASSERT(r.rooms.contains("a") && r.rooms.contains("c"));
		CPPUNIT_ASSERT(r.rooms.acquire("e"));
		CPPUNIT_ASSERT(!r.rooms.contains("a"));
		CPPUNIT_ASSERT(r.rooms.acquire("f"));
		CPPUNIT_ASSERT(!r.rooms.contains("c"));
		CPPUNIT_ASSERT(!r.rooms.acquire("g"));
		// A forgotten room comes back new.
		r.rooms.release("d");
		CPPUNIT_ASSERT_EQUAL(0, r.rooms.acquire("b")->messages);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), r.rooms.size());
	}

	void testRoomInUseIsNeverForgotten()
	{
		Registry r(1);
		r.rooms.acquire("a");
		r.rooms.acquire("a");
		r.rooms.release("a");
		CPPUNIT_ASSERT(!r.rooms.acquire("b")); // a still has a holder
		r.rooms.release("a");
		CPPUNIT_ASSERT(r.rooms.acquire("b"));
		CPPUNIT_ASSERT(!r.rooms.contains("a"));
	}

	void testReleaseOfUnknownRoomIsHarmless()
	{
		Registry r(1);
		r.rooms.release("nothing");
		r.rooms.acquire("a");
		r.rooms.release("a");
		r.rooms.release("a"); // once too often: ignored
		CPPUNIT_ASSERT(r.rooms.acquire("b"));
		r.rooms.clear();
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), r.rooms.size());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RoomRegistryTest);
