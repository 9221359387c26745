// Moderation: bans, mutes and slow mode against a settable clock
// (ModerationState, Moderation with its audit log), the moderators'
// commands as ClientCommand parses them (bad values included), tombstones
// and topics in RoomState and ServerEvents, and moderation kept by SQLite
// (bans, mutes, rules and a deleted message's text gone from the file).
#include "ClientCommand.h"
#include "Moderation.h"
#include "ModerationSqlite.h"
#include "ModerationState.h"
#include "ModerationTargets.h"
#include "RoomState.h"
#include "ServerEvents.h"
#include "SqliteHistoryStore.h"

#include "LogRecorder.h"
#include "TempFiles.h"

#include "Poco/AutoPtr.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <iterator>
#include <stdexcept>

using namespace webchat::chatroom;
using webchat::test::LogRecorder;
using Kind = ClientCommand::Kind;

namespace {

constexpr std::int64_t Start = 1764145000000;

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

Ban nickBan(const std::string& room, const std::string& nickKey, const std::string& holder = {})
{
	Ban ban;
	ban.room = room;
	ban.nick = nickKey;
	ban.nickKey = nickKey;
	ban.holder = holder;
	return ban;
}

Poco::JSON::Object::Ptr parse(const std::string& json)
{
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

// A store whose writes all fail, and that numbers bans from 100.
class FailingStore final: public ModerationStore
{
public:
	Records load() override { return {}; }
	std::uint64_t addBan(const Ban&) override { throw std::runtime_error("disk on fire"); }
	void removeBan(std::uint64_t) override { throw std::runtime_error("disk on fire"); }
	void updateBan(const Ban&) override { throw std::runtime_error("disk on fire"); }
	void saveMute(const Mute&) override { throw std::runtime_error("disk on fire"); }
	void removeMute(const std::string&, const std::string&) override { throw std::runtime_error("disk on fire"); }
	void saveRules(const std::string&, const RoomRules&) override { throw std::runtime_error("disk on fire"); }
};

// Counts its loads; the first `failures` of them throw.
class CountingStore final: public ModerationStore
{
public:
	explicit CountingStore(int failures): _failures(failures) {}

	Records load() override
	{
		++loads;
		if (loads <= _failures) throw std::runtime_error("backend away");
		Records records;
		Ban ban = nickBan("lobby", "alice");
		ban.id = 7;
		records.bans.push_back(ban);
		return records;
	}
	std::uint64_t addBan(const Ban&) override { return 1; }
	void removeBan(std::uint64_t) override {}
	void updateBan(const Ban&) override {}
	void saveMute(const Mute&) override {}
	void removeMute(const std::string&, const std::string&) override {}
	void saveRules(const std::string&, const RoomRules&) override {}

	int loads = 0;

private:
	const int _failures;
};

// Numbers bans from 1 and keeps what updateBan() was given.
class UpdateRecordingStore final: public ModerationStore
{
public:
	Records load() override { return {}; }
	std::uint64_t addBan(const Ban&) override { return ++_lastId; }
	void removeBan(std::uint64_t) override {}
	void updateBan(const Ban& ban) override { updated.push_back(ban); }
	void saveMute(const Mute& mute) override { savedMutes.push_back(mute); }
	void removeMute(const std::string&, const std::string&) override {}
	void saveRules(const std::string&, const RoomRules&) override {}

	std::vector<Ban> updated;
	std::vector<Mute> savedMutes;

private:
	std::uint64_t _lastId = 0;
};

} // namespace

class ModerationStateTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ModerationStateTest);
	CPPUNIT_TEST(testBanByNickHoldsTheNickAndItsHolder);
	CPPUNIT_TEST(testBanByAddressHoldsOnlyTheAddress);
	CPPUNIT_TEST(testRoomBanAndBanOfEveryRoom);
	CPPUNIT_TEST(testBansEndWithTheirTime);
	CPPUNIT_TEST(testTheBanThatEndsLastIsReported);
	CPPUNIT_TEST(testUnbanByNickLiftsOnlyThatRoomsBans);
	CPPUNIT_TEST(testMuteLastsItsTime);
	CPPUNIT_TEST(testSlowmodeOneMessagePerInterval);
	CPPUNIT_TEST(testTopic);
	CPPUNIT_TEST(testPruneForgetsWhatEnded);
	CPPUNIT_TEST(testSecondsRoundUp);
	CPPUNIT_TEST_SUITE_END();

