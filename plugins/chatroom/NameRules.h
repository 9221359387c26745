//
// NameRules.h
//
// What a room name and a nick may be. Letters of any script, digits,
// spaces, punctuation and symbols (emoji included) are allowed; refused are
// characters that break or disguise how a name is shown to others:
//   - control characters: C0 (U+0000-U+001F), DEL and C1 (U+0080-U+009F)
//   - the line and paragraph separators U+2028 and U+2029
//   - bidirectional embeddings, overrides and isolates (U+202A-U+202E,
//     U+2066-U+2069): they reorder the text around a name when shown
//   - the byte order mark U+FEFF
//   - white space (U+0020 and the other Unicode space separators) at the
//     start or the end
// and, in a room name, '/'. Lengths are counted in code points.
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

	/// Empty when name is a valid room name; otherwise why not, as a
	/// sentence for the error event.
	static std::string checkRoom(std::string_view name);

	/// Empty when name is a valid nick; otherwise why not.
	static std::string checkNick(std::string_view name);

	/// The number of code points in valid UTF-8.
	static std::size_t length(std::string_view utf8);

private:
	static std::string check(std::string_view name, std::size_t maxLength, bool slashAllowed, const char* what);
};

} // namespace webchat::chatroom

#endif
