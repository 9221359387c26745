// NameRules: which room names and nicks are accepted, how they are shown
// and when two are the same name.
#include "NameRules.h"

#include <cppunit/extensions/HelperMacros.h>

#include <thread>
#include <vector>

using webchat::chatroom::Name;
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

// The refusals, as checkNick words them after "a nick ".
const std::string Accepted;
const std::string Invisible = "must not contain invisible characters (zero-width, joiners, variation selectors, tags, fillers)";
const std::string LayoutControl = "must not contain line separators, bidirectional controls or byte order marks";
const std::string NothingVisible = "must contain a visible character";
const std::string Blank = "must not contain blank characters";
const std::string PrivateUse = "must not contain private-use characters";
const std::string Noncharacter = "must not contain noncharacters";
const std::string Unassigned = "must not contain unassigned code points";
const std::string MixedScripts = "must not mix scripts (such as Latin with Cyrillic or Greek)";
const std::string MixedDigits = "must not mix digits of different scripts";
const std::string RepeatedMark = "must not repeat a combining mark on one letter";
const std::string LeadingMark = "must not start with a combining mark";
const std::string TooManyMarks = "must not have more than 4 combining marks on one letter";

struct NameCase
{
	const char* what;
	std::string name;
	std::string refusal; // Accepted, or the sentence after "a nick "
};

// Names of the spoofing report and of UTS #39, with what checkNick says.
const std::vector<NameCase> nameCases{
	{"Latin", "alice", Accepted},
	{"capitals", "ALICE", Accepted},
	{"fullwidth (one nick with alice)", "\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85", Accepted},
	{"mathematical bold (one nick with alice)", "\xF0\x9D\x90\x9A\xF0\x9D\x90\xA5\xF0\x9D\x90\xA2\xF0\x9D\x90\x9C\xF0\x9D\x90\x9E", Accepted},
	{"Vietnamese", "Hà Nội", Accepted},
	{"Vietnamese", "Bình", Accepted},
	{"Vietnamese", "Nguyễn Thị Ánh", Accepted},
	{"Vietnamese, decomposed (e, dot below, circumflex)", "Nguy" "e\xCC\xA3\xCC\x82" "n", Accepted},
	{"Chinese", "山田", Accepted},
	{"Chinese", "王小明", Accepted},
	{"Russian", "Ольга", Accepted},
	{"Russian, whole-script look-alike of scope", "ѕсоре", Accepted},
	{"Greek", "Ελλάδα", Accepted},
	{"Arabic", "القاهرة", Accepted},
	{"Korean", "김민준", Accepted},
	{"Japanese with Latin", "山田 Taro", Accepted},
	{"Hiragana with Latin", "たなか Tanaka", Accepted},
	{"Hangul with Latin", "김민준 Kim", Accepted},
	{"emoji with a skin tone", "👍🏽", Accepted},
	{"a no-break space inside", "a\xC2\xA0" "b", Accepted},
	{"Cyrillic а in Latin", "\xD0\xB0" "lice", MixedScripts},
	{"Cyrillic о in Latin", "l\xD0\xBE" "bby", MixedScripts},
	{"Cyrillic р, а, у in Latin", "раураl", MixedScripts},
	{"Greek α in Latin", "\xCE\xB1" "lice", MixedScripts},
	{"Greek ω in Latin", "ωmega", MixedScripts},
	{"Cherokee Ꭺ in Latin", "\xE1\x8E\xAA" "lice", MixedScripts},
	{"Russian with Latin", "Ольга Smith", MixedScripts},
	{"ASCII and Arabic-Indic digits", "1\xD9\xA2", MixedDigits},
	{"zero-width joiner", "al\xE2\x80\x8D" "ice", Invisible},
	{"zero-width non-joiner", "al\xE2\x80\x8C" "ice", Invisible},
	{"zero-width space", "al\xE2\x80\x8B" "ice", Invisible},
	{"word joiner", "al\xE2\x81\xA0" "ice", Invisible},
	{"combining grapheme joiner", "al\xCD\x8F" "ice", Invisible},
	{"soft hyphen", "al\xC2\xAD" "ice", Invisible},
	{"variation selector 16", "alice\xEF\xB8\x8F", Invisible},
	{"variation selector 17", "alice\xF3\xA0\x84\x80", Invisible},
	{"tag character", "alice\xF3\xA0\x81\x81", Invisible},
	{"Mongolian vowel separator", "alice\xE1\xA0\x8E", Invisible},
	{"Hangul filler inside", "al\xE3\x85\xA4" "ice", Invisible},
	{"halfwidth Hangul filler inside", "al\xEF\xBE\xA0" "ice", Invisible},
	{"Hangul choseong filler inside", "al\xE1\x85\x9F" "ice", Invisible},
	{"emoji joined by ZWJ", "👨\xE2\x80\x8D👩\xE2\x80\x8D👧", Invisible},
	{"left-to-right mark", "alice\xE2\x80\x8E", LayoutControl},
	{"right-to-left mark", "alice\xE2\x80\x8F", LayoutControl},
	{"Arabic letter mark", "alice\xD8\x9C", LayoutControl},
	{"right-to-left override", "\xE2\x80\xAE" "alice", LayoutControl},
	{"first strong isolate", "alice\xE2\x81\xA8", LayoutControl},
	{"only a Hangul filler", "\xE3\x85\xA4", NothingVisible},
	{"only Hangul fillers", "\xE3\x85\xA4\xE3\x85\xA4\xE3\x85\xA4", NothingVisible},
	{"only a Braille blank", "\xE2\xA0\x80", NothingVisible},
	{"only a zero-width space", "\xE2\x80\x8B", NothingVisible},
	{"only a combining mark", "\xCC\x81", NothingVisible},
	{"only a private-use character", "\xEE\x80\x80", NothingVisible},
	{"a Braille blank inside", "al\xE2\xA0\x80" "ice", Blank},
	{"private use", "alice\xEE\x80\x80", PrivateUse},
	{"supplementary private use", "alice\xF3\xB0\x80\x80", PrivateUse},
	{"noncharacter U+FDD0", "alice\xEF\xB7\x90", Noncharacter},
	{"noncharacter U+FFFF", "alice\xEF\xBF\xBF", Noncharacter},
	{"unassigned U+0378", "alice\xCD\xB8", Unassigned},
	{"a combining mark first", "\xCC\x81" "alice", LeadingMark},
	{"the same mark twice", "alice\xCC\x81\xCC\x81", RepeatedMark},
	{"five marks on one letter", "x\xCC\x80\xCC\x81\xCC\x82\xCC\x83\xCC\x84", TooManyMarks},
};

