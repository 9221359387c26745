// RoomState: members (by key, shown as typed), ids, the history ring and
// resuming.
#include "RoomState.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::Name;
using webchat::chatroom::NameRules;
using webchat::chatroom::RoomState;
using Join = webchat::chatroom::RoomState::Join;
using Rename = webchat::chatroom::RoomState::Rename;

namespace {

Name name(const std::string& typed)
{
	return Name::of(typed);
}

std::string key(const std::string& typed)
{
	return NameRules::comparisonKey(typed);
}

// The members as shown, in the order they joined.
std::vector<std::string> shown(const RoomState& state)
{
	std::vector<std::string> nicks;
	for (const auto& member : state.members()) nicks.push_back(member.shown);
	return nicks;
}

RoomState::Limits limits(std::size_t historySize, std::size_t maxUsers = 1000, std::size_t historyBytes = 1 << 20)
{
	RoomState::Limits l;
	l.historySize = historySize;
	l.maxUsers = maxUsers;
	l.historyBytes = historyBytes;
	return l;
}

// Appends count messages whose JSON is "m<id>".
void post(RoomState& state, int count)
{
	for (int i = 0; i < count; ++i) state.append("m" + std::to_string(state.nextId()));
}

// The ids of the history entries a resume selects, from their JSON.
std::vector<std::uint64_t> resumedIds(const RoomState& state, const RoomState::Resume& resume)
{
	std::vector<std::uint64_t> ids;
	for (std::size_t i = resume.first; i < state.historyCount(); ++i)
	{
		CPPUNIT_ASSERT_EQUAL("m" + std::to_string(state.historyId(i)), state.historyJson(i));
		ids.push_back(state.historyId(i));
	}
	return ids;
}

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to)
{
	std::vector<std::uint64_t> ids;
	for (std::uint64_t id = from; id <= to; ++id) ids.push_back(id);
	return ids;
}

} // namespace

class RoomStateTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RoomStateTest);
	CPPUNIT_TEST(testJoinAndLeaveInOrder);
	CPPUNIT_TEST(testNicksAreUnique);
	CPPUNIT_TEST(testSpellingsOfOneNickAreOneMember);
	CPPUNIT_TEST(testMembersAreShownInDisplayForm);
	CPPUNIT_TEST(testRenameToAnotherSpellingOfItsOwnNick);
	CPPUNIT_TEST(testRoomFull);
	CPPUNIT_TEST(testRename);
	CPPUNIT_TEST(testGuestNicks);
	CPPUNIT_TEST(testIdsIncreaseByOne);
	CPPUNIT_TEST(testHistoryCapAndOrder);
	CPPUNIT_TEST(testHistoryBytesBound);
	CPPUNIT_TEST(testSpareEntryIsTheOldestsBuffer);
	CPPUNIT_TEST(testNoHistory);
	CPPUNIT_TEST(testResumeWithoutSince);
	CPPUNIT_TEST(testResumeInsideHistory);
	CPPUNIT_TEST(testResumeAtLastIdIsEmpty);
	CPPUNIT_TEST(testResumeBeforeHistoryIsGap);
	CPPUNIT_TEST(testResumeBeyondLastIsReset);
	CPPUNIT_TEST(testResumeInEmptyRoom);
	CPPUNIT_TEST(testResumeWithAnotherEpochIsReset);
	CPPUNIT_TEST(testRestoreContinuesIds);
	CPPUNIT_TEST(testRestoreAppliesTheBounds);
	CPPUNIT_TEST(testRemoteMembersBypassTheLimit);
	CPPUNIT_TEST_SUITE_END();

