// ClientCommand: what a client's text frame means.
#include "ClientCommand.h"
#include "ClientCommandDifference.h"
#include "MessageFrame.h"

#include <cppunit/extensions/HelperMacros.h>

#include <vector>

using webchat::chatroom::ClientCommand;
using webchat::chatroom::MessageFrame;
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
	CPPUNIT_TEST(testFastPathAgreesWithTheParser);
	CPPUNIT_TEST(testFastPathReadsBrowserShapes);
	CPPUNIT_TEST(testFastPathLeavesTheRestToTheParser);
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

	// Every shape of frame: parse() (MessageFrame first) and parseGeneral()
	// (Poco::JSON for every object) give the same command.
	void testFastPathAgreesWithTheParser()
	{
		for (const std::string& frame : frames())
		{
			const std::string difference = webchat::tests::clientCommandDifference(ClientCommand::parse(frame), ClientCommand::parseGeneral(frame));
			CPPUNIT_ASSERT_MESSAGE(frame + ": " + difference, difference.empty());
		}
	}

	// What JSON.stringify({type: "message", text}) writes, in either field
	// order and with white space, is read without the parser: a slice of
	// the frame when nothing is escaped, else decoded.
	void testFastPathReadsBrowserShapes()
	{
		struct Case
		{
			std::string frame;
			std::string text;
			MessageFrame::Read read;
		};
		const std::vector<Case> cases = {
			{R"({"type":"message","text":"hi"})", "hi", MessageFrame::Read::Slice},
			{R"({"text":"hi","type":"message"})", "hi", MessageFrame::Read::Slice},
			{" \t{ \"type\" :\n\"message\" ,\r\n \"text\" : \"\" } \n", "", MessageFrame::Read::Slice},
			{std::string(R"({"type":"message","text":"Xin chào <b>!</b> {} ] 'q' )") + "\u2028\"}", "Xin chào <b>!</b> {} ] 'q' \u2028", MessageFrame::Read::Slice},
			{R"({"type":"message","text":"line\u2028break"})", "line\u2028break", MessageFrame::Read::Decoded},
			{R"({"type":"message","text":"say \"hi\" \\ back\/"})", "say \"hi\" \\ back/", MessageFrame::Read::Decoded},
			{R"({"type":"message","text":"\b\f\n\r\t\u0000\u001F\u007f"})", std::string("\b\f\n\r\t") + '\0' + "\x1f\x7f", MessageFrame::Read::Decoded},
			{R"({"text":"\u00e0\u00C0\u20AC\ud83d\ude00\uDBFF\uDFFF","type":"message"})", "àÀ€😀\xf4\x8f\xbf\xbf", MessageFrame::Read::Decoded},
		};
		for (const Case& c : cases)
		{
			std::string_view text;
			std::string decoded;
			CPPUNIT_ASSERT_MESSAGE(c.frame, MessageFrame::read(c.frame, text, decoded) == c.read);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(c.frame, c.text, std::string(text));
			if (c.read == MessageFrame::Read::Slice)
				CPPUNIT_ASSERT_MESSAGE(c.frame, text.data() >= c.frame.data() && text.data() + text.size() <= c.frame.data() + c.frame.size());
			const auto command = ClientCommand::parse(c.frame);
			CPPUNIT_ASSERT_MESSAGE(c.frame, command.kind() == Kind::Message);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(c.frame, c.text, std::string(command.argument()));
		}
	}

	// Near misses are the parser's: its answer stands (the agreement test
	// above checks it is the same).
	void testFastPathLeavesTheRestToTheParser()
	{
		for (const std::string frame :
			{R"({"type":"message","text":"a","id":7})", R"({"type":"message","text":"a","text":"b"})", R"({"type":"message","type":"message","text":"a"})",
				R"({"t\u0065xt":"a","type":"message"})", R"({"type":"mess\u0061ge","text":"a"})", R"({"type":"nick","text":"a"})",
				R"({"type":"message","text":"\ud800"})", R"({"type":"message","text":"\udc00\ud800"})", R"({"type":"message","text":"\ud800\u0041"})",
				R"({"type":"message","text":"\x"})", R"({"type":"message","text":"\u12g4"})", R"({"type":"message","text":"a"}x)",
				R"({"type":"message","text":"a",})", R"({"type":"message","text":42})", R"({"type":"message"})", "{\"type\":\"message\",\"text\":\"\xff\"}",
				"{\"type\":\"message\",\"text\":\"a\x01\"}", "{\"type\":\"message\",\"text\":\"a\"}\x0b", "{\x0c\"type\":\"message\",\"text\":\"a\"}"})
		{
			std::string_view text;
			std::string decoded;
			CPPUNIT_ASSERT_MESSAGE(frame, MessageFrame::read(frame, text, decoded) == MessageFrame::Read::NotPlain);
		}
	}

