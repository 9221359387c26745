//
// Nicks kept for the browser that used them, on the real webchatd: the
// welcome's token and from, nick_reserved for a join or a rename without
// the token (in any spelling of the nick), the holder back with token=, a
// stale token replaced, reservations across a restart (SQLite), and the
// speaker's from on its messages, live and in history, across a rename.
//
#include "ChatTestSupport.h"

#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/Session.h"

using namespace webchat::test;
using namespace webchat::test::chatroom;
using namespace Poco::Data::Keywords;

namespace {

const std::string Kept = "nick_reservation_days = 30\n";

// A token of the right shape nobody was given.
const std::string Unknown = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

struct Identity
{
	std::string token;
	std::string from;
};

// Joins path and reads the welcome's token and from (client left open).
Identity joinAs(ChatClient& client)
{
	const auto welcome = client.expect("welcome");
	Identity identity{welcome->getValue<std::string>("token"), welcome->getValue<std::string>("from")};
	CPPUNIT_ASSERT_EQUAL_MESSAGE(client.lastRaw, std::size_t(43), identity.token.size());
	CPPUNIT_ASSERT_EQUAL_MESSAGE(client.lastRaw, std::size_t(22), identity.from.size());
	CPPUNIT_ASSERT(identity.token.find(identity.from) == std::string::npos);
	return identity;
}

// Joins path once, leaves, returns what the welcome said.
Identity visit(std::uint16_t port, const std::string& path)
{
	ChatClient client(port, path);
	const Identity identity = joinAs(client);
	client.leave();
	return identity;
}

} // namespace

class ReservationTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ReservationTest);
	CPPUNIT_TEST(testNickIsKeptForItsToken);
	CPPUNIT_TEST(testStaleTokenForFreeNickIsReplaced);
	CPPUNIT_TEST(testRenameToReservedNickIsRefused);
	CPPUNIT_TEST(testFromIsStableAcrossRenameAndInHistory);
	CPPUNIT_TEST(testReservationSurvivesRestart);
	CPPUNIT_TEST(testGuestsAndOffKeepNothing);
	CPPUNIT_TEST_SUITE_END();

