// ClientCommand: what a client's text frame means.
#include "ClientCommand.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::ClientCommand;
using Kind = webchat::chatroom::ClientCommand::Kind;

class ClientCommandTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ClientCommandTest);
	CPPUNIT_TEST(testMessage);
	CPPUNIT_TEST(testNick);
	CPPUNIT_TEST(testNonObjectsAreText);
	CPPUNIT_TEST(testBrokenJsonIsText);
	CPPUNIT_TEST(testBadRequests);
	CPPUNIT_TEST(testEscapesAreDecoded);
	CPPUNIT_TEST(testExtraFieldsIgnored);
	CPPUNIT_TEST(testCommonMessageShapeSkipsTheParser);
	CPPUNIT_TEST(testAuth);
	CPPUNIT_TEST(testBadAuthFrames);
	CPPUNIT_TEST(testHistory);
	CPPUNIT_TEST(testHistoryLimitIsCapped);
	CPPUNIT_TEST(testBadHistoryRequests);
	CPPUNIT_TEST(testTyping);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMessage()
	{
		const auto command = ClientCommand::parse(R"({"type":"message","text":"Xin chào!"})");
		CPPUNIT_ASSERT(command.kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string("Xin chào!"), std::string(command.argument()));
		const auto spaced = ClientCommand::parse(" \n\t{ \"text\" : \"\" , \"type\" : \"message\" } \r\n");
		CPPUNIT_ASSERT(spaced.kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string(), std::string(spaced.argument()));
	}

	void testNick()
	{
		const auto command = ClientCommand::parse(R"({"type":"nick","nick":"An Nguyễn"})");
		CPPUNIT_ASSERT(command.kind() == Kind::Nick);
		CPPUNIT_ASSERT_EQUAL(std::string("An Nguyễn"), std::string(command.argument()));
	}

	void testNonObjectsAreText()
	{
		for (const std::string frame : {"hello", "\"hello\"", "[1,2]", "42", "null", "", "  ", "<b>hi</b>", "} {", "x{\"type\":\"nick\"}"})
		{
			const auto command = ClientCommand::parse(frame);
			CPPUNIT_ASSERT_MESSAGE(frame, command.kind() == Kind::Message);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(frame, frame, std::string(command.argument()));
		}
	}

	void testBrokenJsonIsText()
	{
		for (const std::string frame : {"{hi", "{", "{}}", "{\"type\":\"nick\"", "{\"type\":\"message\",\"text\":\"a\"} trailing", ":-{", "{'type':'message'}"})
		{
			const auto command = ClientCommand::parse(frame);
			CPPUNIT_ASSERT_MESSAGE(frame, command.kind() == Kind::Message);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(frame, frame, std::string(command.argument()));
		}
	}

	void testBadRequests()
	{
		for (const char* frame : {"{}", R"({"type":"shout","text":"x"})", R"({"type":1})", R"({"type":null})", R"({"text":"no type"})",
				 R"({"type":"message"})", R"({"type":"message","text":42})", R"({"type":"message","text":["a"]})",
				 R"({"type":"nick"})", R"({"type":"nick","nick":null})", R"({"type":"nick","nick":{"a":1}})", R"({"type":["message"]})"})
		{
			const auto command = ClientCommand::parse(frame);
			CPPUNIT_ASSERT_MESSAGE(frame, command.kind() == Kind::BadRequest);
			CPPUNIT_ASSERT_MESSAGE(frame, !command.problem().empty());
		}
	}

	void testEscapesAreDecoded()
	{
		const auto command = ClientCommand::parse(R"({"type":"message","text":"a\u0000b\n\"c\" \u00e0 \ud83d\ude00 \u003c"})");
		CPPUNIT_ASSERT(command.kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string("a") + '\0' + "b\n\"c\" à 😀 <", std::string(command.argument()));
		// A lone surrogate cannot become UTF-8: not a valid object, so text.
		const std::string lone = R"({"type":"message","text":"\ud800"})";
		CPPUNIT_ASSERT(ClientCommand::parse(lone).kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(lone, std::string(ClientCommand::parse(lone).argument()));
	}

	void testExtraFieldsIgnored()
	{
		const auto command = ClientCommand::parse(R"({"type":"message","text":"hi","id":7,"nick":"someone else"})");
		CPPUNIT_ASSERT(command.kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), std::string(command.argument()));
	}
	// The page's exact shape is read as a slice of the frame; every near miss
	// gets the parser's result.
	void testCommonMessageShapeSkipsTheParser()
	{
		const std::string frame = R"({"type":"message","text":"Xin chào <b>!</b> {} ] 'q'"})";
		const auto command = ClientCommand::parse(frame);
		CPPUNIT_ASSERT(command.kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string("Xin chào <b>!</b> {} ] 'q'"), std::string(command.argument()));
		CPPUNIT_ASSERT(command.argument().data() > frame.data() && command.argument().data() < frame.data() + frame.size());

		const std::string empty = R"({"type":"message","text":""})";
		CPPUNIT_ASSERT_EQUAL(std::string(), std::string(ClientCommand::parse(empty).argument()));

		// An escape: decoded by the parser.
		const auto escaped = ClientCommand::parse(R"({"type":"message","text":"say \"hi\" \\ back"})");
		CPPUNIT_ASSERT(escaped.kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string("say \"hi\" \\ back"), std::string(escaped.argument()));
		// Two string fields glued by the slice's quotes: not one text.
		const auto twoFields = ClientCommand::parse(R"({"type":"message","text":"a","nick":"b"})");
		CPPUNIT_ASSERT(twoFields.kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(std::string("a"), std::string(twoFields.argument()));
		// A raw control character is not JSON: the whole frame is text.
		const std::string control = std::string(R"({"type":"message","text":"a)") + '\x01' + R"(b"})";
		CPPUNIT_ASSERT(ClientCommand::parse(control).kind() == Kind::Message);
		CPPUNIT_ASSERT_EQUAL(control, std::string(ClientCommand::parse(control).argument()));
	}

	void testAuth()
	{
		const std::string token = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbiJ9.c2ln";
		const auto command = ClientCommand::parse(R"({"type":"auth","token":")" + token + R"("})");
		CPPUNIT_ASSERT(command.kind() == Kind::Auth);
		CPPUNIT_ASSERT_EQUAL(token, std::string(command.argument()));
		// Any key order and spacing; the token is not checked here (the
		// verifier does that).
		const auto spaced = ClientCommand::parse(R"( { "token" : "a.b.c" , "type" : "auth" } )");
		CPPUNIT_ASSERT(spaced.kind() == Kind::Auth);
		CPPUNIT_ASSERT_EQUAL(std::string("a.b.c"), std::string(spaced.argument()));
	}

	void testBadAuthFrames()
	{
		for (const char* frame : {R"({"type":"auth"})", R"({"type":"auth","token":""})", R"({"type":"auth","token":42})", R"({"type":"auth","token":null})",
				 R"({"type":"auth","token":["a.b.c"]})", R"({"type":"auth","jwt":"a.b.c"})"})
		{
			const auto command = ClientCommand::parse(frame);
			CPPUNIT_ASSERT_MESSAGE(frame, command.kind() == Kind::BadRequest);
			CPPUNIT_ASSERT_MESSAGE(frame, command.problem().find("token") != std::string::npos);
		}
		// Not an object: the text of a message, like any other.
		CPPUNIT_ASSERT(ClientCommand::parse("auth a.b.c").kind() == Kind::Message);
	}

	void testHistory()
	{
		const auto command = ClientCommand::parse(R"({"type":"history","before":42,"limit":20})");
		CPPUNIT_ASSERT(command.kind() == Kind::History);
		CPPUNIT_ASSERT(!command.isModeration());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), command.history().before);
		CPPUNIT_ASSERT_EQUAL(std::size_t(20), command.history().limit);
		// The largest id a browser keeps exact.
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1) << 53, ClientCommand::parse(R"({"type":"history","before":9007199254740992,"limit":1})").history().before);
	}

	void testHistoryLimitIsCapped()
	{
		CPPUNIT_ASSERT(ClientCommand::MaxHistoryPage >= 50);
		const auto large = ClientCommand::parse(R"({"type":"history","before":5,"limit":100000})");
		CPPUNIT_ASSERT(large.kind() == Kind::History);
		CPPUNIT_ASSERT_EQUAL(ClientCommand::MaxHistoryPage, large.history().limit);
		const auto without = ClientCommand::parse(R"({"type":"history","before":5})");
		CPPUNIT_ASSERT(without.kind() == Kind::History);
		CPPUNIT_ASSERT_EQUAL(ClientCommand::MaxHistoryPage, without.history().limit);
	}

	void testBadHistoryRequests()
	{
		for (const char* frame : {R"({"type":"history"})", R"({"type":"history","before":0,"limit":10})", R"({"type":"history","before":-1})",
				 R"({"type":"history","before":"12"})", R"({"type":"history","before":1.5})", R"({"type":"history","before":true})",
				 R"({"type":"history","before":9007199254740993})", R"({"type":"history","before":null,"limit":10})"})
		{
			const auto command = ClientCommand::parse(frame);
			CPPUNIT_ASSERT_MESSAGE(frame, command.kind() == Kind::BadRequest);
			CPPUNIT_ASSERT_MESSAGE(frame + command.problem(), command.problem().find("\"before\"") != std::string::npos);
		}
		for (const char* frame : {R"({"type":"history","before":10,"limit":0})", R"({"type":"history","before":10,"limit":-5})",
				 R"({"type":"history","before":10,"limit":"50"})", R"({"type":"history","before":10,"limit":2.5})", R"({"type":"history","before":10,"limit":[50]})"})
		{
			const auto command = ClientCommand::parse(frame);
			CPPUNIT_ASSERT_MESSAGE(frame, command.kind() == Kind::BadRequest);
			CPPUNIT_ASSERT_MESSAGE(frame + command.problem(), command.problem().find("\"limit\"") != std::string::npos);
		}
	}

	void testTyping()
	{
		const auto command = ClientCommand::parse(R"({"type":"typing"})");
		CPPUNIT_ASSERT(command.kind() == Kind::Typing);
		CPPUNIT_ASSERT(!command.isModeration());
		// Extra fields are ignored, as everywhere.
		CPPUNIT_ASSERT(ClientCommand::parse(R"({"type":"typing","nick":"someone else"})").kind() == Kind::Typing);
		// The moderation kinds and only they are moderation.
		CPPUNIT_ASSERT(ClientCommand::parse(R"({"type":"topic","text":""})").isModeration());
		CPPUNIT_ASSERT(!ClientCommand::parse(R"({"type":"nick","nick":"x"})").isModeration());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ClientCommandTest);
