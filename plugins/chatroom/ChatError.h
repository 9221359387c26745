//
// ChatError.h
//
// A refusal as the client sees it: the error event's code and message and,
// for refusals that end the connection, the close code (docs/PROTOCOL.md).
//

#ifndef WEBCHAT_CHATROOM_CHATERROR_INCLUDED
#define WEBCHAT_CHATROOM_CHATERROR_INCLUDED

#include <cstdint>
#include <string>

namespace webchat::chatroom {

namespace CloseCodes {
constexpr std::uint16_t BadRequest = 4400;  // invalid_room, invalid_nick, invalid_since
constexpr std::uint16_t Unauthorized = 4401; // unauthorized: a signed identity is missing, refused or expired
constexpr std::uint16_t Forbidden = 4403;   // banned, kicked
constexpr std::uint16_t Conflict = 4409;    // nick_taken
constexpr std::uint16_t TooMany = 4429;     // room_full, too_many_rooms
constexpr std::uint16_t Unavailable = 4503; // unavailable: the shared backend is unreachable; try again later
} // namespace CloseCodes

struct ChatError
{
	std::string code;    // e.g. "invalid_room"
	std::string message; // a sentence for people
	std::uint16_t closeCode = 0; // 0: the connection stays open
};

} // namespace webchat::chatroom

#endif
