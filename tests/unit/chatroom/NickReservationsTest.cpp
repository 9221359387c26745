// Nick tokens and reservations: what is derived from a token (its holder,
// the public id), and the reservation stores' semantics (who gets a nick,
// expiry after the last use, the cap dropping the oldest-used), the same
// for memory and SQLite, with the time given to each claim. SQLite also
// across reopening and migrating a database of schema version 1.
#include "MemoryNickReservations.h"
#include "NickReservations.h"
#include "NickToken.h"
#include "ServerEvents.h"
#include "SqliteHistoryStore.h"
#include "SqliteNickReservations.h"

#include "LogRecorder.h"
#include "TempFiles.h"

#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/Session.h"
#include "Poco/File.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <functional>
#include <memory>
#include <set>

using webchat::chatroom::HistoryStore;
using webchat::chatroom::MemoryNickReservations;
using webchat::chatroom::NickReservations;
using webchat::chatroom::NickToken;
using webchat::chatroom::ServerEvents;
using webchat::chatroom::SqliteHistoryStore;
using webchat::chatroom::SqliteNickReservations;
using Claim = webchat::chatroom::NickReservations::Claim;
using namespace Poco::Data::Keywords;

namespace {

constexpr std::int64_t DayMs = 24 * 60 * 60 * 1000;
constexpr std::int64_t T0 = 1764145000000; // some time in 2025

bool isHex(const std::string& text)
{
	return text.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool isBase64Url(const std::string& text)
{
	return text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos;
}

Poco::JSON::Object::Ptr parse(const std::string& json)
{
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

// Makes a store with that lifetime and cap; flush() waits for its writes
// where it has any.
struct StoreMaker
{
	std::function<std::unique_ptr<NickReservations>(std::int64_t lifetimeMs, std::size_t cap)> make;
	std::function<void(NickReservations&)> flush = [](NickReservations&) {};
};

} // namespace

class NickReservationsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(NickReservationsTest);
	CPPUNIT_TEST(testTokenIsRandomBase64Url);
	CPPUNIT_TEST(testWellFormedTokens);
	CPPUNIT_TEST(testHolderAndPublicIdAreHashes);
	CPPUNIT_TEST(testGuestNicksAreNotReservable);
	CPPUNIT_TEST(testMemoryClaims);
	CPPUNIT_TEST(testMemoryExpiry);
	CPPUNIT_TEST(testMemoryCapDropsOldestUsed);
	CPPUNIT_TEST(testSqliteClaims);
	CPPUNIT_TEST(testSqliteExpiry);
	CPPUNIT_TEST(testSqliteCapDropsOldestUsed);
	CPPUNIT_TEST(testSqliteKeepsReservationsAcrossReopening);
	CPPUNIT_TEST(testSqliteStoresOnlyHashes);
	CPPUNIT_TEST(testVersion1DatabaseIsMigrated);
	CPPUNIT_TEST(testMessageCarriesFromAndVerified);
	CPPUNIT_TEST(testWelcomeCarriesTokenAndFrom);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir = webchat::test::makeTempDir();
		_path = _dir + "/chat.db";
		_log = new webchat::test::LogRecorder;
		Poco::Logger::get("test.reservations").setChannel(_log);
	}

	void tearDown() override
	{
		Poco::Logger::get("test.reservations").setChannel(nullptr);
		Poco::File(_dir).remove(true);
	}

