#include "NameRules.h"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/uspoof.h>
#include <unicode/utypes.h>
#include <unicode/uversion.h>

#include <cstdint>
#include <stdexcept>

namespace webchat::chatroom {

namespace {

constexpr char32_t Invalid = 0xFFFFFFFF;
constexpr char32_t BraillePatternBlank = 0x2800;

// Decodes the code point at text[i] and advances i; Invalid for bytes that
// are not UTF-8 (callers normally pass validated text, this is defence).
char32_t decode(std::string_view text, std::size_t& i)
{
	const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
	const unsigned char lead = byte(i);
	if (lead < 0x80)
	{
		++i;
		return lead;
	}
	std::size_t extra;
	char32_t minimum; // smaller is an overlong form
	if ((lead & 0xE0) == 0xC0)
	{
		extra = 1;
		minimum = 0x80;
	}
	else if ((lead & 0xF0) == 0xE0)
	{
		extra = 2;
		minimum = 0x800;
	}
	else if ((lead & 0xF8) == 0xF0)
	{
		extra = 3;
		minimum = 0x10000;
	}
	else
	{
		return Invalid;
	}
	char32_t code = lead & (0x7F >> (extra + 1));
	if (i + extra >= text.size()) return Invalid; // cut off
	for (std::size_t k = 1; k <= extra; ++k)
	{
		const unsigned char next = byte(i + k);
		if ((next & 0xC0) != 0x80) return Invalid;
		code = (code << 6) | (next & 0x3F);
	}
	if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return Invalid;
	i += extra + 1;
	return code;
}

bool isControl(char32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

// Characters that reorder or break the text around a name when shown.
bool isLayoutControl(char32_t c)
{
	return c == 0x2028 || c == 0x2029 || c == 0xFEFF || u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_BIDI_CONTROL);
}

// Unicode's space separators (general category Zs).
bool isSpace(char32_t c)
{
	return u_charType(static_cast<UChar32>(c)) == U_SPACE_SEPARATOR;
}

bool isMark(char32_t c)
{
	return (U_GET_GC_MASK(static_cast<UChar32>(c)) & U_GC_M_MASK) != 0;
}

bool isDefaultIgnorable(char32_t c)
{
	return u_hasBinaryProperty(static_cast<UChar32>(c), UCHAR_DEFAULT_IGNORABLE_CODE_POINT);
}

// A letter, digit, punctuation or symbol that draws something: not one of
// the fillers that are letters by category but default-ignorable, and not
// the Braille blank, a symbol that draws an empty cell.
bool isVisible(char32_t c)
{
	const auto categories = U_GC_L_MASK | U_GC_N_MASK | U_GC_P_MASK | U_GC_S_MASK;
	return (U_GET_GC_MASK(static_cast<UChar32>(c)) & categories) != 0 && !isDefaultIgnorable(c) && c != BraillePatternBlank;
}

// Why the code point c may not be in a name ("" if it may), for the
// characters refused by their Unicode properties.
const char* propertyProblem(char32_t c)
{
	const auto code = static_cast<UChar32>(c);
	if (isDefaultIgnorable(c)) return "must not contain invisible characters (zero-width, joiners, variation selectors, tags, fillers)";
	if (c == BraillePatternBlank) return "must not contain blank characters";
	const auto category = u_charType(code);
	if (category == U_PRIVATE_USE_CHAR) return "must not contain private-use characters";
	if (u_hasBinaryProperty(code, UCHAR_NONCHARACTER_CODE_POINT)) return "must not contain noncharacters";
	if (category == U_UNASSIGNED) return "must not contain unassigned code points";
	return "";
}

[[noreturn]] void icuFailed(const char* what, UErrorCode status)
{
	throw std::runtime_error(std::string("ICU: ") + what + ": " + u_errorName(status));
}

// ICU's normalizers are its own singletons, loaded once and never freed.
const icu::Normalizer2& loadNormalizer(const icu::Normalizer2* (*instance)(UErrorCode&), const char* what)
{
	UErrorCode status = U_ZERO_ERROR;
	const icu::Normalizer2* normalizer = instance(status);
	if (U_FAILURE(status)) icuFailed(what, status);
	return *normalizer;
}

const icu::Normalizer2& nfc()
{
	static const icu::Normalizer2& normalizer = loadNormalizer(&icu::Normalizer2::getNFCInstance, "NFC data");
	return normalizer;
}

const icu::Normalizer2& nfkcCasefold()
{
	static const icu::Normalizer2& normalizer = loadNormalizer(&icu::Normalizer2::getNFKCCasefoldInstance, "NFKC_Casefold data");
	return normalizer;
}

std::string normalize(const icu::Normalizer2& normalizer, std::string_view text)
{
	std::string out;
	icu::StringByteSink<std::string> sink(&out, static_cast<int32_t>(text.size()));
	UErrorCode status = U_ZERO_ERROR;
	normalizer.normalizeUTF8(0, icu::StringPiece(text.data(), static_cast<int32_t>(text.size())), sink, nullptr, status);
	if (U_FAILURE(status)) icuFailed("normalization", status);
	return out;
}

// One spoof checker for the process, configured once and then only used
// through ICU's const functions (uspoof_check2UTF8, uspoof_getSkeletonUTF8),
// which uspoof.h documents as safe to call from many threads at once.
// It checks the restriction level (mixed scripts), the same nonspacing mark
// twice on a letter, and digits of several scripts.
const USpoofChecker& spoofChecker()
{
	static const icu::LocalUSpoofCheckerPointer instance = [] {
		UErrorCode status = U_ZERO_ERROR;
		icu::LocalUSpoofCheckerPointer checker(uspoof_open(&status));
		uspoof_setChecks(checker.getAlias(), USPOOF_RESTRICTION_LEVEL | USPOOF_INVISIBLE | USPOOF_MIXED_NUMBERS, &status);
		if (U_FAILURE(status)) icuFailed("spoof checker", status);
		uspoof_setRestrictionLevel(checker.getAlias(), USPOOF_MODERATELY_RESTRICTIVE);
		return checker;
	}();
	return *instance.getAlias();
}

// Why the checks of UTS #39 refuse name ("" if they do not).
std::string spoofProblem(const std::string& name)
{
	UErrorCode status = U_ZERO_ERROR;
	const int32_t failed = uspoof_check2UTF8(&spoofChecker(), name.data(), static_cast<int32_t>(name.size()), nullptr, &status);
	if (U_FAILURE(status)) icuFailed("spoof check", status);
	if (failed & USPOOF_RESTRICTION_LEVEL) return "must not mix scripts (such as Latin with Cyrillic or Greek)";
	if (failed & USPOOF_MIXED_NUMBERS) return "must not mix digits of different scripts";
	if (failed & USPOOF_INVISIBLE) return "must not repeat a combining mark on one letter";
	return {};
}

} // namespace

std::string NameRules::checkRoom(std::string_view name)
{
	return check(name, MaxRoomLength, false, "a room name");
}

std::string NameRules::checkNick(std::string_view name)
{
	return check(name, MaxNickLength, true, "a nick");
}

std::size_t NameRules::length(std::string_view utf8)
{
	std::size_t count = 0;
	for (const char c : utf8)
	{
		if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
	}
	return count;
}

std::string NameRules::displayForm(std::string_view name)
{
	return normalize(nfc(), name);
}

std::string NameRules::comparisonKey(std::string_view name)
{
	// NFKC_Casefold folds case and compatibility forms (fullwidth, ligatures,
	// superscripts) and composes, so the typed form and its NFC have one key;
	// the skeleton then maps each character to the one it is confusable with.
	const std::string folded = normalize(nfkcCasefold(), name);
	std::string key(folded.size() + 16, '\0');
	for (;;)
	{
		UErrorCode status = U_ZERO_ERROR;
		const int32_t length = uspoof_getSkeletonUTF8(&spoofChecker(), 0, folded.data(), static_cast<int32_t>(folded.size()), key.data(), static_cast<int32_t>(key.size()), &status);
		if (status == U_BUFFER_OVERFLOW_ERROR || status == U_STRING_NOT_TERMINATED_WARNING)
		{
			key.resize(static_cast<std::size_t>(length) + 1);
			continue;
		}
		if (U_FAILURE(status)) icuFailed("skeleton", status);
		key.resize(static_cast<std::size_t>(length));
		return key;
	}
}

std::string NameRules::keyVersion()
{
	UVersionInfo icu;
	UVersionInfo unicode;
	u_getVersion(icu);
	u_getUnicodeVersion(unicode);
	char icuText[U_MAX_VERSION_STRING_LENGTH];
	char unicodeText[U_MAX_VERSION_STRING_LENGTH];
	u_versionToString(icu, icuText);
	u_versionToString(unicode, unicodeText);
	return std::string("ICU ") + icuText + ", Unicode " + unicodeText;
}

std::string NameRules::check(std::string_view name, std::size_t maxLength, bool slashAllowed, const char* what)
{
	const std::string subject(what);
	if (name.empty()) return subject + " must not be empty";
	for (std::size_t i = 0; i < name.size();)
	{
		const char32_t c = decode(name, i);
		if (c == Invalid) return subject + " must be valid UTF-8";
		if (isControl(c)) return subject + " must not contain control characters";
		if (isLayoutControl(c)) return subject + " must not contain line separators, bidirectional controls or byte order marks";
		if (c == '/' && !slashAllowed) return subject + " must not contain '/'";
	}

	// The rest is judged on the form others will see.
	const std::string shown = displayForm(name);
	std::size_t count = 0;
	char32_t first = 0;
	char32_t last = 0;
	bool visible = false;
	std::size_t marksInARow = 0;
	std::string problem;
	for (std::size_t i = 0; i < shown.size();)
	{
		const char32_t c = decode(shown, i);
		if (count == 0) first = c;
		last = c;
		++count;
		visible = visible || isVisible(c);
		marksInARow = isMark(c) ? marksInARow + 1 : 0;
		if (!problem.empty()) continue;
		problem = propertyProblem(c);
		if (!problem.empty()) continue;
		if (marksInARow == count) problem = "must not start with a combining mark";
		else if (marksInARow > MaxMarksInARow) problem = "must not have more than " + std::to_string(MaxMarksInARow) + " combining marks on one letter";
	}
	if (count > maxLength || length(name) > maxLength) return subject + " must be at most " + std::to_string(maxLength) + " characters long";
	if (!visible) return subject + " must contain a visible character";
	if (isSpace(first) || isSpace(last)) return subject + " must not start or end with a space";
	if (!problem.empty()) return subject + " " + problem;
	const std::string spoofing = spoofProblem(shown);
	if (!spoofing.empty()) return subject + " " + spoofing;
	return {};
}

} // namespace webchat::chatroom
