// UTF-8 validation, after the categories of Markus Kuhn's UTF-8 decoder
// stress test: boundary code points, malformed and overlong sequences,
// surrogates, truncation across pieces. Plus a comparison against a plain
// decode-and-check reference on random input.
#include "ReferenceUtf8.h"
#include "webchat/engine/Utf8Validator.h"

#include <cppunit/extensions/HelperMacros.h>

#include <random>
#include <string>
#include <vector>

using webchat::ws::isValidUtf8;
using webchat::ws::Utf8Validator;

namespace {

bool referenceValid(const std::string& s)
{
	return webchat::test::referenceUtf8(s);
}

// The index of the byte at which a byte-by-byte feed first fails, or -1.
int firstRejectedByte(const std::string& s)
{
	Utf8Validator v;
	for (std::size_t i = 0; i < s.size(); ++i)
		if (!v.feed(&s[i], 1)) return static_cast<int>(i);
	return -1;
}

std::string encode(std::uint32_t cp)
{
	std::string out;
	if (cp < 0x80) out += static_cast<char>(cp);
	else if (cp < 0x800)
	{
		out += static_cast<char>(0xC0 | (cp >> 6));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
	else if (cp < 0x10000)
	{
		out += static_cast<char>(0xE0 | (cp >> 12));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
	else
	{
		out += static_cast<char>(0xF0 | (cp >> 18));
		out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
	return out;
}

} // namespace

class Utf8ValidatorTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(Utf8ValidatorTest);
	CPPUNIT_TEST(testValidText);
	CPPUNIT_TEST(testBoundaryCodePoints);
	CPPUNIT_TEST(testOutOfRange);
	CPPUNIT_TEST(testUnexpectedContinuationBytes);
	CPPUNIT_TEST(testLonelyStartBytes);
	CPPUNIT_TEST(testTruncatedSequences);
	CPPUNIT_TEST(testImpossibleBytes);
	CPPUNIT_TEST(testOverlongForms);
	CPPUNIT_TEST(testSurrogates);
	CPPUNIT_TEST(testRejectsAtEarliestByte);
	CPPUNIT_TEST(testSplitAtEveryPosition);
	CPPUNIT_TEST(testTruncatedAcrossFragments);
	CPPUNIT_TEST(testInvalidByteInLongAsciiRun);
	CPPUNIT_TEST(testStaysRejectedUntilReset);
	CPPUNIT_TEST(testAgreesWithReference);
	CPPUNIT_TEST_SUITE_END();

public:
	void testValidText()
	{
		CPPUNIT_ASSERT(isValidUtf8(""));
		CPPUNIT_ASSERT(isValidUtf8("Hello, world"));
		CPPUNIT_ASSERT(isValidUtf8(std::string("\0", 1)));
		CPPUNIT_ASSERT(isValidUtf8("\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5")); // κόσμε
		// Vietnamese, as in Autobahn's text cases.
		CPPUNIT_ASSERT(isValidUtf8("Hello-\xc2\xb5@\xc3\x9f\xc3\xb6\xc3\xa4\xc3\xbc\xc3\xa0\xc3\xa1-UTF-8!!"));
		CPPUNIT_ASSERT(isValidUtf8("T\xc3\xb4i c\xc3\xb3 th\xe1\xbb\x83 \xc4\x83n th\xe1\xbb\xa7y tinh m\xc3\xa0 kh\xc3\xb4ng h\xe1\xba\xa1i g\xc3\xac."));
		CPPUNIT_ASSERT(isValidUtf8("Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t c\xc3\xb3 d\xe1\xba\xa5u"));
		CPPUNIT_ASSERT(isValidUtf8("\xf0\x9f\x98\x80 \xe4\xbd\xa0\xe5\xa5\xbd \xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82"));
	}

	void testBoundaryCodePoints()
	{
		// First and last possible sequence of each length (Kuhn 2.1, 2.2).
		for (const char* s: {"\x00", "\xc2\x80", "\xe0\xa0\x80", "\xf0\x90\x80\x80",
			"\x7f", "\xdf\xbf", "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf"})
			CPPUNIT_ASSERT_MESSAGE(s, isValidUtf8(std::string(s, std::char_traits<char>::length(s) + (*s == 0))));
		// Other boundaries (Kuhn 2.3): around the surrogates, U+FFFD, the
		// noncharacters U+FFFE/U+FFFF (valid UTF-8) and the top of plane 16.
		for (const char* s: {"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbd", "\xef\xbf\xbe", "\xf4\x8f\xbf\xbe"})
			CPPUNIT_ASSERT_MESSAGE(s, isValidUtf8(s));
	}

	void testOutOfRange()
	{
		// U+110000 and beyond, and the old 5- and 6-byte forms (Kuhn 2.1.5-6, 2.2.5-6).
		for (const char* s: {"\xf4\x90\x80\x80", "\xf7\xbf\xbf\xbf", "\xf8\x88\x80\x80\x80",
			"\xfb\xbf\xbf\xbf\xbf", "\xfc\x84\x80\x80\x80\x80", "\xfd\xbf\xbf\xbf\xbf\xbf"})
			CPPUNIT_ASSERT_MESSAGE(s, !isValidUtf8(s));
	}

	void testUnexpectedContinuationBytes()
	{
		// Kuhn 3.1: continuation bytes without a lead.
		for (int b = 0x80; b <= 0xBF; ++b) CPPUNIT_ASSERT(!isValidUtf8(std::string(1, static_cast<char>(b))));
		CPPUNIT_ASSERT(!isValidUtf8("\x80\xbf"));
		CPPUNIT_ASSERT(!isValidUtf8("\x80\xbf\x80\xbf\x80\xbf\x80"));
		CPPUNIT_ASSERT(!isValidUtf8("a\xc3\xa4\xbf")); // one too many
	}

	void testLonelyStartBytes()
	{
		// Kuhn 3.2: each lead byte followed by a space.
		for (int b = 0xC0; b <= 0xFD; ++b)
		{
			const std::string s{static_cast<char>(b), ' '};
			CPPUNIT_ASSERT(!isValidUtf8(s));
		}
	}

	void testTruncatedSequences()
	{
		// Kuhn 3.3: the last continuation byte missing; each alone is only
		// incomplete, not invalid, until the message ends.
		for (const char* s: {"\xc2", "\xdf", "\xe0\xa0", "\xef\xbf", "\xf0\x90\x80", "\xf4\x8f\xbf"})
		{
			Utf8Validator v;
			CPPUNIT_ASSERT_MESSAGE(s, v.feed(s, std::char_traits<char>::length(s)));
			CPPUNIT_ASSERT_MESSAGE(s, !v.complete());
			CPPUNIT_ASSERT(v.valid());
			CPPUNIT_ASSERT(!isValidUtf8(s));
		}
		// Kuhn 3.4: all of them concatenated.
		CPPUNIT_ASSERT(!isValidUtf8("\xc2\xe0\xa0\xf0\x90\x80\xdf\xef\xbf\xf4\x8f\xbf"));
		// Truncated then followed by ASCII.
		CPPUNIT_ASSERT(!isValidUtf8("\xe2\x82" "a"));
	}

	void testImpossibleBytes()
	{
		// Kuhn 3.5.
		CPPUNIT_ASSERT(!isValidUtf8("\xfe"));
		CPPUNIT_ASSERT(!isValidUtf8("\xff"));
		CPPUNIT_ASSERT(!isValidUtf8("\xfe\xfe\xff\xff"));
		for (int b = 0xF5; b <= 0xFF; ++b) CPPUNIT_ASSERT(!isValidUtf8(std::string(1, static_cast<char>(b))));
	}

	void testOverlongForms()
	{
		// Kuhn 4.1-4.3: "/" and NUL in longer forms, and the largest overlongs.
		for (const char* s: {"\xc0\xaf", "\xe0\x80\xaf", "\xf0\x80\x80\xaf", "\xf8\x80\x80\x80\xaf",
			"\xc1\xbf", "\xe0\x9f\xbf", "\xf0\x8f\xbf\xbf",
			"\xc0\x80", "\xe0\x80\x80", "\xf0\x80\x80\x80"})
			CPPUNIT_ASSERT_MESSAGE(s, !isValidUtf8(std::string(s, std::char_traits<char>::length(s))));
	}

	void testSurrogates()
	{
		// Kuhn 5.1-5.2: single UTF-16 surrogates and pairs, all invalid in UTF-8.
		for (const char* s: {"\xed\xa0\x80", "\xed\xad\xbf", "\xed\xae\x80", "\xed\xaf\xbf",
			"\xed\xb0\x80", "\xed\xbe\x80", "\xed\xbf\xbf",
			"\xed\xa0\x80\xed\xb0\x80", "\xed\xaf\xbf\xed\xbf\xbf"})
			CPPUNIT_ASSERT_MESSAGE(s, !isValidUtf8(s));
	}

	void testRejectsAtEarliestByte()
	{
		CPPUNIT_ASSERT_EQUAL(0, firstRejectedByte("\x80"));
		CPPUNIT_ASSERT_EQUAL(0, firstRejectedByte("\xc0\x80"));   // C0 can only start overlongs
		CPPUNIT_ASSERT_EQUAL(0, firstRejectedByte("\xc1\xbf"));
		CPPUNIT_ASSERT_EQUAL(0, firstRejectedByte("\xf5\x80\x80\x80"));
		CPPUNIT_ASSERT_EQUAL(1, firstRejectedByte("\xe0\x80\x80")); // overlong shows at the 2nd byte
		CPPUNIT_ASSERT_EQUAL(1, firstRejectedByte("\xf0\x8f\xbf\xbf"));
		CPPUNIT_ASSERT_EQUAL(1, firstRejectedByte("\xed\xa0\x80"));  // surrogate
		CPPUNIT_ASSERT_EQUAL(1, firstRejectedByte("\xf4\x90\x80\x80")); // > U+10FFFF
		CPPUNIT_ASSERT_EQUAL(1, firstRejectedByte("\xc2 "));
		CPPUNIT_ASSERT_EQUAL(3, firstRejectedByte("\xf0\x90\x80 "));
		CPPUNIT_ASSERT_EQUAL(5, firstRejectedByte("abc\xc3\xa4\xa4"));
		CPPUNIT_ASSERT_EQUAL(-1, firstRejectedByte("\xf4\x8f\xbf\xbf"));
	}

	void testSplitAtEveryPosition()
	{
		const std::string text = "Ti\xe1\xba\xbfng Vi\xe1\xbb\x87t \xf0\x9f\x98\x80 \xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5";
		for (std::size_t cut = 0; cut <= text.size(); ++cut)
		{
			for (std::size_t cut2 = cut; cut2 <= text.size(); ++cut2)
			{
				Utf8Validator v;
				CPPUNIT_ASSERT(v.feed(text.data(), cut));
				CPPUNIT_ASSERT(v.feed(text.data() + cut, cut2 - cut));
				CPPUNIT_ASSERT(v.feed(text.data() + cut2, text.size() - cut2));
				CPPUNIT_ASSERT(v.complete());
			}
		}
	}

	void testTruncatedAcrossFragments()
	{
		// A code point split over two pieces is not complete between them.
		Utf8Validator v;
		CPPUNIT_ASSERT(v.feed("a\xf0\x9f", 3));
		CPPUNIT_ASSERT(!v.complete());
		CPPUNIT_ASSERT(v.feed("\x98", 1));
		CPPUNIT_ASSERT(!v.complete());
		CPPUNIT_ASSERT(v.feed("\x80", 1));
		CPPUNIT_ASSERT(v.complete());
		// The second piece breaks the sequence the first one started.
		v.reset();
		CPPUNIT_ASSERT(v.feed("\xed", 1));
		CPPUNIT_ASSERT(!v.feed("\xa0\x80", 2));
		v.reset();
		CPPUNIT_ASSERT(v.feed("\xe2\x82", 2));
		CPPUNIT_ASSERT(!v.feed("abc", 3));
	}

	void testInvalidByteInLongAsciiRun()
	{
		// Exercise the 16-byte ASCII skip at every alignment.
		for (std::size_t pos = 0; pos < 80; ++pos)
		{
			std::string s(100, 'x');
			s[pos] = '\xff';
			CPPUNIT_ASSERT(!isValidUtf8(s));
			std::string t(100, 'x');
			t[pos] = '\xc3';
			t[pos + 1] = '\xa4';
			CPPUNIT_ASSERT(isValidUtf8(t));
			t[pos + 1] = 'x';
			CPPUNIT_ASSERT(!isValidUtf8(t));
		}
		std::string cut(33, 'x');
		cut.back() = '\xc3';
		CPPUNIT_ASSERT(!isValidUtf8(cut));
	}

	void testStaysRejectedUntilReset()
	{
		Utf8Validator v;
		CPPUNIT_ASSERT(!v.feed("\xff", 1));
		CPPUNIT_ASSERT(!v.valid());
		CPPUNIT_ASSERT(!v.complete());
		CPPUNIT_ASSERT(!v.feed("abc", 3));
		CPPUNIT_ASSERT(!v.feed("", 0));
		v.reset();
		CPPUNIT_ASSERT(v.valid());
		CPPUNIT_ASSERT(v.feed("abc", 3));
		CPPUNIT_ASSERT(v.complete());
	}

	void testAgreesWithReference()
	{
		std::mt19937 rng(20240601);
		// Random bytes weighted towards the interesting ones.
		const unsigned char interesting[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xC1, 0xC2,
			0xDF, 0xE0, 0xE1, 0xEC, 0xED, 0xEE, 0xEF, 0xF0, 0xF1, 0xF3, 0xF4, 0xF5, 0xFF};
		for (int round = 0; round < 20000; ++round)
		{
			std::string s;
			const int len = static_cast<int>(rng() % 40);
			for (int i = 0; i < len; ++i)
				s += static_cast<char>(rng() % 2 ? interesting[rng() % sizeof(interesting)] : rng() % 256);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(s, referenceValid(s), isValidUtf8(s));
		}
		// Valid text from random code points, then one byte changed.
		for (int round = 0; round < 5000; ++round)
		{
			std::string s;
			const int count = 1 + static_cast<int>(rng() % 30);
			for (int i = 0; i < count; ++i)
			{
				std::uint32_t cp = rng() % 0x110000;
				if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0xFFFD;
				s += encode(cp);
			}
			CPPUNIT_ASSERT(isValidUtf8(s));
			s[rng() % s.size()] = static_cast<char>(interesting[rng() % sizeof(interesting)]);
			CPPUNIT_ASSERT_EQUAL(referenceValid(s), isValidUtf8(s));
			// And the same, fed in random pieces.
			Utf8Validator v;
			bool ok = true;
			for (std::size_t i = 0; i < s.size();)
			{
				const std::size_t n = std::min<std::size_t>(s.size() - i, 1 + rng() % 7);
				ok = v.feed(s.data() + i, n) && ok;
				i += n;
			}
			CPPUNIT_ASSERT_EQUAL(referenceValid(s), ok && v.complete());
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(Utf8ValidatorTest);