	void testTokenIsRandomBase64Url()
	{
		std::set<std::string> seen;
		for (int i = 0; i < 100; ++i)
		{
			const std::string token = NickToken::generate();
			CPPUNIT_ASSERT_EQUAL(std::size_t(43), token.size());
			CPPUNIT_ASSERT(isBase64Url(token));
			CPPUNIT_ASSERT(NickToken::wellFormed(token));
			seen.insert(token);
		}
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), seen.size());
	}

	void testWellFormedTokens()
	{
		const std::string token = NickToken::generate();
		CPPUNIT_ASSERT(!NickToken::wellFormed(""));
		CPPUNIT_ASSERT(!NickToken::wellFormed(token.substr(1)));
		CPPUNIT_ASSERT(!NickToken::wellFormed(token + "A"));
		CPPUNIT_ASSERT(!NickToken::wellFormed(token.substr(0, 20) + "." + token.substr(21)));
		CPPUNIT_ASSERT(!NickToken::wellFormed(token.substr(0, 20) + "+" + token.substr(21)));
		CPPUNIT_ASSERT(!NickToken::wellFormed(std::string(8 * 1024, 'a')));
	}

	void testHolderAndPublicIdAreHashes()
	{
		// SHA-256("abc"), FIPS 180-2.
		CPPUNIT_ASSERT_EQUAL(std::string("token:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), NickToken::holder("abc"));
		CPPUNIT_ASSERT_EQUAL(std::string("sub:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), NickToken::subjectHolder("abc"));
		// RFC 4648 test vector, URL alphabet, no padding.
		CPPUNIT_ASSERT_EQUAL(std::string("Zm9vYmE"), NickToken::base64Url("fooba"));
		CPPUNIT_ASSERT_EQUAL(std::string("-_8"), NickToken::base64Url("\xfb\xff"));

		const std::string token = NickToken::generate();
		const std::string id = NickToken::publicId(token);
		CPPUNIT_ASSERT_EQUAL(NickToken::PublicIdLength, id.size());
		CPPUNIT_ASSERT(id.size() >= 16);
		CPPUNIT_ASSERT(isBase64Url(id));
		CPPUNIT_ASSERT_EQUAL(id, NickToken::publicId(token));
		CPPUNIT_ASSERT(id != NickToken::publicId(NickToken::generate()));
		CPPUNIT_ASSERT(token.find(id) == std::string::npos);
		const std::string holder = NickToken::holder(token);
		CPPUNIT_ASSERT_EQUAL(std::size_t(6 + 64), holder.size());
		CPPUNIT_ASSERT(isHex(holder.substr(6)));
		CPPUNIT_ASSERT(holder.find(token) == std::string::npos);
		// The public id is not the holder's hash, shortened or re-encoded.
		CPPUNIT_ASSERT(id != NickToken::base64Url(std::string(holder.substr(6))).substr(0, id.size()));
	}

	void testGuestNicksAreNotReservable()
	{
		CPPUNIT_ASSERT(!NickReservations::reservable("guest-1"));
		CPPUNIT_ASSERT(!NickReservations::reservable("guest-482913"));
		CPPUNIT_ASSERT(NickReservations::reservable("guest"));
		CPPUNIT_ASSERT(NickReservations::reservable("guest-"));
		CPPUNIT_ASSERT(NickReservations::reservable("guest-1a"));
		CPPUNIT_ASSERT(NickReservations::reservable("alice"));
	}

	void testMemoryClaims() { checkClaims(memory()); }
	void testMemoryExpiry() { checkExpiry(memory()); }
	void testMemoryCapDropsOldestUsed() { checkCap(memory()); }
	void testSqliteClaims() { checkClaims(sqlite()); }
	void testSqliteExpiry() { checkExpiry(sqlite()); }
	void testSqliteCapDropsOldestUsed() { checkCap(sqlite()); }

	void testSqliteKeepsReservationsAcrossReopening()
	{
		openHistory();
		{
			SqliteNickReservations reservations(_path, 30 * DayMs, 100, logger());
			CPPUNIT_ASSERT(reservations.claim("alice", "token:a", T0) == Claim::Granted);
			CPPUNIT_ASSERT(reservations.claim("bob", "token:b", T0) == Claim::Granted);
		}
		SqliteNickReservations reservations(_path, 30 * DayMs, 100, logger());
		CPPUNIT_ASSERT(reservations.claim("alice", "token:b", T0 + DayMs) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations.claim("bob", "token:a", T0 + DayMs) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations.claim("alice", "token:a", T0 + DayMs) == Claim::Granted);
	}

	void testSqliteStoresOnlyHashes()
	{
		openHistory();
		const std::string token = NickToken::generate();
		{
			SqliteNickReservations reservations(_path, 30 * DayMs, 100, logger());
			CPPUNIT_ASSERT(reservations.claim("alice", NickToken::holder(token), T0) == Claim::Granted);
		}
		Poco::Data::Session session(new Poco::Data::SQLite::SessionImpl(_path));
		std::vector<std::string> keys, holders;
		session << "SELECT nick_key, holder FROM nick_reservations", into(keys), into(holders), now;
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), keys.size());
		CPPUNIT_ASSERT_EQUAL(std::string("alice"), keys[0]);
		CPPUNIT_ASSERT_EQUAL(NickToken::holder(token), holders[0]);
		CPPUNIT_ASSERT(holders[0].find(token) == std::string::npos);
	}

	void testVersion1DatabaseIsMigrated()
	{
		{
			// What a webchatd of schema version 1 left: one room, one message.
			Poco::Data::Session session(new Poco::Data::SQLite::SessionImpl(_path));
			for (const char* sql : {
					 "CREATE TABLE schema_version (version INTEGER NOT NULL)",
					 "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
					 "CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, epoch TEXT NOT NULL, last_id INTEGER NOT NULL)",
					 "CREATE TABLE messages (room INTEGER NOT NULL, id INTEGER NOT NULL, ts INTEGER NOT NULL, nick TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (room, id)) WITHOUT ROWID",
					 "CREATE INDEX messages_by_time ON messages (ts)",
					 "INSERT INTO schema_version (version) VALUES (1)",
					 "INSERT INTO meta (key, value) VALUES ('clean_shutdown', '1')",
					 "INSERT INTO rooms (id, name, epoch, last_id) VALUES (1, 'lobby', '0123456789abcdef', 1)",
					 "INSERT INTO messages (room, id, ts, nick, text) VALUES (1, 1, 1764145000001, 'An', 'old')"})
				session << sql, now;
		}
		{
			SqliteHistoryStore store(historyOptions(), logger());
			HistoryStore::Room room = store.loadRoom("lobby", 10);
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), room.recent.size());
			CPPUNIT_ASSERT_EQUAL(std::string("old"), room.recent[0].text);
			CPPUNIT_ASSERT_EQUAL(std::string(), room.recent[0].from);
			CPPUNIT_ASSERT(!room.recent[0].verified);
			HistoryStore::Message said;
			said.id = 2;
			said.ts = 1764145000002;
			said.nick = "Bình";
			said.text = "new";
			said.from = "AbCdEfGhIjKlMnOpQrStUv";
			said.verified = true;
			store.append("lobby", room.epoch, said);
			// Tombstones (schema version 3) work on the migrated file too.
			store.tombstone("lobby", room.epoch, 1, "mod");
			store.close();
		}
		CPPUNIT_ASSERT(_log->text().find("migrated from schema version 1 to 3") != std::string::npos);
		SqliteHistoryStore store(historyOptions(), logger());
		const HistoryStore::Room room = store.loadRoom("lobby", 10);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), room.recent.size());
		CPPUNIT_ASSERT_EQUAL(std::string("mod"), room.recent[0].deletedBy);
		CPPUNIT_ASSERT_EQUAL(std::string(), room.recent[0].text);
		CPPUNIT_ASSERT_EQUAL(std::string("AbCdEfGhIjKlMnOpQrStUv"), room.recent[1].from);
		CPPUNIT_ASSERT(room.recent[1].verified);
		// And the reservations' table is there.
		SqliteNickReservations reservations(_path, DayMs, 10, logger());
		CPPUNIT_ASSERT(reservations.claim("an", "token:x", T0) == Claim::Granted);
	}

	void testMessageCarriesFromAndVerified()
	{
		std::string tail;
		ServerEvents::appendMessageTail(tail, "An", ServerEvents::Sender{"AbCdEfGhIjKlMnOpQrStUv", true}, "hi", 5);
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"message","id":3,"nick":"An","from":"AbCdEfGhIjKlMnOpQrStUv","verified":true,"text":"hi","ts":5})"),
			ServerEvents::message(3, tail));
		tail.clear();
		ServerEvents::appendMessageTail(tail, "An", ServerEvents::Sender{"AbCdEfGhIjKlMnOpQrStUv", false}, "hi", 5);
		const std::string live = ServerEvents::message(3, tail);
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"message","id":3,"nick":"An","from":"AbCdEfGhIjKlMnOpQrStUv","text":"hi","ts":5})"), live);
		// From the store: the same bytes.
		HistoryStore::Message stored;
		stored.id = 3;
		stored.ts = 5;
		stored.nick = "An";
		stored.text = "hi";
		stored.from = "AbCdEfGhIjKlMnOpQrStUv";
		CPPUNIT_ASSERT_EQUAL(live, ServerEvents::message(stored));
	}

	void testWelcomeCarriesTokenAndFrom()
	{
		webchat::chatroom::RoomState state({});
		state.restore("0123456789abcdef", 0, {});
		state.join(webchat::chatroom::Name::of("An"));
		const std::string token = NickToken::generate();
		webchat::chatroom::Speaker speaker;
		speaker.from = NickToken::publicId(token);
		const auto welcome = parse(ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt), speaker, token));
		CPPUNIT_ASSERT_EQUAL(token, welcome->getValue<std::string>("token"));
		CPPUNIT_ASSERT_EQUAL(NickToken::publicId(token), welcome->getValue<std::string>("from"));
		CPPUNIT_ASSERT(!welcome->has("verified"));
		const auto bare = parse(ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt)));
		CPPUNIT_ASSERT(!bare->has("token"));
		CPPUNIT_ASSERT(!bare->has("from"));
	}