public:
	void testBanByNickHoldsTheNickAndItsHolder()
	{
		ModerationState state;
		Ban ban = nickBan("lobby", "alice", "from-alice");
		ban.id = 1;
		state.addBan(ban);
		CPPUNIT_ASSERT(state.banOf("lobby", {"alice", "", "10.0.0.1"}, Start));
		// The same person under another nick.
		CPPUNIT_ASSERT(state.banOf("lobby", {"bob", "from-alice", "10.0.0.1"}, Start));
		// Someone else from the same address: not an address ban.
		CPPUNIT_ASSERT(!state.banOf("lobby", {"bob", "from-bob", "10.0.0.1"}, Start));
	}

	void testBanByAddressHoldsOnlyTheAddress()
	{
		ModerationState state;
		Ban ban;
		ban.id = 1;
		ban.room = "lobby";
		ban.address = "10.0.0.9";
		state.addBan(ban);
		CPPUNIT_ASSERT(state.banOf("lobby", {"anyone", "from-x", "10.0.0.9"}, Start));
		CPPUNIT_ASSERT(!state.banOf("lobby", {"anyone", "from-x", "10.0.0.8"}, Start));
		CPPUNIT_ASSERT(!state.banOf("lobby", {"", "", "10.0.0.8"}, Start));
	}

	void testRoomBanAndBanOfEveryRoom()
	{
		ModerationState state;
		Ban room = nickBan("lobby", "alice");
		room.id = 1;
		state.addBan(room);
		CPPUNIT_ASSERT(state.banOf("lobby", {"alice", "", ""}, Start));
		CPPUNIT_ASSERT(!state.banOf("kitchen", {"alice", "", ""}, Start));
		Ban everywhere = nickBan("", "mallory");
		everywhere.id = 2;
		state.addBan(everywhere);
		CPPUNIT_ASSERT(state.banOf("lobby", {"mallory", "", ""}, Start));
		CPPUNIT_ASSERT(state.banOf("kitchen", {"mallory", "", ""}, Start));
	}

	void testBansEndWithTheirTime()
	{
		ModerationState state;
		Ban ban = nickBan("lobby", "alice");
		ban.id = 1;
		ban.untilMs = Start + 60000;
		state.addBan(ban);
		CPPUNIT_ASSERT(state.banOf("lobby", {"alice", "", ""}, Start + 59999));
		CPPUNIT_ASSERT(!state.banOf("lobby", {"alice", "", ""}, Start + 60000));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), state.bans(Start).size());
		CPPUNIT_ASSERT(state.bans(Start + 60000).empty());
	}

	void testTheBanThatEndsLastIsReported()
	{
		ModerationState state;
		Ban shortBan = nickBan("lobby", "alice");
		shortBan.id = 1;
		shortBan.untilMs = Start + 1000;
		Ban longBan = nickBan("", "alice");
		longBan.id = 2;
		longBan.untilMs = Start + 9000;
		state.addBan(shortBan);
		state.addBan(longBan);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), state.banOf("lobby", {"alice", "", ""}, Start)->id);
		Ban permanent = nickBan("lobby", "alice");
		permanent.id = 3;
		state.addBan(permanent);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), state.banOf("lobby", {"alice", "", ""}, Start)->id);
	}

	void testUnbanByNickLiftsOnlyThatRoomsBans()
	{
		ModerationState state;
		Ban lobby = nickBan("lobby", "alice");
		lobby.id = 1;
		Ban everywhere = nickBan("", "alice");
		everywhere.id = 2;
		state.addBan(lobby);
		state.addBan(everywhere);
		const auto matching = state.bansMatching("lobby", "alice", "", Start);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), matching.size());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), matching.front().id);
		CPPUNIT_ASSERT(state.removeBan(1));
		CPPUNIT_ASSERT(!state.removeBan(1));
		// The ban of every room still holds.
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), state.banOf("lobby", {"alice", "", ""}, Start)->id);
	}

	void testMuteLastsItsTime()
	{
		ModerationState state;
		state.mute(Mute{"lobby", "Alice", "alice", "from-alice", Start + 30000, "mod"});
		CPPUNIT_ASSERT_EQUAL(std::int64_t(30000), state.mutedFor("lobby", {"alice", "", ""}, Start));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(20000), state.mutedFor("lobby", {"alice2", "from-alice", ""}, Start + 10000));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.mutedFor("kitchen", {"alice", "", ""}, Start));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.mutedFor("lobby", {"alice", "", ""}, Start + 30000));
		// A new mute of the same nick replaces it; unmute lifts it.
		state.mute(Mute{"lobby", "Alice", "alice", "", Start + 5000, "mod"});
		CPPUNIT_ASSERT_EQUAL(std::int64_t(5000), state.mutedFor("lobby", {"alice", "", ""}, Start));
		CPPUNIT_ASSERT(state.unmute("lobby", "alice"));
		CPPUNIT_ASSERT(!state.unmute("lobby", "alice"));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.mutedFor("lobby", {"alice", "", ""}, Start));
	}

	void testSlowmodeOneMessagePerInterval()
	{
		ModerationState state;
		const Subject an{"an", "from-an", ""};
		const Subject binh{"binh", "from-binh", ""};
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.takeTurn("lobby", an, Start));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.takeTurn("lobby", an, Start + 1));
		state.setSlowmode("lobby", 10);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.takeTurn("lobby", an, Start));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(6000), state.takeTurn("lobby", an, Start + 4000));
		// Per user, per room.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.takeTurn("lobby", binh, Start + 4000));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.takeTurn("kitchen", an, Start + 4000));
		// The same person renamed is the same speaker.
		CPPUNIT_ASSERT(state.takeTurn("lobby", {"an2", "from-an", ""}, Start + 5000) > 0);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.takeTurn("lobby", an, Start + 10000));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(10000), state.takeTurn("lobby", an, Start + 10000));
		state.setSlowmode("lobby", 0);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), state.takeTurn("lobby", an, Start + 10001));
		CPPUNIT_ASSERT(!state.rules("lobby"));
	}

	void testTopic()
	{
		ModerationState state;
		state.setTopic("lobby", "Be kind", "mod");
		CPPUNIT_ASSERT_EQUAL(std::string("Be kind"), state.rules("lobby")->topic);
		CPPUNIT_ASSERT_EQUAL(std::string("mod"), state.rules("lobby")->topicBy);
		state.setSlowmode("lobby", 5);
		state.setTopic("lobby", "", "mod");
		CPPUNIT_ASSERT_EQUAL(std::string(), state.rules("lobby")->topic);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(5), state.rules("lobby")->slowmodeSeconds);
		state.setSlowmode("lobby", 0);
		CPPUNIT_ASSERT(!state.rules("lobby"));
	}

	void testPruneForgetsWhatEnded()
	{
		ModerationState state;
		Ban ends = nickBan("lobby", "alice");
		ends.id = 1;
		ends.untilMs = Start + 1000;
		Ban permanent = nickBan("lobby", "bob");
		permanent.id = 2;
		state.addBan(ends);
		state.addBan(permanent);
		state.mute(Mute{"lobby", "carol", "carol", "", Start + 1000, "mod"});
		state.prune(Start + 1000);
		CPPUNIT_ASSERT(!state.removeBan(1));
		CPPUNIT_ASSERT(state.removeBan(2));
		CPPUNIT_ASSERT(state.mutes(0).empty());
	}

	void testSecondsRoundUp()
	{
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), ModerationState::secondsOf(1));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1), ModerationState::secondsOf(1000));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(2), ModerationState::secondsOf(1001));
	}
};

class ModerationAuditTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ModerationAuditTest);
	CPPUNIT_TEST(testEveryActionIsOneAuditLine);
	CPPUNIT_TEST(testMessageRulesExistOnlyWithMutesOrSlowmode);
	CPPUNIT_TEST(testBansEndOnTheClock);
	CPPUNIT_TEST(testAStoreThatFailsIsLoggedAndTheActionHolds);
	CPPUNIT_TEST(testTargetsFollowRenamesAndBans);
	CPPUNIT_TEST(testOthersInARoom);
	CPPUNIT_TEST(testLoadedOnce);
	CPPUNIT_TEST(testAFailedLoadIsLoggedAndNotRetriedAtOnce);
	CPPUNIT_TEST(testABanOrMuteLearnsItsHolderOnce);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_audit = new LogRecorder;
		_log = new LogRecorder;
		Poco::Logger::get("test.moderation.audit").setChannel(_audit);
		Poco::Logger::get("test.moderation").setChannel(_log);
	}

	void tearDown() override
	{
		Poco::Logger::get("test.moderation.audit").setChannel(nullptr);
		Poco::Logger::get("test.moderation").setChannel(nullptr);
	}

	void testABanOrMuteLearnsItsHolderOnce()
	{
		UpdateRecordingStore store;
		Moderation moderation(store, Poco::Logger::get("test.moderation.audit"), Poco::Logger::get("test.moderation"), [this] { return _now; });
		// Banned where nobody held the nick: only the nick is kept out.
		const Ban ban = moderation.addBan(nickBan("lobby", "alice"), 60);
		CPPUNIT_ASSERT(!moderation.banOf("lobby", {"bob", "from-alice", "10.0.0.1"}));
		moderation.completeBan(ban.id, "from-alice");
		// Now its holder is kept out under any nick, and the store has it.
		CPPUNIT_ASSERT(moderation.banOf("lobby", {"bob", "from-alice", "10.0.0.1"}));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), store.updated.size());
		CPPUNIT_ASSERT_EQUAL(ban.id, store.updated[0].id);
		CPPUNIT_ASSERT_EQUAL(std::string("from-alice"), store.updated[0].holder);
		CPPUNIT_ASSERT_EQUAL(ban.untilMs, store.updated[0].untilMs);
		// A holder once found stays: another one, or an unknown ban, changes nothing.
		moderation.completeBan(ban.id, "from-mallory");
		moderation.completeBan(ban.id + 1, "from-mallory");
		moderation.completeBan(ban.id, "");
		CPPUNIT_ASSERT(!moderation.banOf("lobby", {"bob", "from-mallory", "10.0.0.1"}));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), store.updated.size());

		// A mute likewise, kept again with its holder.
		moderation.mute(Mute{"lobby", "carol", "carol", "", 0, "mod"}, 60);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), moderation.mutedFor("lobby", {"caz", "from-carol", "10.0.0.2"}));
		moderation.completeMute("lobby", "carol", "from-carol");
		CPPUNIT_ASSERT(moderation.mutedFor("lobby", {"caz", "from-carol", "10.0.0.2"}) > 0);
		CPPUNIT_ASSERT_EQUAL(std::string("from-carol"), store.savedMutes.back().holder);
		const std::size_t saved = store.savedMutes.size();
		moderation.completeMute("lobby", "carol", "from-mallory");
		moderation.completeMute("kitchen", "carol", "from-carol");
		CPPUNIT_ASSERT_EQUAL(saved, store.savedMutes.size());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), moderation.mutes().size());
	}

	void testEveryActionIsOneAuditLine()
	{
		MemoryModerationStore store;
		Moderation moderation(store, Poco::Logger::get("test.moderation.audit"), Poco::Logger::get("test.moderation"), [this] { return _now; });
		Ban ban = nickBan("lobby", "alice");
		ban.by = "mod";
		ban.reason = "spam \"links\"\nfake line";
		const Ban given = moderation.addBan(ban, 60);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), given.id);
		CPPUNIT_ASSERT_EQUAL(_now + 60000, given.untilMs);
		moderation.removeBan(given.id, "admin");
		moderation.mute(Mute{"lobby", "bob", "bob", "", 0, "mod"}, 30);
		moderation.setSlowmode("lobby", 5, "mod");
		moderation.setTopic("lobby", "Be kind", "mod");
		moderation.audit("mod", "delete", "7", "lobby");
		const auto lines = _audit->lines();
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), lines.size());
		const std::string& first = lines[0].second;
		CPPUNIT_ASSERT_MESSAGE(first, contains(first, "by=\"mod\" action=ban target=\"alice\" room=\"lobby\""));
		// Escaped: a reason cannot forge a line of its own.
		CPPUNIT_ASSERT_MESSAGE(first, contains(first, "reason=\"spam \\\"links\\\"\\nfake line (60 s)\""));
		CPPUNIT_ASSERT(first.find('\n') == std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(lines[1].second, contains(lines[1].second, "by=\"admin\" action=unban target=\"alice\""));
		CPPUNIT_ASSERT_MESSAGE(lines[2].second, contains(lines[2].second, "action=mute target=\"bob\" room=\"lobby\" reason=\"30 s\""));
		CPPUNIT_ASSERT_MESSAGE(lines[3].second, contains(lines[3].second, "action=slowmode"));
		CPPUNIT_ASSERT_MESSAGE(lines[4].second, contains(lines[4].second, "action=topic target=\"lobby\" room=\"lobby\" reason=\"Be kind\""));
		CPPUNIT_ASSERT_MESSAGE(lines[5].second, contains(lines[5].second, "action=delete target=\"7\""));
	}

	void testMessageRulesExistOnlyWithMutesOrSlowmode()
	{
		MemoryModerationStore store;
		Moderation moderation(store, Poco::Logger::get("test.moderation.audit"), Poco::Logger::get("test.moderation"), [this] { return _now; });
		CPPUNIT_ASSERT(!moderation.anyMessageRules());
		moderation.setTopic("lobby", "hi", "mod");
		CPPUNIT_ASSERT(!moderation.anyMessageRules());
		moderation.setSlowmode("lobby", 2, "mod");
		CPPUNIT_ASSERT(moderation.anyMessageRules());
		moderation.setSlowmode("lobby", 0, "mod");
		CPPUNIT_ASSERT(!moderation.anyMessageRules());
		moderation.mute(Mute{"lobby", "bob", "bob", "", 0, "mod"}, 30);
		CPPUNIT_ASSERT(moderation.anyMessageRules());
		CPPUNIT_ASSERT_EQUAL(std::int64_t(30000), moderation.mutedFor("lobby", {"bob", "", ""}));
		moderation.mute(Mute{"lobby", "bob", "bob", "", 0, "mod"}, 0);
		CPPUNIT_ASSERT(!moderation.anyMessageRules());
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), moderation.mutedFor("lobby", {"bob", "", ""}));
	}

	void testBansEndOnTheClock()
	{
		MemoryModerationStore store;
		Moderation moderation(store, Poco::Logger::get("test.moderation.audit"), Poco::Logger::get("test.moderation"), [this] { return _now; });
		moderation.addBan(nickBan("lobby", "alice"), 10);
		moderation.addBan(nickBan("", "mallory"), std::nullopt);
		CPPUNIT_ASSERT(moderation.banOf("lobby", {"alice", "", ""}));
		_now += 10000;
		CPPUNIT_ASSERT(!moderation.banOf("lobby", {"alice", "", ""}));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), moderation.banOf("kitchen", {"mallory", "", ""})->untilMs);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), moderation.bans().size());
	}

	void testAStoreThatFailsIsLoggedAndTheActionHolds()
	{
		FailingStore store;
		Moderation moderation(store, Poco::Logger::get("test.moderation.audit"), Poco::Logger::get("test.moderation"), [this] { return _now; });
		const Ban ban = moderation.addBan(nickBan("lobby", "alice"), 10);
		CPPUNIT_ASSERT(ban.id != 0);
		CPPUNIT_ASSERT(moderation.addBan(nickBan("lobby", "bob"), 10).id != ban.id);
		CPPUNIT_ASSERT(moderation.banOf("lobby", {"alice", "", ""}));
		moderation.setTopic("lobby", "hi", "mod");
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), moderation.rules("lobby").topic);
		CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "cannot store a ban (disk on fire)"));
		CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "cannot store the topic of room lobby"));
	}

	void testTargetsFollowRenamesAndBans()
	{
		ModerationTargets<int> targets;
		targets.add({"lobby", "Alice", {"alice", "from-alice", "10.0.0.1"}, 1});
		targets.add({"kitchen", "Bob", {"bob", "from-bob", "10.0.0.1"}, 2});
		CPPUNIT_ASSERT_EQUAL(1, targets.find("lobby", "alice")->handle);
		CPPUNIT_ASSERT(!targets.find("kitchen", "alice"));
		CPPUNIT_ASSERT_EQUAL(2, targets.find("", "bob")->handle);
		targets.rename("lobby", "alice", "Alicia", "alicia");
		CPPUNIT_ASSERT(!targets.find("lobby", "alice"));
		CPPUNIT_ASSERT_EQUAL(std::string("Alicia"), targets.find("lobby", "alicia")->nick);
		// A ban of the old nick still holds its holder.
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), targets.bannedBy(nickBan("lobby", "alice", "from-alice")).size());
		CPPUNIT_ASSERT(targets.bannedBy(nickBan("kitchen", "alice", "from-alice")).empty());
		Ban address;
		address.address = "10.0.0.1";
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), targets.bannedBy(address).size());
		targets.remove("lobby", "alicia");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), targets.bannedBy(address).size());
	}

	void testOthersInARoom()
	{
		ModerationTargets<int> targets;
		targets.add({"lobby", "Alice", {"alice", "", ""}, 1});
		targets.add({"lobby", "Bob", {"bob", "", ""}, 2});
		targets.add({"lobby", "Chi", {"chi", "", ""}, 3});
		targets.add({"lobbyist", "Dan", {"dan", "", ""}, 4});
		targets.add({"kitchen", "Eve", {"eve", "", ""}, 5});
		CPPUNIT_ASSERT(targets.othersIn("lobby", "bob", 10) == std::vector<int>({1, 3}));
		CPPUNIT_ASSERT(targets.othersIn("kitchen", "eve", 10).empty());
		CPPUNIT_ASSERT(targets.othersIn("cellar", "eve", 10).empty());
		// Exactly max others still get it; one more and nobody does.
		CPPUNIT_ASSERT(targets.othersIn("lobby", "bob", 2) == std::vector<int>({1, 3}));
		CPPUNIT_ASSERT(targets.othersIn("lobby", "bob", 1).empty());
		CPPUNIT_ASSERT(targets.othersIn("lobby", "zed", 2).empty());
	}

	void testLoadedOnce()
	{
		CountingStore store(0);
		Moderation moderation(store, Poco::Logger::get("test.moderation.audit"), Poco::Logger::get("test.moderation"), [this] { return _now; });
		moderation.loadIfNeeded();
		moderation.loadIfNeeded();
		CPPUNIT_ASSERT_EQUAL(1, store.loads);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), moderation.banOf("lobby", {"alice", "", ""})->id);
	}

	void testAFailedLoadIsLoggedAndNotRetriedAtOnce()
	{
		CountingStore store(1);
		Moderation moderation(store, Poco::Logger::get("test.moderation.audit"), Poco::Logger::get("test.moderation"), [this] { return _now; });
		moderation.loadIfNeeded();
		CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "cannot read bans, mutes and room rules (backend away)"));
		// Every join asks; the store is asked again only after a while.
		moderation.loadIfNeeded();
		CPPUNIT_ASSERT_EQUAL(1, store.loads);
		CPPUNIT_ASSERT(!moderation.banOf("lobby", {"alice", "", ""}));
		// An explicit load (another instance changed something) works.
		moderation.load();
		CPPUNIT_ASSERT(moderation.banOf("lobby", {"alice", "", ""}));
	}

