//
// RequestTarget.h
//
// The upgrade request's target, ws://HOST/<room>?nick=<nick>&since=<id>,
// parsed and checked (docs/PROTOCOL.md, Connecting):
//   - the path without its leading '/' is the room, percent-decoded once as
//     UTF-8 ('+' is a plus sign); "/" alone is "lobby"
//   - the query's nick and since, percent-decoded ('+' is a space, as
//     URLSearchParams writes it); an empty value is the same as none; other
//     keys are ignored; nick or since given twice is an error
//   - since is a whole number from 0 to 2^53-1 (the largest id JavaScript
//     numbers hold exactly)
// A malformed escape or bytes that are not UTF-8 are refused, never repaired.
//

#ifndef WEBCHAT_CHATROOM_REQUESTTARGET_INCLUDED
#define WEBCHAT_CHATROOM_REQUESTTARGET_INCLUDED

#include "ChatError.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class RequestTarget
{
public:
	static constexpr std::uint64_t MaxSince = (std::uint64_t(1) << 53) - 1;

	/// Parses the request target as sent on the request line.
	static RequestTarget parse(std::string_view target);

	/// Set when the target breaks a rule: invalid_room, invalid_nick or
	/// invalid_since, with close code 4400.
	const std::optional<ChatError>& error() const { return _error; }

	const std::string& room() const { return _room; }
	const std::optional<std::string>& nick() const { return _nick; }
	const std::optional<std::uint64_t>& since() const { return _since; }

	/// Strict percent-decoding: every '%' starts two hex digits and the
	/// result must be valid UTF-8. plusIsSpace for query values.
	static bool percentDecode(std::string_view encoded, bool plusIsSpace, std::string& decoded);

private:
	RequestTarget() = default;
	static RequestTarget refuse(const char* code, std::string message);

	std::string _room;
	std::optional<std::string> _nick;
	std::optional<std::uint64_t> _since;
	std::optional<ChatError> _error;
};

} // namespace webchat::chatroom

#endif