public:
	void testJoinAndLeaveInOrder()
	{
		RoomState state(limits(10));
		CPPUNIT_ASSERT(state.join(name("An")) == Join::Joined);
		CPPUNIT_ASSERT(state.join(name("Bình")) == Join::Joined);
		CPPUNIT_ASSERT(state.join(name("Chi")) == Join::Joined);
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Bình", "Chi"}) == shown(state));
		CPPUNIT_ASSERT(state.leave(key("Bình")));
		CPPUNIT_ASSERT(!state.leave(key("Bình")));
		CPPUNIT_ASSERT(!state.leave(key("nobody")));
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Chi"}) == shown(state));
		CPPUNIT_ASSERT(state.hasMember(key("An")));
		CPPUNIT_ASSERT(!state.hasMember(key("Bình")));
	}

	void testNicksAreUnique()
	{
		RoomState state(limits(10));
		CPPUNIT_ASSERT(state.join(name("An")) == Join::Joined);
		CPPUNIT_ASSERT(state.join(name("An")) == Join::NickTaken);
		// Another spelling of the same key is the same nick; other
		// diacritics make another nick.
		CPPUNIT_ASSERT(state.join(name("Ân")) == Join::Joined);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), state.members().size());
		// Free again once its holder left.
		state.leave(key("An"));
		CPPUNIT_ASSERT(state.join(name("An")) == Join::Joined);
	}

	void testSpellingsOfOneNickAreOneMember()
	{
		RoomState state(limits(10));
		CPPUNIT_ASSERT(state.join(name("alice")) == Join::Joined);
		// Case, fullwidth forms and a Cyrillic а are all alice.
		for (const char* other : {"Alice", "ALICE", "\uFF41\uFF4C\uFF49\uFF43\uFF45", "\u0430lice"})
			CPPUNIT_ASSERT_MESSAGE(other, state.join(name(other)) == Join::NickTaken);
		CPPUNIT_ASSERT(!state.addRemote(name("ALICE")));
		// Found by the key of any spelling; shown as she joined.
		CPPUNIT_ASSERT(state.hasMember(key("ALICE")));
		CPPUNIT_ASSERT_EQUAL(std::string("alice"), state.shownAs(key("Alice")));
		CPPUNIT_ASSERT_EQUAL(std::string(), state.shownAs(key("bob")));
		CPPUNIT_ASSERT(state.leave(key("Alice")));
		CPPUNIT_ASSERT(state.members().empty());
	}

	void testMembersAreShownInDisplayForm()
	{
		RoomState state(limits(10));
		// e and a combining acute: shown composed, one nick with the
		// composed spelling.
		CPPUNIT_ASSERT(state.join(name("Rene\u0301")) == Join::Joined);
		CPPUNIT_ASSERT((std::vector<std::string>{"Ren\u00e9"}) == shown(state));
		CPPUNIT_ASSERT(state.join(name("Ren\u00e9")) == Join::NickTaken);
	}

	void testRoomFull()
	{
		RoomState state(limits(10, 2));
		CPPUNIT_ASSERT(state.join(name("a")) == Join::Joined);
		CPPUNIT_ASSERT(state.join(name("b")) == Join::Joined);
		CPPUNIT_ASSERT(state.join(name("c")) == Join::Full);
		CPPUNIT_ASSERT(state.join(name("a")) == Join::NickTaken);
		state.leave(key("a"));
		CPPUNIT_ASSERT(state.join(name("c")) == Join::Joined);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), state.members().size());
	}

	void testRemoteMembersBypassTheLimit()
	{
		// Another instance admitted them: counted, never refused here.
		RoomState state(limits(10, 2));
		CPPUNIT_ASSERT(state.join(name("a")) == Join::Joined);
		CPPUNIT_ASSERT(state.addRemote(name("b")));
		CPPUNIT_ASSERT(state.addRemote(name("c")));
		CPPUNIT_ASSERT(!state.addRemote(name("a")));
		CPPUNIT_ASSERT((std::vector<std::string>{"a", "b", "c"}) == shown(state));
		CPPUNIT_ASSERT(state.join(name("d")) == Join::Full);
		CPPUNIT_ASSERT(state.join(name("b")) == Join::NickTaken);
		CPPUNIT_ASSERT(state.leave(key("b")));
		CPPUNIT_ASSERT(state.join(name("b")) == Join::Full);
		CPPUNIT_ASSERT(state.leave(key("c")));
		CPPUNIT_ASSERT(state.join(name("b")) == Join::Joined);
	}

	void testRename()
	{
		RoomState state(limits(10));
		state.join(name("An"));
		state.join(name("Bình"));
		CPPUNIT_ASSERT(state.rename(key("An"), name("An Nguyễn")) == Rename::Renamed);
		CPPUNIT_ASSERT((std::vector<std::string>{"An Nguyễn", "Bình"}) == shown(state));
		CPPUNIT_ASSERT(state.rename(key("An Nguyễn"), name("Bình")) == Rename::Taken);
		// Another member's nick in another spelling is taken too.
		CPPUNIT_ASSERT(state.rename(key("An Nguyễn"), name("BÌNH")) == Rename::Taken);
		CPPUNIT_ASSERT(state.rename(key("Bình"), name("Bình")) == Rename::Unchanged);
		CPPUNIT_ASSERT(state.rename(key("An"), name("x")) == Rename::NotMember);
		// The old nick is free for others.
		CPPUNIT_ASSERT(state.join(name("An")) == Join::Joined);
	}

	void testRenameToAnotherSpellingOfItsOwnNick()
	{
		RoomState state(limits(10));
		state.join(name("alice"));
		// A change of how it is shown, not another nick: allowed.
		CPPUNIT_ASSERT(state.rename(key("alice"), name("Alice")) == Rename::Renamed);
		CPPUNIT_ASSERT((std::vector<std::string>{"Alice"}) == shown(state));
		CPPUNIT_ASSERT(state.rename(key("alice"), name("Alice")) == Rename::Unchanged);
		CPPUNIT_ASSERT(state.join(name("alice")) == Join::NickTaken);
	}

	void testGuestNicks()
	{
		RoomState state(limits(10));
		state.join(name("guest-2"));
		const Name first = state.guestNick();
		CPPUNIT_ASSERT_EQUAL(std::string("guest-1"), first.shown);
		CPPUNIT_ASSERT_EQUAL(key("guest-1"), first.key);
		state.join(first);
		// guest-2 is taken by someone who chose it.
		CPPUNIT_ASSERT_EQUAL(std::string("guest-3"), state.guestNick().shown);
		// ...in any spelling.
		state.join(name("GUEST-4"));
		CPPUNIT_ASSERT_EQUAL(std::string("guest-5"), state.guestNick().shown);
		state.join(name("guest-5"));
		// A guest that left is not reused at once.
		state.leave(key("guest-1"));
		CPPUNIT_ASSERT_EQUAL(std::string("guest-6"), state.guestNick().shown);
		for (const auto& nick : shown(state)) CPPUNIT_ASSERT(nick != "guest-6");
	}

	void testIdsIncreaseByOne()
	{
		RoomState state(limits(3));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), state.lastId());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), state.nextId());
		for (std::uint64_t id = 1; id <= 50; ++id)
		{
			CPPUNIT_ASSERT_EQUAL(id, state.nextId());
			state.append("m" + std::to_string(id));
			CPPUNIT_ASSERT_EQUAL(id, state.lastId());
		}
	}

	void testHistoryCapAndOrder()
	{
		RoomState state(limits(5));
		post(state, 3);
		CPPUNIT_ASSERT(range(1, 3) == resumedIds(state, state.resume(std::nullopt)));
		post(state, 9);
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), state.historyCount());
		CPPUNIT_ASSERT(range(8, 12) == resumedIds(state, state.resume(std::nullopt)));
		CPPUNIT_ASSERT_EQUAL(std::string("m8m9m10m11m12").size(), state.historyBytes());
	}

	// A full history lends its oldest entry's buffer to the next message:
	// the entry is gone at once, and the history after append() is what
	// append() alone would have left.
	void testSpareEntryIsTheOldestsBuffer()
	{
		RoomState state(limits(3));
		post(state, 2);
		// Not full: a new buffer, nothing dropped.
		state.spareEntry(16);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), state.historyCount());
		post(state, 1);
		std::string oldest = std::string("m1") + std::string(40, ' ');
		state.tombstone(1, oldest);
		const char* buffer = state.historyJson(0).data();
		std::string spare = state.spareEntry(40);
		CPPUNIT_ASSERT(spare.empty());
		CPPUNIT_ASSERT(spare.data() == buffer);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), state.historyCount());
		CPPUNIT_ASSERT_EQUAL(std::string("m2m3").size(), state.historyBytes());
		spare = "m" + std::to_string(state.nextId());
		state.append(std::move(spare));
		CPPUNIT_ASSERT(range(2, 4) == resumedIds(state, state.resume(std::nullopt)));
		// A buffer of more than twice the size asked for is not lent.
		state.tombstone(2, std::string(200, 'x'));
		CPPUNIT_ASSERT(state.spareEntry(16).capacity() < 200);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), state.historyCount());
	}

	void testHistoryBytesBound()
	{
		RoomState state(limits(100, 1000, 100));
		for (int i = 0; i < 30; ++i) state.append(std::string(30, 'x'));
		// 30-byte messages, 100 bytes: the newest three.
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), state.historyCount());
		CPPUNIT_ASSERT_EQUAL(std::size_t(90), state.historyBytes());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(28), state.historyId(0));
		// A message larger than the bound is not kept, and takes the others with it.
		state.append(std::string(101, 'y'));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), state.historyCount());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), state.historyBytes());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(31), state.lastId());
		state.append(std::string(10, 'z'));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), state.historyCount());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(32), state.historyId(0));
		const auto resume = state.resume(std::uint64_t(27));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(28), resume.gapFrom);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(31), resume.gapTo);
	}

	void testNoHistory()
	{
		RoomState state(limits(0));
		post(state, 4);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), state.lastId());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), state.historyCount());
		const auto resume = state.resume(std::uint64_t(1));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), resume.gapFrom);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), resume.gapTo);
		CPPUNIT_ASSERT(state.resume(std::uint64_t(4)).gapFrom == 0);
	}

	void testResumeWithoutSince()
	{
		RoomState state(limits(5));
		post(state, 20);
		const auto resume = state.resume(std::nullopt);
		CPPUNIT_ASSERT(range(16, 20) == resumedIds(state, resume));
		// No gap is reported to a client that did not ask for anything.
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), resume.gapFrom);
		CPPUNIT_ASSERT(!resume.reset);
	}

	void testResumeInsideHistory()
	{
		RoomState state(limits(5));
		post(state, 20);
		for (std::uint64_t since = 15; since < 20; ++since)
		{
			const auto resume = state.resume(since);
			CPPUNIT_ASSERT(range(since + 1, 20) == resumedIds(state, resume));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), resume.gapFrom);
			CPPUNIT_ASSERT(!resume.reset);
		}
	}

	void testResumeAtLastIdIsEmpty()
	{
		RoomState state(limits(5));
		post(state, 20);
		const auto resume = state.resume(std::uint64_t(20));
		CPPUNIT_ASSERT(resumedIds(state, resume).empty());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), resume.gapFrom);
		CPPUNIT_ASSERT(!resume.reset);
	}

	void testResumeBeforeHistoryIsGap()
	{
		RoomState state(limits(5));
		post(state, 20);
		auto resume = state.resume(std::uint64_t(3));
		CPPUNIT_ASSERT(range(16, 20) == resumedIds(state, resume));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), resume.gapFrom);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(15), resume.gapTo);
		CPPUNIT_ASSERT(!resume.reset);
		resume = state.resume(std::uint64_t(0));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), resume.gapFrom);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(15), resume.gapTo);
		// Just one lost.
		resume = state.resume(std::uint64_t(14));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(15), resume.gapFrom);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(15), resume.gapTo);
		CPPUNIT_ASSERT(range(16, 20) == resumedIds(state, resume));
		// since=0 on a room whose history starts at 1: nothing lost.
		RoomState young(limits(5));
		post(young, 3);
		resume = young.resume(std::uint64_t(0));
		CPPUNIT_ASSERT(range(1, 3) == resumedIds(young, resume));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), resume.gapFrom);
	}

	void testResumeBeyondLastIsReset()
	{
		RoomState state(limits(5));
		post(state, 7);
		const auto resume = state.resume(std::uint64_t(8));
		CPPUNIT_ASSERT(resume.reset);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), resume.gapFrom);
		// The client starts over: all the history there is.
		CPPUNIT_ASSERT(range(3, 7) == resumedIds(state, resume));
		CPPUNIT_ASSERT(state.resume(std::uint64_t(1000000)).reset);
	}

	void testResumeInEmptyRoom()
	{
		RoomState state(limits(5));
		CPPUNIT_ASSERT(state.resume(std::uint64_t(3)).reset);
		const auto resume = state.resume(std::uint64_t(0));
		CPPUNIT_ASSERT(!resume.reset);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), resume.gapFrom);
		CPPUNIT_ASSERT(resumedIds(state, resume).empty());
	}

	void testResumeWithAnotherEpochIsReset()
	{
		RoomState state(limits(5));
		state.restore("e2", 0, {});
		CPPUNIT_ASSERT_EQUAL(std::string("e2"), state.epoch());
		post(state, 7);
		// Ids the room has, from another incarnation of it: reset, all of it.
		auto resume = state.resume(std::uint64_t(4), std::string("e1"));
		CPPUNIT_ASSERT(resume.reset);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), resume.gapFrom);
		CPPUNIT_ASSERT(range(3, 7) == resumedIds(state, resume));
		// The room's own epoch: a normal resume.
		resume = state.resume(std::uint64_t(4), std::string("e2"));
		CPPUNIT_ASSERT(!resume.reset);
		CPPUNIT_ASSERT(range(5, 7) == resumedIds(state, resume));
		// No epoch (an older client): ids alone decide, as before.
		CPPUNIT_ASSERT(!state.resume(std::uint64_t(4)).reset);
		CPPUNIT_ASSERT(state.resume(std::uint64_t(8)).reset);
		// An epoch without since asks for nothing.
		CPPUNIT_ASSERT(!state.resume(std::nullopt, std::string("e1")).reset);
	}

	void testRestoreContinuesIds()
	{
		RoomState state(limits(5));
		state.restore("e", 41, {"m39", "m40", "m41"});
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(41), state.lastId());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), state.nextId());
		CPPUNIT_ASSERT(range(39, 41) == resumedIds(state, state.resume(std::nullopt)));
		post(state, 3);
		CPPUNIT_ASSERT(range(40, 44) == resumedIds(state, state.resume(std::nullopt)));
		// Resuming inside what was restored, and before it (a gap).
		CPPUNIT_ASSERT(range(41, 44) == resumedIds(state, state.resume(std::uint64_t(40))));
		const auto resume = state.resume(std::uint64_t(10));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(11), resume.gapFrom);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(39), resume.gapTo);

		// A room whose history was all deleted (retention by age) keeps its ids.
		RoomState empty(limits(5));
		empty.restore("e", 41, {});
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), empty.nextId());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), empty.historyCount());
	}

	void testRestoreAppliesTheBounds()
	{
		// history_size 3: the oldest of five go.
		RoomState state(limits(3));
		state.restore("e", 5, {"m1", "m2", "m3", "m4", "m5"});
		CPPUNIT_ASSERT(range(3, 5) == resumedIds(state, state.resume(std::nullopt)));
		// history_bytes 8: as many of the newest as fit.
		RoomState small(limits(10, 1000, 8));
		small.restore("e", 12, {"m10", "m11", "m12"});
		CPPUNIT_ASSERT(range(11, 12) == resumedIds(small, small.resume(std::nullopt)));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(12), small.lastId());
		// No history kept at all (history_size 0): the ids still continue.
		RoomState none(limits(0));
		none.restore("e", 9, {});
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), none.nextId());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RoomStateTest);