private:
	SqliteHistoryStore::Options historyOptions() const
	{
		SqliteHistoryStore::Options options;
		options.path = _path;
		return options;
	}

	Poco::Logger& logger() { return Poco::Logger::get("test.reservations"); }

	// Creates the database (and its reservations' table) as the listener does.
	void openHistory()
	{
		SqliteHistoryStore store(historyOptions(), logger());
		store.close();
	}

	StoreMaker memory()
	{
		return {[](std::int64_t lifetimeMs, std::size_t cap) { return std::make_unique<MemoryNickReservations>(lifetimeMs, cap); }};
	}

	StoreMaker sqlite()
	{
		openHistory();
		return {[this](std::int64_t lifetimeMs, std::size_t cap) { return std::make_unique<SqliteNickReservations>(_path, lifetimeMs, cap, logger()); },
			[](NickReservations& reservations) { static_cast<SqliteNickReservations&>(reservations).flush(); }};
	}

	void checkClaims(const StoreMaker& maker)
	{
		auto reservations = maker.make(30 * DayMs, 100);
		CPPUNIT_ASSERT(reservations->claim("alice", "token:a", T0) == Claim::Granted);
		CPPUNIT_ASSERT(reservations->claim("alice", "token:b", T0 + 1) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("alice", "sub:c", T0 + 2) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("alice", "token:a", T0 + 3) == Claim::Granted);
		// One holder may hold several nicks.
		CPPUNIT_ASSERT(reservations->claim("alicia", "token:a", T0 + 4) == Claim::Granted);
		maker.flush(*reservations);
		// Written or queued, the answer is the same.
		CPPUNIT_ASSERT(reservations->claim("alice", "token:b", T0 + 5) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("alicia", "token:b", T0 + 5) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("bob", "token:b", T0 + 6) == Claim::Granted);
	}

	void checkExpiry(const StoreMaker& maker)
	{
		auto reservations = maker.make(30 * DayMs, 100);
		CPPUNIT_ASSERT(reservations->claim("alice", "token:a", T0) == Claim::Granted);
		CPPUNIT_ASSERT(reservations->claim("bob", "token:b", T0) == Claim::Granted);
		// Alice comes back on day 20: hers until day 50.
		CPPUNIT_ASSERT(reservations->claim("alice", "token:a", T0 + 20 * DayMs) == Claim::Granted);
		maker.flush(*reservations);
		CPPUNIT_ASSERT(reservations->claim("bob", "token:x", T0 + 30 * DayMs - 1) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("alice", "token:x", T0 + 50 * DayMs - 1) == Claim::Reserved);
		// Bob's ran out on day 30: anyone's now.
		CPPUNIT_ASSERT(reservations->claim("bob", "token:x", T0 + 30 * DayMs) == Claim::Granted);
		CPPUNIT_ASSERT(reservations->claim("bob", "token:b", T0 + 30 * DayMs + 1) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("alice", "token:x", T0 + 50 * DayMs) == Claim::Granted);
	}

	void checkCap(const StoreMaker& maker)
	{
		auto reservations = maker.make(30 * DayMs, 3);
		CPPUNIT_ASSERT(reservations->claim("a", "token:1", T0 + 1) == Claim::Granted);
		CPPUNIT_ASSERT(reservations->claim("b", "token:2", T0 + 2) == Claim::Granted);
		CPPUNIT_ASSERT(reservations->claim("c", "token:3", T0 + 3) == Claim::Granted);
		// a is used again: b is now the one used longest ago.
		CPPUNIT_ASSERT(reservations->claim("a", "token:1", T0 + 4) == Claim::Granted);
		maker.flush(*reservations);
		CPPUNIT_ASSERT(reservations->claim("d", "token:4", T0 + 5) == Claim::Granted);
		maker.flush(*reservations);
		CPPUNIT_ASSERT(reservations->claim("b", "token:x", T0 + 6) == Claim::Granted);
		maker.flush(*reservations);
		// b's new reservation dropped c, the oldest-used then.
		CPPUNIT_ASSERT(reservations->claim("a", "token:x", T0 + 7) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("d", "token:x", T0 + 7) == Claim::Reserved);
		CPPUNIT_ASSERT(reservations->claim("c", "token:x", T0 + 7) == Claim::Granted);
	}

	std::string _dir;
	std::string _path;
	Poco::AutoPtr<webchat::test::LogRecorder> _log;
};

CPPUNIT_TEST_SUITE_REGISTRATION(NickReservationsTest);
