//
// Moderation on the real webchatd: moderators and admins come from signed
// identities (auth = jwt, HS256 tokens signed at test time by TestTokens).
// Every command by a moderator and refused (forbidden) for a user; a
// deleted message as a tombstone for everyone, in later welcomes and after
// a restart, its text gone from the database file; kicks (4403); mutes and
// slow mode with the seconds left; bans of a nick, of its holder under
// another nick and of an address (admins only), across a restart, lifted
// by unban; the topic in welcomes, across a restart; the audit log.
//

#include "ChatTestSupport.h"
#include "ModeratorTokens.h"

#include "Poco/FileStream.h"

#include <iterator>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

constexpr std::uint16_t Forbidden = 4403;

std::string adminPath(const std::string& room = "lobby")
{
	return "/" + room + "?token=" + identityToken("admin-1", "Boss", "\"admin\"");
}

// A verified user without roles.
std::string userPath(const std::string& subject, const std::string& name, const std::string& room = "lobby")
{
	return "/" + room + "?token=" + identityToken(subject, name);
}

std::string jwtServerKeys(const std::string& more = "")
{
	return jwtListenerKeys() + more;
}

std::string frame(const std::string& type, const std::string& fields)
{
	return "{\"type\":\"" + type + "\"" + (fields.empty() ? "" : "," + fields) + "}";
}

bool fileContains(const std::string& path, const std::string& text)
{
	Poco::FileInputStream in(path, std::ios::binary);
	const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	return bytes.find(text) != std::string::npos;
}

// The next error's code, and its seconds (-1 when it has none).
// A moderator's command takes effect before the moderator's next frame is
// read: once a message the moderator sends after it reaches everyone, the
// command holds for every connection.
void settle(ChatClient& moderator, std::initializer_list<ChatClient*> others)
{
	moderator.send("(settled)");
	CPPUNIT_ASSERT_EQUAL(std::string("(settled)"), moderator.expect("message")->getValue<std::string>("text"));
	for (ChatClient* other : others) CPPUNIT_ASSERT_EQUAL(std::string("(settled)"), other->expect("message")->getValue<std::string>("text"));
}

std::pair<std::string, std::int64_t> nextError(ChatClient& client)
{
	const auto error = client.expect("error");
	return {error->getValue<std::string>("code"), error->has("seconds") ? error->getValue<std::int64_t>("seconds") : -1};
}

} // namespace

class ModerationTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ModerationTest);
	CPPUNIT_TEST(testEveryCommandIsForbiddenToAUser);
	CPPUNIT_TEST(testBadValuesAreBadRequests);
	CPPUNIT_TEST(testDeleteLeavesATombstoneAcrossARestart);
	CPPUNIT_TEST(testKickCloses4403);
	CPPUNIT_TEST(testMuteRefusesMessagesUntilLifted);
	CPPUNIT_TEST(testSlowmode);
	CPPUNIT_TEST(testTopicInWelcomesAcrossARestart);
	CPPUNIT_TEST(testBanByNickHoldsItsHolderAcrossARestart);
	CPPUNIT_TEST(testBanByAddressIsForAdmins);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryCommandIsForbiddenToAUser()
	{
		ChatServer server(jwtServerKeys());
		ChatClient user(server.port, userPath("user-1", "An"));
		user.expect("welcome");
		ChatClient guest(server.port, "/lobby?nick=Chi");
		guest.expect("welcome");
		user.expect("join");
		const std::string commands[] = {frame("delete", "\"id\":1"), frame("kick", "\"nick\":\"Chi\""), frame("mute", "\"nick\":\"Chi\",\"seconds\":60"),
			frame("ban", "\"nick\":\"Chi\",\"seconds\":60"), frame("unban", "\"nick\":\"Chi\""), frame("slowmode", "\"seconds\":5"),
			frame("topic", "\"text\":\"mine now\"")};
		for (auto* client : {&user, &guest})
		{
			for (const std::string& command : commands)
			{
				client->send(command);
				const auto error = client->expect("error");
				CPPUNIT_ASSERT_EQUAL_MESSAGE(command, std::string("forbidden"), error->getValue<std::string>("code"));
			}
		}
		// Nothing happened: both still chat, no topic.
		guest.send("still here");
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), user.expect("message")->getValue<std::string>("text"));
		ChatClient later(server.port, "/lobby?nick=Dung");
		CPPUNIT_ASSERT(!later.expect("welcome")->has("topic"));
	}

	void testBadValuesAreBadRequests()
	{
		ChatServer server(jwtServerKeys());
		ChatClient mod(server.port, moderatorPath());
		mod.expect("welcome");
		for (const std::string& command : {frame("delete", "\"id\":0"), frame("mute", "\"nick\":\"Chi\",\"seconds\":999999999"),
				 frame("slowmode", "\"seconds\":-1"), frame("topic", "\"text\":\"" + std::string(501, 't') + "\""),
				 frame("kick", "\"nick\":\"Chi\",\"reason\":\"" + std::string(301, 'r') + "\""), frame("ban", "\"nick\":\"\"")})
		{
			mod.send(command);
			const auto error = mod.expect("error");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(command, std::string("bad_request"), error->getValue<std::string>("code"));
		}
	}

	void testDeleteLeavesATombstoneAcrossARestart()
	{
		const std::string secret = "a-rude-message-7f3a9c";
		ChatServer server(jwtServerKeys("batch_window_ms = 10"));
		{
			ChatClient mod(server.port, moderatorPath());
			mod.expect("welcome");
			ChatClient an(server.port, "/lobby?nick=An");
			an.expect("welcome");
			mod.expect("join");
			an.send("hello");
			an.send(secret);
			an.send("bye");
			for (auto* client : {&an, &mod})
				for (int i = 0; i < 3; ++i) client->expect("message");
			mod.send(frame("delete", "\"id\":2"));
			for (auto* client : {&an, &mod})
			{
				const auto deleted = client->expect("deleted");
				CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), deleted->getValue<Poco::UInt64>("id"));
				CPPUNIT_ASSERT_EQUAL(std::string("Mod"), deleted->getValue<std::string>("by"));
			}
			// An id the room never gave.
			mod.send(frame("delete", "\"id\":99"));
			CPPUNIT_ASSERT_EQUAL(std::string("not_found"), nextError(mod).first);

			ChatClient later(server.port, "/lobby?nick=Chi");
			const auto welcome = later.expect("welcome");
			CPPUNIT_ASSERT_MESSAGE(later.lastRaw, later.lastRaw.find(secret) == std::string::npos);
			const auto tombstone = welcome->getArray("history")->getObject(1);
			CPPUNIT_ASSERT(tombstone->getValue<bool>("deleted"));
			CPPUNIT_ASSERT_EQUAL(std::string("Mod"), tombstone->getValue<std::string>("by"));
			CPPUNIT_ASSERT(!tombstone->has("text"));
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		CPPUNIT_ASSERT_MESSAGE("the deleted text is still in the database", !fileContains(server.database, secret));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), server.process->output().find("action=delete target=\"2\" room=\"lobby\"") != std::string::npos);
		server.start();
		ChatClient back(server.port, "/lobby?nick=Chi");
		const auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT(range(1, 3) == historyIds(welcome));
		CPPUNIT_ASSERT_MESSAGE(back.lastRaw, back.lastRaw.find(secret) == std::string::npos);
		CPPUNIT_ASSERT(welcome->getArray("history")->getObject(1)->getValue<bool>("deleted"));
		CPPUNIT_ASSERT_EQUAL(std::string("bye"), welcome->getArray("history")->getObject(2)->getValue<std::string>("text"));
	}

	void testKickCloses4403()
	{
		ChatServer server(jwtServerKeys());
		ChatClient mod(server.port, moderatorPath());
		mod.expect("welcome");
		ChatClient an(server.port, "/lobby?nick=An");
		an.expect("welcome");
		mod.expect("join");
		mod.send(frame("kick", "\"nick\":\"an\",\"reason\":\"flooding\""));
		const auto kicked = an.expect("kicked");
		CPPUNIT_ASSERT_EQUAL(std::string("Mod"), kicked->getValue<std::string>("by"));
		CPPUNIT_ASSERT_EQUAL(std::string("flooding"), kicked->getValue<std::string>("reason"));
		CPPUNIT_ASSERT_EQUAL(int(Forbidden), int(an.ws.waitForClose()));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), mod.expect("leave")->getValue<std::string>("nick"));
		mod.send(frame("kick", "\"nick\":\"An\""));
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), nextError(mod).first);
		// A kick is not a ban.
		ChatClient again(server.port, "/lobby?nick=An");
		again.expect("welcome");
	}

	void testMuteRefusesMessagesUntilLifted()
	{
		ChatServer server(jwtServerKeys());
		ChatClient mod(server.port, moderatorPath());
		mod.expect("welcome");
		ChatClient an(server.port, userPath("user-an", "An"));
		an.expect("welcome");
		mod.expect("join");
		mod.send(frame("mute", "\"nick\":\"An\",\"seconds\":120"));
		settle(mod, {&an});
		an.send("can I speak?");
		const auto [code, seconds] = nextError(an);
		CPPUNIT_ASSERT_EQUAL(std::string("muted"), code);
		CPPUNIT_ASSERT(seconds > 100 && seconds <= 120);
		// Renamed, the same identity is still muted.
		an.send(nickChange("An2"));
		an.expect("nick");
		mod.expect("nick");
		an.send("and now?");
		CPPUNIT_ASSERT_EQUAL(std::string("muted"), nextError(an).first);
		mod.send(frame("mute", "\"nick\":\"An\",\"seconds\":0"));
		settle(mod, {&an});
		an.send("free");
		CPPUNIT_ASSERT_EQUAL(std::string("free"), mod.expect("message")->getValue<std::string>("text"));
	}

	void testSlowmode()
	{
		ChatServer server(jwtServerKeys());
		ChatClient mod(server.port, moderatorPath());
		mod.expect("welcome");
		ChatClient an(server.port, "/lobby?nick=An");
		an.expect("welcome");
		mod.expect("join");
		mod.send(frame("slowmode", "\"seconds\":60"));
		settle(mod, {&an});
		an.send("one");
		CPPUNIT_ASSERT_EQUAL(std::string("one"), mod.expect("message")->getValue<std::string>("text"));
		an.expect("message");
		an.send("two");
		const auto [code, seconds] = nextError(an);
		CPPUNIT_ASSERT_EQUAL(std::string("slow_mode"), code);
		CPPUNIT_ASSERT(seconds > 50 && seconds <= 60);
		// Moderators are not held back.
		mod.send("m1");
		mod.send("m2");
		CPPUNIT_ASSERT_EQUAL(std::string("m1"), an.expect("message")->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("m2"), an.expect("message")->getValue<std::string>("text"));
		mod.expect("message");
		mod.expect("message");
		mod.send(frame("slowmode", "\"seconds\":0"));
		settle(mod, {&an});
		an.send("three");
		CPPUNIT_ASSERT_EQUAL(std::string("three"), mod.expect("message")->getValue<std::string>("text"));
	}

	void testTopicInWelcomesAcrossARestart()
	{
		ChatServer server(jwtServerKeys());
		{
			ChatClient mod(server.port, moderatorPath());
			mod.expect("welcome");
			ChatClient an(server.port, "/lobby?nick=An");
			an.expect("welcome");
			mod.expect("join");
			mod.send(frame("topic", "\"text\":\"Chào mừng, be kind\""));
			for (auto* client : {&an, &mod})
			{
				const auto topic = client->expect("topic");
				CPPUNIT_ASSERT_EQUAL(std::string("Chào mừng, be kind"), topic->getValue<std::string>("text"));
				CPPUNIT_ASSERT_EQUAL(std::string("Mod"), topic->getValue<std::string>("by"));
			}
			ChatClient later(server.port, "/lobby?nick=Chi");
			CPPUNIT_ASSERT_EQUAL(std::string("Chào mừng, be kind"), later.expect("welcome")->getValue<std::string>("topic"));
			ChatClient elsewhere(server.port, "/kitchen?nick=Chi");
			CPPUNIT_ASSERT(!elsewhere.expect("welcome")->has("topic"));
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		server.start();
		ChatClient back(server.port, "/lobby?nick=Chi");
		CPPUNIT_ASSERT_EQUAL(std::string("Chào mừng, be kind"), back.expect("welcome")->getValue<std::string>("topic"));
	}

	void testBanByNickHoldsItsHolderAcrossARestart()
	{
		ChatServer server(jwtServerKeys());
		{
			ChatClient mod(server.port, moderatorPath());
			mod.expect("welcome");
			ChatClient an(server.port, userPath("user-an", "An"));
			an.expect("welcome");
			mod.expect("join");
			mod.send(frame("ban", "\"nick\":\"An\",\"seconds\":3600,\"reason\":\"spam\""));
			// Kicked at once.
			const auto kicked = an.expect("kicked");
			CPPUNIT_ASSERT_EQUAL(std::string("spam"), kicked->getValue<std::string>("reason"));
			CPPUNIT_ASSERT_EQUAL(int(Forbidden), int(an.ws.waitForClose()));
		}
		// The nick, by anyone, and the identity under another nick.
		for (const std::string& path : {std::string("/lobby?nick=an"), userPath("user-an", "Someone Else")})
		{
			ChatClient again(server.port, path);
			const auto [code, seconds] = nextError(again);
			CPPUNIT_ASSERT_EQUAL(std::string("banned"), code);
			CPPUNIT_ASSERT(seconds > 3500 && seconds <= 3600);
			CPPUNIT_ASSERT_EQUAL(int(Forbidden), int(again.ws.waitForClose()));
		}
		// Another room is not this room's ban; another user is not banned.
		ChatClient kitchen(server.port, "/kitchen?nick=An");
		kitchen.expect("welcome");
		ChatClient other(server.port, userPath("user-chi", "Chi"));
		other.expect("welcome");

		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), server.process->output().find("by=\"Mod\" action=ban target=\"An\" room=\"lobby\" reason=\"spam (3600 s)\"") != std::string::npos);
		server.start();
		{
			ChatClient again(server.port, "/lobby?nick=An");
			again.expectRefusal("banned", Forbidden);
		}
		ChatClient mod(server.port, moderatorPath());
		mod.expect("welcome");
		mod.send(frame("unban", "\"nick\":\"AN\""));
		mod.send(frame("unban", "\"nick\":\"AN\""));
		CPPUNIT_ASSERT_EQUAL(std::string("not_found"), nextError(mod).first);
		ChatClient welcomeBack(server.port, userPath("user-an", "An"));
		welcomeBack.expect("welcome");
	}

	void testBanByAddressIsForAdmins()
	{
		ChatServer server(jwtServerKeys());
		ChatClient mod(server.port, moderatorPath());
		mod.expect("welcome");
		mod.send(frame("ban", "\"address\":\"127.0.0.1\",\"seconds\":60"));
		CPPUNIT_ASSERT_EQUAL(std::string("forbidden"), nextError(mod).first);
		ChatClient stillIn(server.port, "/lobby?nick=An");
		stillIn.expect("welcome");
		mod.expect("join");

		// Every test client is 127.0.0.1: banned, all of them are kicked.
		ChatClient admin(server.port, adminPath());
		admin.expect("welcome");
		stillIn.expect("join");
		mod.expect("join");
		admin.send(frame("ban", "\"address\":\"127.0.0.1\",\"seconds\":60"));
		// Others' leaves may come first: they are kicked too.
		Object::Ptr event;
		do
			event = stillIn.next();
		while (event->getValue<std::string>("type") == "leave");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(stillIn.lastRaw, std::string("kicked"), event->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(int(Forbidden), int(stillIn.ws.waitForClose()));
		ChatClient refused(server.port, "/lobby?nick=Chi");
		refused.expectRefusal("banned", Forbidden);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ModerationTest);
