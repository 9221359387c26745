// JsonWriter: escaping that keeps the output valid JSON and inert in a page.
#include "JsonWriter.h"

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Parser.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::JsonWriter;

namespace {

// Parses ["<escaped>"] back with Poco's parser.
std::string roundTrip(const std::string& text)
{
	std::string json = "[";
	JsonWriter::appendString(json, text);
	json += ']';
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Poco::JSON::Array::Ptr>()->getElement<std::string>(0);
}

} // namespace

class JsonWriterTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JsonWriterTest);
	CPPUNIT_TEST(testPlainTextIsCopied);
	CPPUNIT_TEST(testQuotesAndBackslash);
	CPPUNIT_TEST(testEveryControlCharacter);
	CPPUNIT_TEST(testHtmlSpecials);
	CPPUNIT_TEST(testLineAndParagraphSeparators);
	CPPUNIT_TEST(testC1Controls);
	CPPUNIT_TEST(testVietnameseAndEmojiStayAsTheyAre);
	CPPUNIT_TEST(testEscapesAtEveryPosition);
	CPPUNIT_TEST(testEveryCodePointRoundTrips);
	CPPUNIT_TEST(testNumbers);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPlainTextIsCopied()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("hello, world"), JsonWriter::escaped("hello, world"));
		CPPUNIT_ASSERT_EQUAL(std::string(), JsonWriter::escaped(""));
		std::string out = "x";
		JsonWriter::appendString(out, "y");
		CPPUNIT_ASSERT_EQUAL(std::string("x\"y\""), out);
	}

	void testQuotesAndBackslash()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("say \\\"hi\\\" \\\\o/"), JsonWriter::escaped("say \"hi\" \\o/"));
		CPPUNIT_ASSERT_EQUAL(std::string("say \"hi\" \\o/"), roundTrip("say \"hi\" \\o/"));
	}

	void testEveryControlCharacter()
	{
		const char* shortForms[] = {"\\b", "\\t", "\\n", nullptr, "\\f", "\\r"};
		for (int c = 0; c < 0x20; ++c)
		{
			const std::string input(1, static_cast<char>(c));
			const std::string escaped = JsonWriter::escaped(input);
			if (c >= 8 && c <= 13 && shortForms[c - 8])
			{
				CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(c), std::string(shortForms[c - 8]), escaped);
			}
			else
			{
				char expected[8];
				std::snprintf(expected, sizeof(expected), "\\u%04x", c);
				CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(c), std::string(expected), escaped);
			}
			CPPUNIT_ASSERT_EQUAL_MESSAGE(std::to_string(c), input, roundTrip(input));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("\\u007f"), JsonWriter::escaped("\x7f"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\\u0000b"), JsonWriter::escaped(std::string("a\0b", 3)));
	}

	void testHtmlSpecials()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("\\u003c/script\\u003e\\u003cscript\\u003ealert(1)\\u003c/script\\u003e"),
			JsonWriter::escaped("</script><script>alert(1)</script>"));
		CPPUNIT_ASSERT_EQUAL(std::string("a \\u0026amp; b"), JsonWriter::escaped("a &amp; b"));
		const std::string attack = "<img src=x onerror=alert(1)>";
		const std::string escaped = JsonWriter::escaped(attack);
		CPPUNIT_ASSERT(escaped.find('<') == std::string::npos && escaped.find('>') == std::string::npos);
		CPPUNIT_ASSERT_EQUAL(attack, roundTrip(attack));
	}

	void testLineAndParagraphSeparators()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("a\\u2028b\\u2029c"), JsonWriter::escaped("a\xE2\x80\xA8" "b\xE2\x80\xA9" "c"));
		// Neighbours of U+2028 in the same block are left alone.
		CPPUNIT_ASSERT_EQUAL(std::string("\xE2\x80\xA7\xE2\x80\xAA\xE2\x82\xAC"), JsonWriter::escaped("\xE2\x80\xA7\xE2\x80\xAA\xE2\x82\xAC"));
		CPPUNIT_ASSERT_EQUAL(std::string("x\xE2\x80\xA8y"), roundTrip("x\xE2\x80\xA8y"));
	}

	void testC1Controls()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("\\u0080\\u009f"), JsonWriter::escaped("\xC2\x80\xC2\x9F"));
		// U+00A0 onwards are characters: no-break space, ©.
		CPPUNIT_ASSERT_EQUAL(std::string("\xC2\xA0\xC2\xA9"), JsonWriter::escaped("\xC2\xA0\xC2\xA9"));
		CPPUNIT_ASSERT_EQUAL(std::string("\xC2\x85"), roundTrip("\xC2\x85"));
	}

	void testVietnameseAndEmojiStayAsTheyAre()
	{
		const std::string text = "Xin chào, Hà Nội! Tiếng Việt có dấu 😀 中文";
		CPPUNIT_ASSERT_EQUAL(text, JsonWriter::escaped(text));
		CPPUNIT_ASSERT_EQUAL(text, roundTrip(text));
	}

	// Runs before, between and after escapes are copied exactly.
	void testEscapesAtEveryPosition()
	{
		const std::string specials[] = {"\"", "\\", "\n", "<", "\xE2\x80\xA8", "\xC2\x80", std::string(1, '\0')};
		for (const auto& special : specials)
		{
			for (const std::string& text : {special, "ab" + special, special + "cd", "ab" + special + "cd" + special + special + "é"})
				CPPUNIT_ASSERT_EQUAL(text, roundTrip(text));
		}
		// A lead byte at the very end must not read past the text.
		CPPUNIT_ASSERT_EQUAL(std::string("\xE2\x80"), JsonWriter::escaped(std::string_view("\xE2\x80\xA8", 2)));
		CPPUNIT_ASSERT_EQUAL(std::string("\xC2"), JsonWriter::escaped(std::string_view("\xC2\x80", 1)));
	}

	void testEveryCodePointRoundTrips()
	{
		std::string all;
		for (char32_t c = 1; c <= 0x10FFFF; c += (c < 0x3000 ? 1 : 97))
		{
			if (c >= 0xD800 && c <= 0xDFFF) continue;
			if (c < 0x80) all += static_cast<char>(c);
			else if (c < 0x800) { all += static_cast<char>(0xC0 | (c >> 6)); all += static_cast<char>(0x80 | (c & 0x3F)); }
			else if (c < 0x10000) { all += static_cast<char>(0xE0 | (c >> 12)); all += static_cast<char>(0x80 | ((c >> 6) & 0x3F)); all += static_cast<char>(0x80 | (c & 0x3F)); }
			else { all += static_cast<char>(0xF0 | (c >> 18)); all += static_cast<char>(0x80 | ((c >> 12) & 0x3F)); all += static_cast<char>(0x80 | ((c >> 6) & 0x3F)); all += static_cast<char>(0x80 | (c & 0x3F)); }
		}
		CPPUNIT_ASSERT(roundTrip(all) == all);
		const std::string escaped = JsonWriter::escaped(all);
		for (const char c : escaped) CPPUNIT_ASSERT(static_cast<unsigned char>(c) >= 0x20 && c != '<' && c != '>' && c != '&');
		CPPUNIT_ASSERT(escaped.find("\xE2\x80\xA8") == std::string::npos);
	}

	void testNumbers()
	{
		std::string out;
		JsonWriter::appendNumber(out, std::uint64_t(0));
		out += ',';
		JsonWriter::appendNumber(out, std::uint64_t(18446744073709551615ull));
		out += ',';
		JsonWriter::appendNumber(out, std::int64_t(-1764145003000));
		CPPUNIT_ASSERT_EQUAL(std::string("0,18446744073709551615,-1764145003000"), out);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonWriterTest);