// Groups of names that are one name, each group apart from the others.
const std::vector<std::vector<std::string>> sameNames{
	{"alice", "Alice", "ALICE", "\xD0\xB0" "lice", "\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85",
		"\xF0\x9D\x90\x9A\xF0\x9D\x90\xA5\xF0\x9D\x90\xA2\xF0\x9D\x90\x9C\xF0\x9D\x90\x9E", "\xCE\xB1" "lice", "a1ice",
		"al\xE2\x80\x8D" "ice", "alice\xE2\x80\x8E"},
	{"lobby", "l\xD0\xBE" "bby", "LOBBY"},
	{"paypal", "раураl"},
	{"scope", "ѕсоре"},             // Latin and whole-script Cyrillic
	{"vo", "\xCE\xBD\xCE\xBF"}, // Latin and whole-script Greek
	{"m", "rn"},
	{"fi", "\xEF\xAC\x81"},        // the ligature ﬁ
	{"xii", "\xE2\x85\xAB"},       // the Roman numeral Ⅻ
	{"strasse", "Straße"},
	{"Bình", "Bi\xCC\x80nh", "BÌNH"},
	{"Binh"},
	{"Hà Nội", "Ha\xCC\x80 No\xCC\xA3\xCC\x82i"},
	{"Ha Noi"},
	{"Ольга", "ОЛЬГА"},
	{"Olga"},
	{"山田"},
	{"田山"},
	{"bob"},
	{"alicia"},
	// Case is folded before the skeleton: capital I is i there, not l.
	{"aIice"},
	{"lobby2"},
};

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
	CPPUNIT_TEST(testNameTable);
	CPPUNIT_TEST(testSameNameSameKey);
	CPPUNIT_TEST(testDifferentNamesDifferentKeys);
	CPPUNIT_TEST(testDisplayFormIsNfc);
	CPPUNIT_TEST(testLengthAsTypedAndAsShown);
	CPPUNIT_TEST(testKeysFromManyThreads);
	CPPUNIT_TEST(testNameHoldsBothForms);
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
		for (const char* name : {"C++ & friends", "a.b-c_d", "#general", "100%", "☕ + 😀", "👍🏽", "🇻🇳", "(\"quoted\")", "<b>", "a  b", "a\xC2\xA0" "b"})
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
		// LRM, RLM and ALM are bidirectional controls too.
		for (const char* bad : {"\xE2\x80\x8E", "\xE2\x80\x8F", "\xD8\x9C"})
		{
			CPPUNIT_ASSERT(!roomOk(std::string("a") + bad + "b"));
			CPPUNIT_ASSERT(!nickOk(std::string("a") + bad + "b"));
		}
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

	// Room names follow the same rules.
	void testNameTable()
	{
		CPPUNIT_ASSERT(nameCases.size() >= 40);
		for (const NameCase& c : nameCases)
		{
			const auto expected = [&](const std::string& subject) { return c.refusal.empty() ? "" : subject + " " + c.refusal; };
			CPPUNIT_ASSERT_EQUAL_MESSAGE(c.what, expected("a nick"), NameRules::checkNick(c.name));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(c.what, expected("a room name"), NameRules::checkRoom(c.name));
		}
	}

	void testSameNameSameKey()
	{
		for (const auto& group : sameNames)
		{
			const std::string key = NameRules::comparisonKey(group.front());
			CPPUNIT_ASSERT_MESSAGE(group.front(), !key.empty());
			for (const std::string& name : group)
			{
				CPPUNIT_ASSERT_EQUAL_MESSAGE(group.front() + " / " + name, key, NameRules::comparisonKey(name));
				CPPUNIT_ASSERT_EQUAL_MESSAGE(name, key, NameRules::comparisonKey(NameRules::displayForm(name)));
			}
		}
	}

	void testDifferentNamesDifferentKeys()
	{
		for (std::size_t i = 0; i < sameNames.size(); ++i)
		{
			for (std::size_t j = i + 1; j < sameNames.size(); ++j)
			{
				const std::string& one = sameNames[i].front();
				const std::string& other = sameNames[j].front();
				CPPUNIT_ASSERT_MESSAGE(one + " / " + other, NameRules::comparisonKey(one) != NameRules::comparisonKey(other));
			}
		}
	}

	void testDisplayFormIsNfc()
	{
		// Composed the one way, otherwise as typed: case, width and
		// look-alikes are kept.
		CPPUNIT_ASSERT_EQUAL(std::string("Hà Nội"), NameRules::displayForm("Ha\xCC\x80 No\xCC\xA3\xCC\x82i"));
		CPPUNIT_ASSERT_EQUAL(std::string("Hà Nội"), NameRules::displayForm("Hà Nội"));
		CPPUNIT_ASSERT_EQUAL(std::string("\xC3\xA9"), NameRules::displayForm("e\xCC\x81"));
		for (const char* kept : {"Alice", "ALICE", "\xEF\xBD\x81\xEF\xBD\x8C\xEF\xBD\x89\xEF\xBD\x83\xEF\xBD\x85", "\xEF\xAC\x81", "山田", "Ольга", "👍🏽"})
		{
			CPPUNIT_ASSERT_EQUAL(std::string(kept), NameRules::displayForm(kept));
		}
		// A name that passes passes in its display form too.
		for (const NameCase& c : nameCases)
		{
			if (!c.refusal.empty()) continue;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(c.what, std::string(), NameRules::checkNick(NameRules::displayForm(c.name)));
		}
	}

	void testLengthAsTypedAndAsShown()
	{
		// é typed decomposed: two code points, one as shown.
		CPPUNIT_ASSERT(nickOk(repeat("e\xCC\x81", 16)));
		CPPUNIT_ASSERT_EQUAL(std::string("a nick must be at most 32 characters long"), NameRules::checkNick(repeat("e\xCC\x81", 17)));
		// U+0958 (DEVANAGARI LETTER QA): one code point, two in NFC.
		const std::string qa = "\xE0\xA5\x98";
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), NameRules::length(NameRules::displayForm(qa)));
		CPPUNIT_ASSERT(nickOk(repeat(qa, 16)));
		CPPUNIT_ASSERT_EQUAL(std::string("a nick must be at most 32 characters long"), NameRules::checkNick(repeat(qa, 17)));
	}

	void testKeysFromManyThreads()
	{
		std::vector<std::string> names;
		std::vector<std::string> keys;
		for (const NameCase& c : nameCases)
		{
			names.push_back(c.name);
			keys.push_back(NameRules::comparisonKey(c.name));
		}
		std::vector<int> mismatches(4, 0);
		std::vector<std::thread> threads;
		for (std::size_t t = 0; t < mismatches.size(); ++t)
		{
			threads.emplace_back([&, t] {
				for (int round = 0; round < 50; ++round)
				{
					for (std::size_t i = 0; i < names.size(); ++i)
					{
						if (NameRules::comparisonKey(names[i]) != keys[i]) ++mismatches[t];
						NameRules::checkNick(names[i]);
					}
				}
			});
		}
		for (std::thread& thread : threads) thread.join();
		for (const int count : mismatches) CPPUNIT_ASSERT_EQUAL(0, count);
	}

	void testNameHoldsBothForms()
	{
		const Name decomposed = Name::of("Bi\xCC\x80nh");
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), decomposed.shown);
		CPPUNIT_ASSERT_EQUAL(NameRules::comparisonKey("BÌNH"), decomposed.key);
		CPPUNIT_ASSERT_EQUAL(std::string("ALICE"), Name::of("ALICE").shown);
		CPPUNIT_ASSERT_EQUAL(Name::of("alice").key, Name::of("ALICE").key);
		// What a store records beside its keys: names the ICU in use.
		CPPUNIT_ASSERT_EQUAL(std::string("ICU "), NameRules::keyVersion().substr(0, 4));
		CPPUNIT_ASSERT(NameRules::keyVersion().find(", Unicode ") != std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(NameRulesTest);
