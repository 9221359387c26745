//
// leave_grace_ms on the real webchatd: a member whose connection closes
// stays in the room for the grace; the same speaker (same nick and same
// from: its nick token or its signed identity) coming back within it takes
// its place unseen by the others, with a normal welcome; anyone else gets
// nick_taken; without a return the leave is announced when the grace ends.
// A connection the server closes (a kick, a refusal) leaves at once, and a
// stop does not wait for graces.
//

#include "ChatTestSupport.h"
#include "ModeratorTokens.h"

#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

using Clock = std::chrono::steady_clock;

std::int64_t msSince(Clock::time_point start)
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

// What a client keeps to come back as itself.
struct Credentials
{
	std::string token;
	std::string epoch;
	std::string from;
};

Credentials credentialsOf(const Object::Ptr& welcome)
{
	return {welcome->getValue<std::string>("token"), welcome->getValue<std::string>("epoch"), welcome->getValue<std::string>("from")};
}

} // namespace

class LeaveGraceTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(LeaveGraceTest);
	CPPUNIT_TEST(testResumeWithinTheGraceIsUnseen);
	CPPUNIT_TEST(testLeaveIsAnnouncedWhenTheGraceEnds);
	CPPUNIT_TEST(testSomeoneElseFindsTheNickTaken);
	CPPUNIT_TEST(testSignedIdentityComesBack);
	CPPUNIT_TEST(testKickLeavesAtOnce);
	CPPUNIT_TEST(testKickOfAnAwayMemberLeavesAtOnce);
	CPPUNIT_TEST(testRefusedConnectionLeavesAtOnce);
	CPPUNIT_TEST(testStopDoesNotWaitForGraces);
	CPPUNIT_TEST(testAwayMemberHoldsItsRoom);
	CPPUNIT_TEST_SUITE_END();