private:
	std::int64_t _now = Start;
	Poco::AutoPtr<LogRecorder> _audit;
	Poco::AutoPtr<LogRecorder> _log;
};

class ModerationCommandTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ModerationCommandTest);
	CPPUNIT_TEST(testEveryCommand);
	CPPUNIT_TEST(testBadValues);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryCommand()
	{
		auto c = ClientCommand::parse(R"({"type":"delete","id":42})");
		CPPUNIT_ASSERT(c.kind() == Kind::Delete && c.isModeration());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), c.moderation().id);
		c = ClientCommand::parse(R"({"type":"kick","nick":"Alice","reason":"spam"})");
		CPPUNIT_ASSERT(c.kind() == Kind::Kick);
		CPPUNIT_ASSERT_EQUAL(std::string("Alice"), c.moderation().nick);
		CPPUNIT_ASSERT_EQUAL(std::string("spam"), c.moderation().reason);
		c = ClientCommand::parse(R"({"type":"kick","nick":"Alice"})");
		CPPUNIT_ASSERT(c.kind() == Kind::Kick);
		c = ClientCommand::parse(R"({"type":"mute","nick":"Alice","seconds":0})");
		CPPUNIT_ASSERT(c.kind() == Kind::Mute);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), *c.moderation().seconds);
		c = ClientCommand::parse(R"({"type":"ban","nick":"Alice","seconds":3600,"reason":"x"})");
		CPPUNIT_ASSERT(c.kind() == Kind::Ban);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(3600), *c.moderation().seconds);
		c = ClientCommand::parse(R"({"type":"ban","address":"2001:db8::1"})");
		CPPUNIT_ASSERT(c.kind() == Kind::Ban);
		CPPUNIT_ASSERT(!c.moderation().seconds);
		CPPUNIT_ASSERT_EQUAL(std::string("2001:db8::1"), c.moderation().address);
		c = ClientCommand::parse(R"({"type":"unban","nick":"Alice"})");
		CPPUNIT_ASSERT(c.kind() == Kind::Unban);
		c = ClientCommand::parse(R"({"type":"unban","address":"10.0.0.1"})");
		CPPUNIT_ASSERT(c.kind() == Kind::Unban);
		c = ClientCommand::parse(R"({"type":"slowmode","seconds":30})");
		CPPUNIT_ASSERT(c.kind() == Kind::Slowmode);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(30), *c.moderation().seconds);
		c = ClientCommand::parse(R"({"type":"topic","text":"Chào mừng"})");
		CPPUNIT_ASSERT(c.kind() == Kind::Topic);
		CPPUNIT_ASSERT_EQUAL(std::string("Chào mừng"), c.moderation().text);
		c = ClientCommand::parse(R"({"type":"topic","text":""})");
		CPPUNIT_ASSERT(c.kind() == Kind::Topic);
		CPPUNIT_ASSERT(!ClientCommand::parse(R"({"type":"message","text":"x"})").isModeration());
	}

	void testBadValues()
	{
		const std::string longReason(ModerationLimits::MaxReasonBytes + 1, 'r');
		const std::string longTopic(ModerationLimits::MaxTopicBytes + 1, 't');
		const std::string cases[] = {
			R"({"type":"delete"})",
			R"({"type":"delete","id":0})",
			R"({"type":"delete","id":-3})",
			R"({"type":"delete","id":1.5})",
			R"({"type":"delete","id":"7"})",
			R"({"type":"delete","id":true})",
			R"({"type":"delete","id":9007199254740993})",
			R"({"type":"delete","id":1e3})",
			R"({"type":"kick"})",
			R"({"type":"kick","nick":""})",
			R"({"type":"kick","nick":"al\u200Dice"})",
			R"({"type":"kick","nick":5})",
			R"({"type":"kick","nick":"Alice","reason":7})",
			R"({"type":"kick","nick":"Alice","reason":")" + longReason + R"("})",
			R"({"type":"mute","nick":"Alice"})",
			R"({"type":"mute","seconds":10})",
			R"({"type":"mute","nick":"Alice","seconds":-1})",
			R"({"type":"mute","nick":"Alice","seconds":604801})",
			R"({"type":"ban"})",
			R"({"type":"ban","nick":"Alice","seconds":0})",
			R"({"type":"ban","nick":"Alice","seconds":31622401})",
			R"({"type":"ban","address":"10.0.0"})",
			R"({"type":"ban","address":"example.com"})",
			R"({"type":"unban"})",
			R"({"type":"unban","nick":"Alice","address":"10.0.0.1"})",
			R"({"type":"slowmode"})",
			R"({"type":"slowmode","seconds":3601})",
			R"({"type":"slowmode","seconds":"5"})",
			R"({"type":"topic"})",
			R"({"type":"topic","text":5})",
			R"({"type":"topic","text":")" + longTopic + R"("})",
			R"({"type":"purge"})"};
		for (const std::string& frame : cases)
		{
			const auto command = ClientCommand::parse(frame);
			CPPUNIT_ASSERT_MESSAGE(frame, command.kind() == Kind::BadRequest);
			CPPUNIT_ASSERT_MESSAGE(frame, !command.problem().empty());
		}
		CPPUNIT_ASSERT(contains(ClientCommand::parse(R"({"type":"slowmode","seconds":3601})").problem(), "from 0 to 3600"));
		CPPUNIT_ASSERT(contains(ClientCommand::parse(R"({"type":"topic","text":")" + longTopic + R"("})").problem(), "at most 500 bytes"));
		// At the limits: accepted.
		CPPUNIT_ASSERT(ClientCommand::parse(R"({"type":"mute","nick":"Alice","seconds":604800})").kind() == Kind::Mute);
		CPPUNIT_ASSERT(ClientCommand::parse(R"({"type":"delete","id":9007199254740992})").kind() == Kind::Delete);
		const std::string reason(ModerationLimits::MaxReasonBytes, 'r');
		CPPUNIT_ASSERT(ClientCommand::parse(R"({"type":"kick","nick":"Alice","reason":")" + reason + R"("})").kind() == Kind::Kick);
	}
};

class TombstoneTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TombstoneTest);
	CPPUNIT_TEST(testTombstoneReplacesTheMessageInHistory);
	CPPUNIT_TEST(testOnlyKeptIdsAreReplaced);
	CPPUNIT_TEST(testTombstoneFromTheStoreAndEvents);
	CPPUNIT_TEST(testTopicInTheWelcome);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTombstoneReplacesTheMessageInHistory()
	{
		RoomState state({3, 4096, 10});
		state.restore("e", 0, {});
		for (std::uint64_t id = 1; id <= 5; ++id) state.append(ServerEvents::message(message(id, "secret " + std::to_string(id))));
		CPPUNIT_ASSERT(state.tombstone(4, ServerEvents::tombstone(4, "mod")));
		const std::string welcome = ServerEvents::welcome("lobby", "an", state, state.resume(std::nullopt));
		CPPUNIT_ASSERT_MESSAGE(welcome, !contains(welcome, "secret 4"));
		CPPUNIT_ASSERT_MESSAGE(welcome, contains(welcome, R"({"type":"message","id":4,"deleted":true,"by":"mod"})"));
		CPPUNIT_ASSERT_MESSAGE(welcome, contains(welcome, "secret 3") && contains(welcome, "secret 5"));
		// A resume after 3 gets the tombstone too.
		const std::string resumed = ServerEvents::welcome("lobby", "an", state, state.resume(3));
		CPPUNIT_ASSERT_MESSAGE(resumed, contains(resumed, R"("deleted":true)") && !contains(resumed, "secret 3"));
		std::size_t bytes = 0;
		for (std::size_t i = 0; i < state.historyCount(); ++i) bytes += state.historyJson(i).size();
		CPPUNIT_ASSERT_EQUAL(bytes, state.historyBytes());
	}

	void testOnlyKeptIdsAreReplaced()
	{
		RoomState state({3, 4096, 10});
		state.restore("e", 0, {});
		for (std::uint64_t id = 1; id <= 5; ++id) state.append(ServerEvents::message(message(id, "m")));
		CPPUNIT_ASSERT(!state.tombstone(0, "x"));
		CPPUNIT_ASSERT(!state.tombstone(2, "x")); // dropped from memory
		CPPUNIT_ASSERT(!state.tombstone(6, "x")); // never given
		CPPUNIT_ASSERT(state.tombstone(3, "x"));
		CPPUNIT_ASSERT_EQUAL(std::string("x"), state.historyJson(0));
		RoomState none({0, 4096, 10});
		none.restore("e", 0, {});
		none.append("{}");
		CPPUNIT_ASSERT(!none.tombstone(1, "x"));
	}

	void testTombstoneFromTheStoreAndEvents()
	{
		HistoryStore::Message stored = message(9, "");
		stored.nick.clear();
		stored.deletedBy = "Mod \"M\"";
		const auto tombstone = parse(ServerEvents::message(stored));
		CPPUNIT_ASSERT_EQUAL(std::string("message"), tombstone->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(9, tombstone->getValue<int>("id"));
		CPPUNIT_ASSERT(tombstone->getValue<bool>("deleted"));
		CPPUNIT_ASSERT_EQUAL(std::string("Mod \"M\""), tombstone->getValue<std::string>("by"));
		CPPUNIT_ASSERT(!tombstone->has("text") && !tombstone->has("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"deleted","id":9,"by":"mod"})"), ServerEvents::deleted(9, "mod"));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"topic","text":"Be kind","by":"mod"})"), ServerEvents::topic("Be kind", "mod"));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"kicked","room":"lobby","by":"mod","reason":"spam"})"), ServerEvents::kicked("lobby", "mod", "spam"));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"error","code":"muted","message":"wait","seconds":30})"), ServerEvents::error("muted", "wait", 30));
	}

	void testTopicInTheWelcome()
	{
		RoomState state({3, 4096, 10});
		state.restore("e", 0, {});
		CPPUNIT_ASSERT(!contains(ServerEvents::welcome("lobby", "an", state, state.resume(std::nullopt)), "topic"));
		state.setTopic("Chào \"mọi người\"", "mod");
		const auto welcome = parse(ServerEvents::welcome("lobby", "an", state, state.resume(std::nullopt)));
		CPPUNIT_ASSERT_EQUAL(std::string("Chào \"mọi người\""), welcome->getValue<std::string>("topic"));
		state.setTopic("", "mod");
		CPPUNIT_ASSERT(state.topicBy().empty());
	}

