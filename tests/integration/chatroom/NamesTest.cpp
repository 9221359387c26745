//
// Nicks and room names on the real webchatd: two spellings of one name
// (case, fullwidth forms, a decomposed accent) are one nick in a room and
// one room, shown as typed; look-alikes of another script are refused; and
// a room's history is found under any spelling after a restart (SQLite).
//

#include "ChatTestSupport.h"

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

// UTF-8 percent-encoded for a URL's path or query.
std::string encoded(const std::string& text)
{
	static const char hex[] = "0123456789ABCDEF";
	std::string out;
	for (const char c : text)
	{
		const auto byte = static_cast<unsigned char>(c);
		const bool plain = (byte >= 'a' && byte <= 'z') || (byte >= 'A' && byte <= 'Z') || (byte >= '0' && byte <= '9') || byte == '-' || byte == '_';
		if (plain)
		{
			out += c;
			continue;
		}
		out += '%';
		out += hex[byte >> 4];
		out += hex[byte & 0x0F];
	}
	return out;
}

std::string path(const std::string& room, const std::string& nick)
{
	return "/" + encoded(room) + "?nick=" + encoded(nick);
}

const std::string FullwidthAlice = "\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85";
const std::string CyrillicAlice = "\xD0\xB0" "lice"; // а (U+0430) and Latin lice

} // namespace

class NamesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(NamesTest);
	CPPUNIT_TEST(testSpellingsOfATakenNickAreTaken);
	CPPUNIT_TEST(testLookAlikeOfAnotherScriptIsInvalid);
	CPPUNIT_TEST(testNickShownInDisplayForm);
	CPPUNIT_TEST(testRenameToAnotherSpelling);
	CPPUNIT_TEST(testSpellingsOfARoomAreOneRoom);
	CPPUNIT_TEST(testRoomHistoryUnderAnySpellingAfterRestart);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSpellingsOfATakenNickAreTaken()
	{
		ChatServer server;
		ChatClient alice(server.port, path("lobby", "alice"));
		alice.expect("welcome");
		for (const std::string& other : {std::string("Alice"), std::string("ALICE"), FullwidthAlice})
		{
			ChatClient impostor(server.port, path("lobby", other));
			impostor.expectRefusal("nick_taken", 4409);
		}
		// Another room is another set of nicks.
		ChatClient elsewhere(server.port, path("other", "Alice"));
		CPPUNIT_ASSERT_EQUAL(std::string("Alice"), elsewhere.expect("welcome")->getValue<std::string>("nick"));
		// Free once she left, in any spelling.
		alice.leave();
		ChatClient next(server.port, path("lobby", "ALICE"));
		const auto welcome = next.expect("welcome");
		CPPUNIT_ASSERT((std::vector<std::string>{"ALICE"}) == strings(welcome->getArray("users")));
	}

	void testLookAlikeOfAnotherScriptIsInvalid()
	{
		ChatServer server;
		ChatClient alice(server.port, path("lobby", "alice"));
		alice.expect("welcome");
		ChatClient impostor(server.port, path("lobby", CyrillicAlice));
		impostor.expectRefusal("invalid_nick", 4400);
		// And in a rename, refused without closing.
		ChatClient bob(server.port, path("lobby", "bob"));
		bob.expect("welcome");
		alice.expect("join");
		bob.send(nickChange(CyrillicAlice));
		bob.expectRefusal("invalid_nick", 0);
		ChatClient room(server.port, "/l%D0%BEbby?nick=carol"); // Cyrillic о
		room.expectRefusal("invalid_room", 4400);
	}

	void testNickShownInDisplayForm()
	{
		ChatServer server;
		// Typed decomposed (e and a combining acute), shown composed: one
		// nick with the composed spelling.
		ChatClient rene(server.port, path("lobby", "Rene\xCC\x81"));
		CPPUNIT_ASSERT_EQUAL(std::string("Ren\xC3\xA9"), rene.expect("welcome")->getValue<std::string>("nick"));
		ChatClient again(server.port, path("lobby", "Ren\xC3\xA9"));
		again.expectRefusal("nick_taken", 4409);
		rene.send(say("salut"));
		CPPUNIT_ASSERT_EQUAL(std::string("Ren\xC3\xA9"), rene.expect("message")->getValue<std::string>("nick"));
	}

	void testRenameToAnotherSpelling()
	{
		ChatServer server;
		ChatClient alice(server.port, path("lobby", "alice"));
		alice.expect("welcome");
		ChatClient bob(server.port, path("lobby", "bob"));
		bob.expect("welcome");
		alice.expect("join");

		// Her own nick spelt another way: a change of how it is shown.
		alice.send(nickChange("Alice"));
		for (auto* client : {&alice, &bob})
		{
			const auto event = client->expect("nick");
			CPPUNIT_ASSERT_EQUAL(std::string("alice"), event->getValue<std::string>("old"));
			CPPUNIT_ASSERT_EQUAL(std::string("Alice"), event->getValue<std::string>("nick"));
		}
		// Hers in any spelling is taken for bob; the connection stays.
		for (const std::string& other : {std::string("alice"), FullwidthAlice})
		{
			bob.send(nickChange(other));
			bob.expectRefusal("nick_taken", 0);
		}
		bob.send(say("still here"));
		CPPUNIT_ASSERT_EQUAL(std::string("bob"), bob.expect("message")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), alice.expect("message")->getValue<std::string>("text"));
	}

	void testSpellingsOfARoomAreOneRoom()
	{
		ChatServer server;
		ChatClient an(server.port, path("Lobby", "An"));
		CPPUNIT_ASSERT_EQUAL(std::string("Lobby"), an.expect("welcome")->getValue<std::string>("room"));
		ChatClient binh(server.port, path("lobby", "Binh"));
		const auto welcome = binh.expect("welcome");
		// One room, shown as its first member spelt it.
		CPPUNIT_ASSERT_EQUAL(std::string("Lobby"), welcome->getValue<std::string>("room"));
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Binh"}) == strings(welcome->getArray("users")));
		an.expect("join");
		ChatClient chi(server.port, path("\xEF\xBC\xAC\xEF\xBC\xAF\xEF\xBC\xA2\xEF\xBC\xA2\xEF\xBC\xB9", "Chi")); // ＬＯＢＢＹ
		chi.expect("welcome");
		an.expect("join");
		binh.expect("join");

		binh.send(say("one room"));
		for (auto* client : {&an, &binh, &chi})
		{
			const auto message = client->expect("message");
			CPPUNIT_ASSERT_EQUAL(std::string("one room"), message->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), message->getValue<Poco::UInt64>("id"));
		}
	}

	void testRoomHistoryUnderAnySpellingAfterRestart()
	{
		ChatServer server;
		std::string epoch;
		{
			ChatClient an(server.port, path("lobby", "An"));
			epoch = an.expect("welcome")->getValue<std::string>("epoch");
			for (const char* text : {"first", "second"})
			{
				an.send(say(text));
				an.expect("message");
			}
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		server.start();

		ChatClient binh(server.port, path("LOBBY", "Binh"));
		const auto welcome = binh.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("LOBBY"), welcome->getValue<std::string>("room"));
		CPPUNIT_ASSERT_EQUAL(epoch, welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT(range(1, 2) == historyIds(welcome));
		CPPUNIT_ASSERT_EQUAL(std::string("second"), welcome->getArray("history")->getObject(1)->getValue<std::string>("text"));
		binh.send(say("third"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(3), binh.expect("message")->getValue<Poco::UInt64>("id"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(NamesTest);