private:
	// The table of frames both paths are given: every shape the fast path
	// reads, every near miss, and the other commands.
	static std::vector<std::string> frames()
	{
		const std::string head = R"({"type":"message","text":")";
		std::vector<std::string> frames = {
			// The plain shape, its field orders and white space
			R"({"type":"message","text":"hi"})", R"({"text":"hi","type":"message"})", R"({"type":"message","text":""})",
			" \t\r\n{ \"type\" : \"message\" , \"text\" : \"hi\" } \r\n", "{\"text\"\n:\n\"a b\"\n,\n\"type\"\n:\n\"message\"\n}",
			R"({"type":"message","text":"Xin chào <b>!</b> {} ] 'q' \u2028 😀"})", head + std::string(5000, 'x') + "\"}",
			head + "\"}\"}", head + "{\\\"type\\\":\\\"nick\\\"}\"}",
			// Escapes, \u, surrogate pairs
			head + R"(\"\\\/\b\f\n\r\t"})", head + R"(\u0000\u0001\u001f\u0020\u007f\u0080\u00ff"})", head + R"(\u00e0\u00E0\u0100\u07ff\u0800\u20ac\uFFFF\ufffe"})",
			head + R"(\ud83d\ude00\uD83D\uDE00\ud800\udc00\udbff\udfff"})", head + R"(a\u003cb\u003e&\u0026"})", head + R"(\\u0041"})",
			// Lone and broken surrogates
			head + R"(\ud800"})", head + R"(\udbff"})", head + R"(\udc00"})", head + R"(\udfff"})", head + R"(\ude00\ud83d"})", head + R"(\ud800\u0041"})",
			head + R"(\ud800\ud800"})", head + R"(\ud800\n"})", head + R"(\ud800x"})", head + R"(\ud800\"})", head + R"(\ud800\u"})", head + R"(\ud800\udc0"})",
			// Bad escapes
			head + R"(\x"})", head + R"(\'"})", head + R"(\U0041"})", head + R"(\u12"})", head + R"(\u12g4"})", head + R"(\u"})", head + R"(\"})", head + "\\",
			head + R"(\a"})", head + R"(\0"})", head + "\\\n\"}",
			// Raw control characters and DEL
			head + "a\x01" "b\"}", head + "a\nb\"}", head + "a\tb\"}", head + std::string(1, '\0') + "\"}", head + "a\x1f" "b\"}", head + "a\x7f" "b\"}",
			// Invalid UTF-8 in the text, a key, the type, outside strings
			head + "\xff\"}", head + "\xc3\"}", head + "\xc0\xaf\"}", head + "\xed\xa0\x80\"}", head + "\xf4\x90\x80\x80\"}", head + "\xe2\x82\"}",
			"{\"type\":\"message\",\"te\xffxt\":\"a\"}", "{\"type\":\"messag\xc3\",\"text\":\"a\"}", "{\"type\":\"message\",\"text\":\"a\"}\xff",
			"{\xc2\xa0\"type\":\"message\",\"text\":\"a\"}", "\xef\xbb\xbf{\"type\":\"message\",\"text\":\"a\"}",
			// Malformed JSON
			"{", "{\"type\"", R"({"type":"message")", R"({"type":"message",)", R"({"type":"message","text")", R"({"type":"message","text":)",
			R"({"type":"message","text":"a)", R"({"type":"message","text":"a")", R"({"type":"message","text":"a",})", R"({,"type":"message","text":"a"})",
			R"({"type":"message""text":"a"})", R"({"type":"message","text""a"})", R"({"type":"message","text":"a"}})", R"({"type":"message","text":"a"} {})",
			R"({"type":"message","text":"a"}x)", R"({"type":"message","text":"a"},)", R"({'type':'message','text':'a'})", R"({type:"message",text:"a"})",
			R"({"type":"message","text":'a'})", "{\"type\":\"message\",\"text\":\"a\"}\x0b", "{\x0c\"type\":\"message\",\"text\":\"a\"}",
			head + "a\"}" + std::string(1, '\0'), R"({"type":"message","text":"a"}/*c*/)", R"(/*c*/{"type":"message","text":"a"})",
			R"({"type":"message","text":"a"}//c)", R"([{"type":"message","text":"a"}])",
			// Extra fields, duplicates, other values
			R"({"type":"message","text":"a","id":7})", R"({"id":7,"type":"message","text":"a"})", R"({"type":"message","nick":"x","text":"a"})",
			R"({"type":"message","text":"a","x":{"y":[1,2,{"z":null}]}})", R"({"type":"message","text":"a","x":[)", R"({"type":"message","text":"a","x":tru})",
			R"({"type":"message","text":"a","text":"b"})", R"({"text":"a","type":"message","text":"b"})", R"({"type":"message","type":"message","text":"a"})",
			R"({"type":"nick","type":"message","text":"a"})", R"({"type":"message","type":"nick","text":"a","nick":"n"})", R"({"type":"message","text":"a","text":42})",
			R"({"type":"message","text":42,"text":"a"})", R"({"type":"message","text":"a","":""})", R"({"":"","type":"message","text":"a"})",
			R"({"t\u0065xt":"a","type":"message"})", R"({"type":"mess\u0061ge","text":"a"})", R"({"\u0074ype":"message","text":"a"})",
			R"({"type":"Message","text":"a"})", R"({"type":"message ","text":"a"})", R"({"type ":"message","text":"a"})", R"({"Text":"a","type":"message"})",
			R"({"type":"message","text":null})", R"({"type":"message","text":true})", R"({"type":"message","text":42})", R"({"type":"message","text":["a"]})",
			R"({"type":"message","text":{"a":"b"}})", R"({"type":"message","text":1e5})", R"({"type":"message"})", R"({"text":"a"})", "{}", "{ }",
			// The other commands
			R"({"type":"nick","nick":"An Nguyễn"})", R"({"type":"nick","nick":"a\u0000"})", R"({"type":"typing"})", R"({"type":"history","before":5,"limit":10})",
			R"({"type":"auth","token":"a.b.c"})", R"({"type":"kick","nick":"x","reason":"r"})", R"({"type":"topic","text":"t"})", R"({"type":"delete","id":3})",
			R"({"type":"shout","text":"a"})",
			// Not objects
			"hello", "\"hello\"", "[1,2]", "", "  ", "null",
		};
		return frames;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ClientCommandTest);
