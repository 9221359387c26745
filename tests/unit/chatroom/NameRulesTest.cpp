// NameRules: which room names and nicks are accepted.
#include "NameRules.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::NameRules;

namespace {

bool roomOk(const std::string& name) { return NameRules::checkRoom(name).empty(); }
bool nickOk(const std::string& name) { return NameRules::checkNick(name).empty(); }

std::string repeat(const std::string& piece, std::size_t times)
{
	std::string out;
	for (std::size_t i = 0; i < times; ++i) out += piece;
	return out;
}

} // namespace

class NameRulesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(NameRulesTest);
	CPPUNIT_TEST(testLettersOfAnyScript);
	CPPUNIT_TEST(testPunctuationSymbolsAndInnerSpaces);
	CPPUNIT_TEST(testEmpty);
	CPPUNIT_TEST(testLengthInCodePoints);
	CPPUNIT_TEST(testControlCharacters);
	CPPUNIT_TEST(testSeparatorsBidiControlsAndBom);
	CPPUNIT_TEST(testLeadingAndTrailingSpaces);
	CPPUNIT_TEST(testSlashOnlyInNicks);
	CPPUNIT_TEST(testInvalidUtf8);
	CPPUNIT_TEST(testReasonsNameTheProblem);
	CPPUNIT_TEST_SUITE_END();

public:
	void testLettersOfAnyScript()
	{
		for (const char* name : {"lobby", "Hà Nội", "Thành phố Hồ Chí Minh", "Москва", "東京", "القاهرة", "Ελλάδα", "한국어", "x"})
		{
			CPPUNIT_ASSERT_MESSAGE(name, roomOk(name));
			CPPUNIT_ASSERT_MESSAGE(name, nickOk(name));
		}
	}

	void testPunctuationSymbolsAndInnerSpaces()
	{
		for (const char* name : {"C++ & friends", "a.b-c_d", "#general", "100%", "☕ + 😀", "👨‍👩‍👧", "(\"quoted\")", "<b>", "a  b", "a\xC2\xA0" "b"})
		{
			CPPUNIT_ASSERT_MESSAGE(name, roomOk(name));
			CPPUNIT_ASSERT_MESSAGE(name, nickOk(name));
		}
	}

	void testEmpty()
	{
		CPPUNIT_ASSERT(!roomOk(""));
		CPPUNIT_ASSERT(!nickOk(""));
	}

	void testLengthInCodePoints()
	{
		CPPUNIT_ASSERT(roomOk(repeat("a", 64)));
		CPPUNIT_ASSERT(!roomOk(repeat("a", 65)));
		// 64 Vietnamese letters are 64 characters, though 192 bytes.
		CPPUNIT_ASSERT(roomOk(repeat("ệ", 64)));
		CPPUNIT_ASSERT(!roomOk(repeat("ệ", 65)));
		CPPUNIT_ASSERT(roomOk(repeat("😀", 64)));
		CPPUNIT_ASSERT(nickOk(repeat("a", 32)));
		CPPUNIT_ASSERT(!nickOk(repeat("a", 33)));
		CPPUNIT_ASSERT(nickOk(repeat("Đ", 32)));
		CPPUNIT_ASSERT(!nickOk(repeat("Đ", 33)));
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), NameRules::length("Hà Nội"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), NameRules::length("😀"));
	}

	void testControlCharacters()
	{
		for (int c = 0; c < 0x20; ++c)
		{
			const std::string name = "a" + std::string(1, static_cast<char>(c)) + "b";
			CPPUNIT_ASSERT_MESSAGE(std::to_string(c), !roomOk(name));
			CPPUNIT_ASSERT_MESSAGE(std::to_string(c), !nickOk(name));
		}
		CPPUNIT_ASSERT(!nickOk("a\x7f"));
		// C1: U+0080 to U+009F (U+0085 is NEL, a line break).
		for (int c = 0x80; c <= 0x9F; ++c)
		{
			const std::string name = std::string("a\xC2") + static_cast<char>(c);
			CPPUNIT_ASSERT_MESSAGE(std::to_string(c), !roomOk(name));
			CPPUNIT_ASSERT_MESSAGE(std::to_string(c), !nickOk(name));
		}
		CPPUNIT_ASSERT(nickOk("a\xC2\xA1"));
	}

	void testSeparatorsBidiControlsAndBom()
	{
		for (const char* bad : {"\xE2\x80\xA8", "\xE2\x80\xA9", "\xE2\x80\xAA", "\xE2\x80\xAE", "\xE2\x81\xA6", "\xE2\x81\xA9", "\xEF\xBB\xBF"})
		{
			CPPUNIT_ASSERT(!roomOk(std::string("a") + bad + "b"));
			CPPUNIT_ASSERT(!nickOk(std::string("a") + bad + "b"));
		}
		// The joiners that emoji and some scripts need stay allowed.
		CPPUNIT_ASSERT(nickOk("a\xE2\x80\x8C" "b"));
		CPPUNIT_ASSERT(nickOk("a\xE2\x80\x8D" "b"));
	}

	void testLeadingAndTrailingSpaces()
	{
		for (const char* name : {" lobby", "lobby ", " ", "   ", "\xC2\xA0x", "x\xE3\x80\x80", "\xE2\x80\x83x"})
		{
			CPPUNIT_ASSERT_MESSAGE(name, !roomOk(name));
			CPPUNIT_ASSERT_MESSAGE(name, !nickOk(name));
		}
	}

	void testSlashOnlyInNicks()
	{
		CPPUNIT_ASSERT(!roomOk("a/b"));
		CPPUNIT_ASSERT(!roomOk("/"));
		CPPUNIT_ASSERT(nickOk("a/b"));
		CPPUNIT_ASSERT(nickOk("\\o/"));
	}

	void testInvalidUtf8()
	{
		for (const std::string bad : {"\xC3", "\xC3\x28", "\xE1\xBA", "\xED\xA0\x80", "\xC0\xAF", "\xF5\x80\x80\x80", "\xFF", "\x80"})
		{
			CPPUNIT_ASSERT(!roomOk("a" + bad));
			CPPUNIT_ASSERT(!nickOk(bad + "a"));
		}
	}

	void testReasonsNameTheProblem()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("a room name must not contain '/'"), NameRules::checkRoom("a/b"));
		CPPUNIT_ASSERT_EQUAL(std::string("a nick must be at most 32 characters long"), NameRules::checkNick(repeat("n", 33)));
		CPPUNIT_ASSERT_EQUAL(std::string("a nick must not start or end with a space"), NameRules::checkNick("An "));
		CPPUNIT_ASSERT_EQUAL(std::string("a room name must not contain control characters"), NameRules::checkRoom("a\nb"));
		CPPUNIT_ASSERT_EQUAL(std::string("a nick must not be empty"), NameRules::checkNick(""));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(NameRulesTest);