private:
	static HistoryStore::Message message(std::uint64_t id, const std::string& text)
	{
		HistoryStore::Message m;
		m.id = id;
		m.ts = Start + static_cast<std::int64_t>(id);
		m.nick = "An";
		m.text = text;
		return m;
	}
};

class SqliteModerationTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SqliteModerationTest);
	CPPUNIT_TEST(testModerationSurvivesReopening);
	CPPUNIT_TEST(testTombstoneSurvivesReopeningAndTheTextIsGone);
	CPPUNIT_TEST(testTombstoneOfAMessageStillQueued);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir = webchat::test::makeTempDir();
		_path = _dir + "/chat.db";
	}

	void tearDown() override { Poco::File(_dir).remove(true); }

	void testModerationSurvivesReopening()
	{
		std::uint64_t first = 0;
		{
			auto history = open();
			auto store = history->moderationStore(Poco::Logger::get("test.moderation"));
			Ban ban = nickBan("lobby", "alice", "from-alice");
			ban.nick = "Alice";
			ban.untilMs = Start + 1000;
			ban.reason = "spam";
			ban.by = "mod";
			first = store->addBan(ban);
			Ban address;
			address.address = "10.0.0.9";
			const std::uint64_t second = store->addBan(address);
			CPPUNIT_ASSERT(second > first);
			store->removeBan(second);
			store->saveMute(Mute{"lobby", "Bob", "bob", "from-bob", Start + 5000, "mod"});
			store->saveMute(Mute{"lobby", "Bob", "bob", "from-bob", Start + 9000, "mod"});
			store->saveMute(Mute{"kitchen", "Carol", "carol", "", Start + 9000, "mod"});
			store->removeMute("kitchen", "carol");
			store->saveRules("lobby", RoomRules{10, "Be kind", "mod"});
			store->saveRules("kitchen", RoomRules{5, "", ""});
			store->saveRules("kitchen", RoomRules{});
		}
		auto history = open();
		const auto records = history->moderationStore(Poco::Logger::get("test.moderation"))->load();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), records.bans.size());
		const Ban& ban = records.bans.front();
		CPPUNIT_ASSERT_EQUAL(first, ban.id);
		CPPUNIT_ASSERT_EQUAL(std::string("Alice"), ban.nick);
		CPPUNIT_ASSERT_EQUAL(std::string("alice"), ban.nickKey);
		CPPUNIT_ASSERT_EQUAL(std::string("from-alice"), ban.holder);
		CPPUNIT_ASSERT_EQUAL(Start + 1000, ban.untilMs);
		CPPUNIT_ASSERT_EQUAL(std::string("spam"), ban.reason);
		CPPUNIT_ASSERT_EQUAL(std::string("mod"), ban.by);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), records.mutes.size());
		CPPUNIT_ASSERT_EQUAL(Start + 9000, records.mutes.front().untilMs);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), records.rooms.size());
		CPPUNIT_ASSERT_EQUAL(std::string("Be kind"), records.rooms.at("lobby").topic);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(10), records.rooms.at("lobby").slowmodeSeconds);
	}

	void testTombstoneSurvivesReopeningAndTheTextIsGone()
	{
		const std::string secret = "the-secret-text-0123456789";
		std::string epoch;
		{
			auto history = open();
			epoch = history->loadRoom("lobby", 100).epoch;
			for (std::uint64_t id = 1; id <= 3; ++id) history->append("lobby", epoch, message(id, id == 2 ? secret : "hello"));
			CPPUNIT_ASSERT(history->flush());
			history->tombstone("lobby", epoch, 2, "mod");
		}
		CPPUNIT_ASSERT_MESSAGE("the deleted text is still in the file", !fileContains(_path, secret));
		CPPUNIT_ASSERT(!Poco::File(_path + "-wal").exists() || !fileContains(_path + "-wal", secret));
		auto history = open();
		const auto room = history->loadRoom("lobby", 100);
		CPPUNIT_ASSERT_EQUAL(epoch, room.epoch);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), room.recent.size());
		const auto& deleted = room.recent[1];
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), deleted.id);
		CPPUNIT_ASSERT_EQUAL(std::string("mod"), deleted.deletedBy);
		CPPUNIT_ASSERT(deleted.text.empty() && deleted.nick.empty());
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"message","id":2,"deleted":true,"by":"mod"})"), ServerEvents::message(deleted));
		CPPUNIT_ASSERT(room.recent[0].deletedBy.empty() && room.recent[2].deletedBy.empty());
	}

	void testTombstoneOfAMessageStillQueued()
	{
		// A long batch window: the message and its deletion wait together.
		SqliteHistoryStore::Options options;
		options.path = _path;
		options.batchWindowMs = 60000;
		options.retentionCount = 0;
		auto history = std::make_unique<SqliteHistoryStore>(options, Poco::Logger::get("test.moderation"));
		const std::string epoch = history->loadRoom("lobby", 100).epoch;
		history->append("lobby", epoch, message(1, "queued secret"));
		history->tombstone("lobby", epoch, 1, "mod");
		// Read back before the writer ran: the tombstone already.
		auto room = history->loadRoom("lobby", 100);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), room.recent.size());
		CPPUNIT_ASSERT_EQUAL(std::string("mod"), room.recent[0].deletedBy);
		// Written in one batch, the deletion after the insert.
		CPPUNIT_ASSERT(history->flush());
		history.reset();
		CPPUNIT_ASSERT(!fileContains(_path, "queued secret"));
		room = open()->loadRoom("lobby", 100);
		CPPUNIT_ASSERT_EQUAL(std::string("mod"), room.recent.at(0).deletedBy);
		CPPUNIT_ASSERT(room.recent[0].text.empty());
	}

private:
	std::unique_ptr<SqliteHistoryStore> open() const
	{
		SqliteHistoryStore::Options options;
		options.path = _path;
		options.batchWindowMs = 10;
		options.retentionCount = 0;
		return std::make_unique<SqliteHistoryStore>(options, Poco::Logger::get("test.moderation"));
	}

	static HistoryStore::Message message(std::uint64_t id, const std::string& text)
	{
		HistoryStore::Message m;
		m.id = id;
		m.ts = Start + static_cast<std::int64_t>(id);
		m.nick = "An";
		m.text = text;
		return m;
	}

	static bool fileContains(const std::string& path, const std::string& text)
	{
		Poco::FileInputStream in(path, std::ios::binary);
		const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
		return contains(bytes, text);
	}

	std::string _dir;
	std::string _path;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ModerationStateTest);
CPPUNIT_TEST_SUITE_REGISTRATION(ModerationAuditTest);
CPPUNIT_TEST_SUITE_REGISTRATION(ModerationCommandTest);
CPPUNIT_TEST_SUITE_REGISTRATION(TombstoneTest);
CPPUNIT_TEST_SUITE_REGISTRATION(SqliteModerationTest);
