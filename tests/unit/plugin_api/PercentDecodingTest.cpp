// percentDecode: strict, single-pass %XX decoding shared by the plugins.
#include "webchat/PercentDecoding.h"

#include <cppunit/extensions/HelperMacros.h>

#include <optional>
#include <string>

using webchat::percentDecode;
using webchat::PlusSign;

namespace {

// The decoded text, or "<refused>" (which no test input decodes to).
std::string decoded(std::string_view encoded, PlusSign plus = PlusSign::Literal)
{
	const std::optional<std::string> result = percentDecode(encoded, plus);
	return result ? *result : "<refused>";
}

} // namespace

class PercentDecodingTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PercentDecodingTest);
	CPPUNIT_TEST(testPlainTextUnchanged);
	CPPUNIT_TEST(testEscapesInEitherCase);
	CPPUNIT_TEST(testDecodesExactlyOnce);
	CPPUNIT_TEST(testMalformedEscapes);
	CPPUNIT_TEST(testTruncatedEscapeAtTheEnd);
	CPPUNIT_TEST(testNulAndSeparatorsAreDecoded);
	CPPUNIT_TEST(testHighBytes);
	CPPUNIT_TEST(testPlusSign);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPlainTextUnchanged()
	{
		CPPUNIT_ASSERT_EQUAL(std::string(), decoded(""));
		CPPUNIT_ASSERT_EQUAL(std::string("index.html"), decoded("index.html"));
		// Raw bytes are the caller's to judge: kept, whatever they are.
		CPPUNIT_ASSERT_EQUAL(std::string("a b/c\\d"), decoded("a b/c\\d"));
	}

	void testEscapesInEitherCase()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("a bA~"), decoded("a%20b%41%7e"));
		CPPUNIT_ASSERT_EQUAL(std::string("~~"), decoded("%7E%7e"));
		CPPUNIT_ASSERT_EQUAL(std::string("\xC3\xA9t\xC3\xA9"), decoded("%C3%A9t%c3%a9"));
	}

	void testDecodesExactlyOnce()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("%41"), decoded("%2541"));
		CPPUNIT_ASSERT_EQUAL(std::string("%2e%2e"), decoded("%252e%252e"));
		CPPUNIT_ASSERT_EQUAL(std::string("%"), decoded("%25"));
	}

	void testMalformedEscapes()
	{
		for (const char* bad : {"%zz", "%g0", "%0g", "a%G1b", "%%41", "%u002e", "% 41", "%4 ", "%-1", "%+1", "%\xC3\xA9"})
		{
			CPPUNIT_ASSERT_MESSAGE(bad, !percentDecode(bad, PlusSign::Literal));
			CPPUNIT_ASSERT_MESSAGE(bad, !percentDecode(bad, PlusSign::Space));
		}
	}

	void testTruncatedEscapeAtTheEnd()
	{
		for (const char* bad : {"%", "a%", "%4", "a%4", "abc%e", "%41%", "%41%4"})
			CPPUNIT_ASSERT_MESSAGE(bad, !percentDecode(bad, PlusSign::Literal));
		// A complete escape as the last three bytes is fine.
		CPPUNIT_ASSERT_EQUAL(std::string("aA"), decoded("a%41"));
	}

	void testNulAndSeparatorsAreDecoded()
	{
		// Refusing these is policy: a file name does, a message text may not.
		CPPUNIT_ASSERT_EQUAL(std::string("a\0b", 3), decoded("a%00b"));
		CPPUNIT_ASSERT_EQUAL(std::string(1, '\0'), decoded("%00"));
		CPPUNIT_ASSERT_EQUAL(std::string("a/b"), decoded("a%2Fb"));
		CPPUNIT_ASSERT_EQUAL(std::string("a/b"), decoded("a%2fb"));
		CPPUNIT_ASSERT_EQUAL(std::string("a\\b"), decoded("a%5Cb"));
		CPPUNIT_ASSERT_EQUAL(std::string("\r\n\x1f\x7f"), decoded("%0D%0a%1F%7F"));
	}

	void testHighBytes()
	{
		// Bytes from 0x80 come out as they are, valid UTF-8 or not.
		CPPUNIT_ASSERT_EQUAL(std::string("\x80\xFF\xC0\xAF"), decoded("%80%ff%C0%af"));
		CPPUNIT_ASSERT_EQUAL(std::string("\xC3\xA9"), decoded("\xC3\xA9"));
		const std::optional<std::string> all = percentDecode("%FF", PlusSign::Literal);
		CPPUNIT_ASSERT(all);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), all->size());
		CPPUNIT_ASSERT_EQUAL(0xFF, static_cast<int>(static_cast<unsigned char>((*all)[0])));
	}

	void testPlusSign()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("a+b"), decoded("a+b", PlusSign::Literal));
		CPPUNIT_ASSERT_EQUAL(std::string("a b"), decoded("a+b", PlusSign::Space));
		CPPUNIT_ASSERT_EQUAL(std::string("  "), decoded("++", PlusSign::Space));
		// An encoded plus is always a plus, and an encoded space a space.
		CPPUNIT_ASSERT_EQUAL(std::string("a+b"), decoded("a%2Bb", PlusSign::Space));
		CPPUNIT_ASSERT_EQUAL(std::string("a+b c"), decoded("a%2bb%20c", PlusSign::Literal));
		CPPUNIT_ASSERT_EQUAL(std::string("C++ rocks"), decoded("C%2B%2B+rocks", PlusSign::Space));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PercentDecodingTest);
