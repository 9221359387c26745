//
// NameRules.h
//
// What a room name and a nick may be, how it is shown, and when two names
// are the same name.
//
// Letters of any script, digits, spaces, punctuation and symbols (emoji
// included) are allowed; refused are characters that break, hide or
// disguise how a name is shown to others:
//   - control characters: C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F)
//   - the line and paragraph separators U+2028 and U+2029, the byte order
//     mark U+FEFF and every bidirectional control (LRM, RLM, ALM,
//     embeddings, overrides and isolates): they reorder the text around a
//     name when shown
//   - every Default_Ignorable_Code_Point: characters that draw nothing,
//     such as the zero-width space, joiner and non-joiner, the combining
//     grapheme joiner, the soft hyphen, variation selectors, tag characters,
//     U+180E and the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0
//   - blanks that are not spaces (U+2800 BRAILLE PATTERN BLANK)
//   - private-use characters, noncharacters and unassigned code points
//     (as of the Unicode version of the ICU it runs with)
//   - white space (U+0020 and the other Unicode space separators) at the
//     start or the end; a combining mark at the start; the same nonspacing
//     mark twice on one letter; more than MaxMarksInARow marks on one letter
//   - a name with no visible character at all
//   - a mix of scripts beyond UTS #39's moderately restrictive level: one
//     script, or Latin with Han, Hiragana, Katakana, Bopomofo or Hangul, or
//     Latin with one other script except Cyrillic and Greek (`Hà Nội`,
//     `山田`, `Ольга`, `山田 Taro` pass; `аlice`, Latin with a Cyrillic а,
//     does not); and decimal digits of more than one script
// and, in a room name, '/'. A name is judged in its display form (NFC).
// Its length is counted in code points, both as typed and in that form (a
// decomposed é is two as typed; U+0958 is two in NFC): neither may exceed
// the limit, so whichever form a caller keeps fits it.
//
// Two names are the same name (one nick in a room, one room) when their
// comparison keys are equal: the UTS #39 skeleton of the NFKC case-folded
// name, so `alice`, `Alice`, `ALICE`, `ａｌｉｃｅ` and `аlice` (Cyrillic а)
// are one nick and `lobby` and `lоbby` one room. The skeleton also equates
// look-alikes within a script: `a1ice` is `alice`, `rn` is `m`, `ﬁ` is
// `fi`. Case is folded before the skeleton is taken, so look-alikes that
// differ in case stay apart: `aIice` (capital I) is not `alice`, nor `0`
// (zero) `O`. Diacritics are kept: `Bình` and `Binh` are two names.
//
// All of it is Unicode data: character properties, normalization,
// case folding, script extensions and the confusables table. ICU (libicu)
// is where that data and UTS #39 live, maintained with each Unicode
// version; the system's copy is used, nothing is tabulated here. A
// comparison key depends on that Unicode version: compare keys made by the
// same ICU, and do not store them across an upgrade of it.
//
// Every function is safe to call from any number of threads at once. ICU
// failing (its data missing) throws std::runtime_error.
//

#ifndef WEBCHAT_CHATROOM_NAMERULES_INCLUDED
#define WEBCHAT_CHATROOM_NAMERULES_INCLUDED

#include <cstddef>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class NameRules
{
public:
	static constexpr std::size_t MaxRoomLength = 64;
	static constexpr std::size_t MaxNickLength = 32;
	/// Vietnamese needs two marks on a letter (ệ is e, dot below,
	/// circumflex); more than this many is a tower of marks drawn over
	/// the neighbouring text.
	static constexpr std::size_t MaxMarksInARow = 4;

	/// Empty when name is a valid room name; otherwise why not, as a
	/// sentence for the error event.
	static std::string checkRoom(std::string_view name);

	/// Empty when name is a valid nick; otherwise why not.
	static std::string checkNick(std::string_view name);

	/// The number of code points in valid UTF-8.
	static std::size_t length(std::string_view utf8);

	/// The name as it is shown to others: its NFC form (as typed, with
	/// letters and their accents composed the one way). For valid UTF-8; a
	/// name that passed checkRoom or checkNick still passes in this form.
	static std::string displayForm(std::string_view name);

	/// The key two names are compared by: equal keys, same name. UTF-8, not
	/// meant to be shown. Defined for any valid UTF-8, refused names
	/// included (`аlice` has the key of `alice`); the typed form and its
	/// display form have the same key.
	static std::string comparisonKey(std::string_view name);

	/// Names the data comparison keys are made from (the ICU and Unicode
	/// versions), so a store that keeps keys knows when to make them again.
	static std::string keyVersion();

private:
	static std::string check(std::string_view name, std::size_t maxLength, bool slashAllowed, const char* what);
};

/// A nick or room name in the two forms it is used in, made once where the
/// name comes in so nothing after computes them again: what others are
/// shown (NameRules::displayForm) and what it is compared by
/// (NameRules::comparisonKey). Members of a room, rooms of a registry and
/// the records of the stores are found by key; events carry shown.
struct Name
{
	std::string shown;
	std::string key;

	static Name of(std::string_view typed) { return Name{NameRules::displayForm(typed), NameRules::comparisonKey(typed)}; }
};

} // namespace webchat::chatroom

#endif