public:
	void testNickIsKeptForItsToken()
	{
		ChatServer server(Kept);
		const Identity alice = visit(server.port, "/r?nick=Alice");

		for (const std::string& path : std::vector<std::string>{"/r?nick=Alice", "/other?nick=alice", "/r?nick=ALICE&token=" + Unknown, "/r?nick=Alice&token=x.y.z"})
		{
			ChatClient other(server.port, path);
			other.expectRefusal("nick_reserved", 4409);
		}

		// The holder gets it back, in another spelling and room, with the
		// same token and the same public id.
		ChatClient back(server.port, "/other?nick=alice&token=" + alice.token);
		const Identity again = joinAs(back);
		CPPUNIT_ASSERT_EQUAL(alice.token, again.token);
		CPPUNIT_ASSERT_EQUAL(alice.from, again.from);
		CPPUNIT_ASSERT_EQUAL(std::string("alice"), ChatClient::parse(back.lastRaw)->getValue<std::string>("nick"));
	}

	void testStaleTokenForFreeNickIsReplaced()
	{
		ChatServer server(Kept);
		const Identity fresh = visit(server.port, "/r?nick=Fresh&token=" + Unknown);
		CPPUNIT_ASSERT(fresh.token != Unknown);
		// A token given for one nick does not take another.
		const Identity other = visit(server.port, "/r?nick=Other&token=" + fresh.token);
		CPPUNIT_ASSERT(other.token != fresh.token);
		CPPUNIT_ASSERT(other.from != fresh.from);
		// Each holds its own.
		visit(server.port, "/r?nick=Fresh&token=" + fresh.token);
		ChatClient refused(server.port, "/r?nick=Fresh&token=" + other.token);
		refused.expectRefusal("nick_reserved", 4409);
	}

	void testRenameToReservedNickIsRefused()
	{
		ChatServer server(Kept);
		visit(server.port, "/r?nick=Alice");
		ChatClient bob(server.port, "/r?nick=Bob");
		const Identity bobIdentity = joinAs(bob);
		bob.send(nickChange("alice"));
		bob.expectRefusal("nick_reserved", 0);
		// Still in, still Bob.
		bob.send(say("still here"));
		const auto message = bob.expect("message");
		CPPUNIT_ASSERT_EQUAL(std::string("Bob"), message->getValue<std::string>("nick"));
		// A free nick is taken, and then kept for Bob's token as well.
		bob.send(nickChange("Robert"));
		CPPUNIT_ASSERT_EQUAL(std::string("Robert"), bob.expect("nick")->getValue<std::string>("nick"));
		bob.leave();
		ChatClient thief(server.port, "/r?nick=Robert");
		thief.expectRefusal("nick_reserved", 4409);
		ChatClient robert(server.port, "/r?nick=Robert&token=" + bobIdentity.token);
		CPPUNIT_ASSERT_EQUAL(bobIdentity.from, joinAs(robert).from);
	}

	void testFromIsStableAcrossRenameAndInHistory()
	{
		ChatServer server(Kept);
		ChatClient an(server.port, "/h?nick=An");
		const Identity identity = joinAs(an);
		an.send(say("before"));
		CPPUNIT_ASSERT_EQUAL(identity.from, an.expect("message")->getValue<std::string>("from"));
		an.send(nickChange("Anh"));
		an.expect("nick");
		an.send(say("after"));
		const auto after = an.expect("message");
		CPPUNIT_ASSERT_EQUAL(std::string("Anh"), after->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(identity.from, after->getValue<std::string>("from"));
		CPPUNIT_ASSERT(!after->has("verified"));
		CPPUNIT_ASSERT(an.lastRaw.find(identity.token) == std::string::npos);

		ChatClient chi(server.port, "/h?nick=Chi");
		const auto welcome = chi.expect("welcome");
		const auto history = welcome->getArray("history");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), history->size());
		for (unsigned i = 0; i < history->size(); ++i) CPPUNIT_ASSERT_EQUAL(identity.from, history->getObject(i)->getValue<std::string>("from"));
		CPPUNIT_ASSERT(welcome->getValue<std::string>("from") != identity.from);
	}

	void testReservationSurvivesRestart()
	{
		ChatServer server(Kept + "batch_window_ms = 10\n");
		Identity alice;
		{
			ChatClient client(server.port, "/p?nick=Alice");
			alice = joinAs(client);
			client.send(say("kept"));
			client.expect("message");
			client.leave();
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		{
			// Only hashes are in the database.
			Poco::Data::Session session(new Poco::Data::SQLite::SessionImpl(server.database));
			std::vector<std::string> holders;
			session << "SELECT holder FROM nick_reservations WHERE nick_key = 'alice'", into(holders), now;
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), holders.size());
			CPPUNIT_ASSERT(holders[0].find(alice.token) == std::string::npos);
		}
		server.start();

		ChatClient thief(server.port, "/p?nick=alice");
		thief.expectRefusal("nick_reserved", 4409);
		ChatClient back(server.port, "/p?nick=Alice&token=" + alice.token);
		const auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(alice.token, welcome->getValue<std::string>("token"));
		CPPUNIT_ASSERT_EQUAL(alice.from, welcome->getValue<std::string>("from"));
		CPPUNIT_ASSERT_EQUAL(alice.from, welcome->getArray("history")->getObject(0)->getValue<std::string>("from"));
	}

	void testGuestsAndOffKeepNothing()
	{
		{
			ChatServer server(Kept);
			ChatClient guest(server.port, "/g");
			const auto welcome = guest.expect("welcome");
			const std::string nick = welcome->getValue<std::string>("nick");
			CPPUNIT_ASSERT_EQUAL(std::string("guest-"), nick.substr(0, 6));
			CPPUNIT_ASSERT_EQUAL(std::size_t(22), welcome->getValue<std::string>("from").size());
			guest.leave();
			visit(server.port, "/elsewhere?nick=" + nick);
			visit(server.port, "/elsewhere?nick=" + nick);
		}
		{
			ChatServer server("nick_reservation_days = 0\n");
			const Identity first = visit(server.port, "/o?nick=Alice");
			visit(server.port, "/o?nick=alice");
			// Nothing to check a token against: the client keeps its id.
			const Identity again = visit(server.port, "/o?nick=Alice&token=" + first.token);
			CPPUNIT_ASSERT_EQUAL(first.from, again.from);
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ReservationTest);
