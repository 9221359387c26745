//
// RequestTarget.h
//
// The upgrade request's target,
// ws://HOST/<room>?nick=<nick>&since=<id>&epoch=<epoch>&token=<token>,
// parsed and checked
// (docs/PROTOCOL.md, Connecting):
//   - the path without its leading '/' is the room, percent-decoded once as
//     UTF-8 ('+' is a plus sign); "/" alone is "lobby"
//   - the query's nick, since, epoch and token, percent-decoded ('+' is a space,
//     as URLSearchParams writes it); an empty value is the same as none;
//     other keys are ignored; any of them given twice is an error
//   - since is a whole number from 0 to 2^53-1 (the largest id JavaScript
//     numbers hold exactly)
//   - epoch is the token a welcome gave: 1 to 64 ASCII letters, digits, '-'
//     or '_' (opaque: other backends may make other ones)
//   - token is who the client says it is: the nick token a welcome gave,
//     or a signed identity (a JWT) where the listener takes them; 1 to
//     MaxTokenLength base64url characters ('A'-'Z', 'a'-'z', '0'-'9',
//     '-', '_') and '.', checked by what reads it
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

	static constexpr std::size_t MaxEpochLength = 64;
	/// As long as the longest signed identity taken (TokenVerifier).
	static constexpr std::size_t MaxTokenLength = 8 * 1024;

	/// Set when the target breaks a rule: invalid_room, invalid_nick,
	/// invalid_since, invalid_epoch or invalid_token, with close code 4400.
	const std::optional<ChatError>& error() const { return _error; }

	const std::string& room() const { return _room; }
	const std::optional<std::string>& nick() const { return _nick; }
	const std::optional<std::uint64_t>& since() const { return _since; }
	const std::optional<std::string>& epoch() const { return _epoch; }
	const std::optional<std::string>& token() const { return _token; }

private:
	RequestTarget() = default;
	static RequestTarget refuse(const char* code, std::string message);

	std::string _room;
	std::optional<std::string> _nick;
	std::optional<std::uint64_t> _since;
	std::optional<std::string> _epoch;
	std::optional<std::string> _token;
	std::optional<ChatError> _error;
};

} // namespace webchat::chatroom

#endif