public:
	void testResumeWithinTheGraceIsUnseen()
	{
		ChatServer server("leave_grace_ms = 5000");
		Credentials an;
		{
			ChatClient first(server.port, "/g?nick=An");
			an = credentialsOf(first.expect("welcome"));
			ChatClient bo(server.port, "/g?nick=Bo");
			bo.expect("welcome");
			first.expect("join");
			chat(first, 2, 1);
			bo.expect("message");
			bo.expect("message");
			// Gone without a word at the end of the scope: the sockets
			// close, no close frame.
		}
		// Bo came and went in that scope as well; a fresh one watches now.
		ChatClient chi(server.port, "/g?nick=Chi");
		auto welcome = chi.expect("welcome");
		// An is still listed while away; Bo, gone too, as well.
		CPPUNIT_ASSERT(std::vector<std::string>({"An", "Bo", "Chi"}) == strings(welcome->getArray("users")));

		ChatClient back(server.port, "/g?nick=An&token=" + an.token + "&since=1&epoch=" + an.epoch);
		welcome = back.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(an.from, welcome->getValue<std::string>("from"));
		CPPUNIT_ASSERT(range(2, 2) == historyIds(welcome));
		CPPUNIT_ASSERT(!welcome->has("reset") && !welcome->has("gap"));
		CPPUNIT_ASSERT(std::vector<std::string>({"An", "Bo", "Chi"}) == strings(welcome->getArray("users")));
		// Chi saw no leave and no join: its next event is An's message.
		back.send("back");
		CPPUNIT_ASSERT_EQUAL(std::string("back"), chi.expect("message")->getValue<std::string>("text"));
		back.expect("message");
		// Its own leave later is announced as any.
		back.leave();
		CPPUNIT_ASSERT_EQUAL(std::string("Bo"), chi.expect("leave", 8000)->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), chi.expect("leave", 8000)->getValue<std::string>("nick"));
	}

	void testLeaveIsAnnouncedWhenTheGraceEnds()
	{
		ChatServer server("leave_grace_ms = 600");
		ChatClient bo(server.port, "/g?nick=Bo");
		bo.expect("welcome");
		Clock::time_point gone;
		{
			ChatClient an(server.port, "/g?nick=An");
			an.expect("welcome");
			bo.expect("join");
			an.leave();
			gone = Clock::now();
		}
		const auto leave = bo.expect("leave", 5000);
		const std::int64_t waited = msSince(gone);
		CPPUNIT_ASSERT_EQUAL(std::string("An"), leave->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_MESSAGE(std::to_string(waited), waited >= 550 && waited < 3000);
		// Gone for good: the nick is free again, for anyone.
		ChatClient other(server.port, "/g?nick=An");
		other.expect("welcome");
	}

	void testSomeoneElseFindsTheNickTaken()
	{
		ChatServer server("leave_grace_ms = 10000");
		ChatClient bo(server.port, "/g?nick=Bo");
		bo.expect("welcome");
		Credentials an;
		{
			ChatClient first(server.port, "/g?nick=An");
			an = credentialsOf(first.expect("welcome"));
			bo.expect("join");
			first.leave();
		}
		// Another browser (another token, or none) under the nick, in any
		// spelling: taken, as while An was here.
		ChatClient stranger(server.port, "/g?nick=an");
		stranger.expectRefusal("nick_taken", 4409);
		ChatClient forger(server.port, "/g?nick=An&token=" + std::string(43, 'A'));
		forger.expectRefusal("nick_taken", 4409);
		// An itself, reloading its page (no since=), takes its place back,
		// whatever the spelling it asks for.
		ChatClient back(server.port, "/g?nick=AN&token=" + an.token);
		const auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), welcome->getValue<std::string>("nick"));
		back.send("hello again");
		CPPUNIT_ASSERT_EQUAL(std::string("hello again"), bo.expect("message")->getValue<std::string>("text"));
	}

	void testSignedIdentityComesBack()
	{
		ChatServer server(jwtListenerKeys() + "leave_grace_ms = 10000");
		const std::string path = "/g?token=" + identityToken("user-7", "Vy");
		ChatClient bo(server.port, "/g?nick=Bo");
		bo.expect("welcome");
		{
			ChatClient vy(server.port, path);
			CPPUNIT_ASSERT(vy.expect("welcome")->getValue<bool>("verified"));
			bo.expect("join");
			vy.leave();
		}
		// A fresh token of the same subject: the same speaker.
		ChatClient back(server.port, "/g?token=" + identityToken("user-7", "Vy"));
		const auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("Vy"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(welcome->getValue<bool>("verified"));
		back.send("still me");
		CPPUNIT_ASSERT_EQUAL(std::string("still me"), bo.expect("message")->getValue<std::string>("text"));
		// Another identity named Vy is not.
		ChatClient other(server.port, "/g?token=" + identityToken("user-8", "Vy"));
		other.expectRefusal("nick_taken", 4409);
	}

	void testKickLeavesAtOnce()
	{
		ChatServer server(jwtListenerKeys() + "leave_grace_ms = 60000");
		ChatClient mod(server.port, moderatorPath("g"));
		mod.expect("welcome");
		ChatClient an(server.port, "/g?nick=An");
		an.expect("welcome");
		mod.expect("join");
		mod.send(R"({"type":"kick","nick":"An"})");
		an.expect("kicked");
		CPPUNIT_ASSERT_EQUAL(int(4403), int(an.ws.waitForClose()));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), mod.expect("leave", 3000)->getValue<std::string>("nick"));
	}

	// A member away within its grace can be kicked too: it leaves now.
	void testKickOfAnAwayMemberLeavesAtOnce()
	{
		ChatServer server(jwtListenerKeys() + "leave_grace_ms = 60000");
		ChatClient mod(server.port, moderatorPath("g"));
		mod.expect("welcome");
		{
			ChatClient an(server.port, "/g?nick=An");
			an.expect("welcome");
			mod.expect("join");
			an.leave();
		}
		mod.send(R"({"type":"kick","nick":"an","reason":"gone"})");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), mod.expect("leave", 3000)->getValue<std::string>("nick"));
		// Kicked once: nobody of that nick is left to kick.
		mod.send(R"({"type":"kick","nick":"An"})");
		const auto error = mod.expect("error");
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), error->getValue<std::string>("code"));
		ChatClient other(server.port, "/g?nick=An");
		other.expect("welcome");
	}

	void testRefusedConnectionLeavesAtOnce()
	{
		ChatServer server("leave_grace_ms = 60000");
		ChatClient bo(server.port, "/g?nick=Bo");
		bo.expect("welcome");
		ChatClient an(server.port, "/g?nick=An");
		an.expect("welcome");
		bo.expect("join");
		// A binary frame: the server closes it (1003), no grace.
		an.ws.send(webchat::ws::Opcode::Binary, "\x01\x02");
		CPPUNIT_ASSERT_EQUAL(int(webchat::ws::CloseCode::Unsupported), int(an.ws.waitForClose()));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), bo.expect("leave", 3000)->getValue<std::string>("nick"));
	}

	void testStopDoesNotWaitForGraces()
	{
		ChatServer server("leave_grace_ms = 600000");
		{
			ChatClient an(server.port, "/g?nick=An");
			an.expect("welcome");
			an.leave();
		}
		ChatClient bo(server.port, "/g?nick=Bo");
		bo.expect("welcome");
		const auto start = Clock::now();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		CPPUNIT_ASSERT_MESSAGE(std::to_string(msSince(start)), msSince(start) < 5000);
	}

	// Room a stays while its member is away (it is still in it), and is
	// free to be forgotten once the grace ended, returns included.
	void testAwayMemberHoldsItsRoom()
	{
		ChatServer server("max_rooms = 1\nleave_grace_ms = 700");
		Credentials an;
		{
			ChatClient first(server.port, "/a?nick=An");
			an = credentialsOf(first.expect("welcome"));
			first.leave();
		}
		{
			ChatClient refused(server.port, "/b?nick=Chi");
			refused.expectRefusal("too_many_rooms", 4429);
		}
		{
			ChatClient back(server.port, "/a?nick=An&token=" + an.token);
			back.expect("welcome");
			back.leave();
		}
		std::this_thread::sleep_for(std::chrono::milliseconds(1500));
		ChatClient chi(server.port, "/b?nick=Chi");
		chi.expect("welcome");
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(LeaveGraceTest);
