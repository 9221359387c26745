//
// NickToken.h
//
// A nick token: the secret a welcome gives a client for its nick, sent back
// as token= to get the nick again (NickReservations). What is derived from
// it, so that nothing stores or shows the token itself:
//   - holder(): "token:" and the hex SHA-256 of the token, what a
//     reservation names as its holder;
//   - publicId(): the speaker's public id (`from` in events), 22 base64url
//     characters (132 bits) of a SHA-256 over a fixed prefix and the token,
//     so it is neither the token nor its holder;
// and subjectHolder(): "sub:" and the hex SHA-256 of a signed identity's
// subject, the holder for a nick that identity claims.
//

#ifndef WEBCHAT_CHATROOM_NICKTOKEN_INCLUDED
#define WEBCHAT_CHATROOM_NICKTOKEN_INCLUDED

#include <cstddef>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class NickToken
{
public:
	/// Random bytes in a token (256 bits from OpenSSL's CSPRNG).
	static constexpr std::size_t RandomBytes = 32;
	/// A token's length: RandomBytes in base64url without padding.
	static constexpr std::size_t Length = (RandomBytes * 4 + 2) / 3;
	/// A public id's length in base64url characters.
	static constexpr std::size_t PublicIdLength = 22;

	/// A new token. Throws Poco::SystemException if the CSPRNG fails.
	static std::string generate();

	/// Whether token could be one generate() made: Length base64url
	/// characters. Anything else (a JWT, garbage) is no nick token.
	static bool wellFormed(std::string_view token);

	static std::string holder(std::string_view token);
	static std::string publicId(std::string_view token);
	static std::string subjectHolder(std::string_view subject);

	/// bytes in base64url without padding (RFC 4648 5).
	static std::string base64Url(std::string_view bytes);
};

} // namespace webchat::chatroom

#endif
