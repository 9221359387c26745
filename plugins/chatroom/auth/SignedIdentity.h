//
// SignedIdentity.h
//
// What a verified token (TokenVerifier) makes of a chat connection, and the
// refusal a token that fails gets. Pure: no clock, no I/O.
//
//   - The speaker: its public id (`from`) is derived from the token's
//     subject alone, so every connection of one identity, on any instance,
//     speaks as the same `from`, and the subject itself (which may be an
//     e-mail address) is never shown. verified is set; roles are the
//     token's.
//   - The holder of a nick reserved for that identity: "sub:" and the
//     subject's SHA-256, never the subject.
//   - The moment a token runs out on the steady clock the engine's
//     deadlines use, from its "exp" on the wall clock.
//

#ifndef WEBCHAT_CHATROOM_AUTH_SIGNEDIDENTITY_INCLUDED
#define WEBCHAT_CHATROOM_AUTH_SIGNEDIDENTITY_INCLUDED

#include "ChatError.h"
#include "Speaker.h"
#include "auth/TokenVerifier.h"

#include <cstdint>
#include <string>
#include <vector>

namespace webchat::chatroom::auth {

/// Characters of a subject's public id: 22 base64url characters, 132 of
/// the hash's bits.
constexpr std::size_t PublicIdLength = 22;

/// base64url (no padding) of SHA-256 over "webchat subject\n" and subject,
/// its first PublicIdLength characters.
std::string publicIdOfSubject(const std::string& subject);

/// "sub:" and the lowercase hex SHA-256 of subject: who holds a nick a
/// token's name reserves (NickReservations).
std::string holderOfSubject(const std::string& subject);

/// The speaker a verified identity makes: {publicIdOfSubject, verified,
/// its roles, its subject}.
Speaker speakerOf(const Identity& identity);

/// The names of the role flags set in roles, in a fixed order
/// ("moderator", "admin"), for the welcome.
std::vector<std::string> roleNames(std::uint8_t roles);

/// unauthorized, with a sentence naming what was wrong with the token,
/// and close code 4401.
ChatError refusal(TokenError error);

/// When, on the steady clock, a token whose exp is expiresAtSeconds runs
/// out, given both clocks' now. A token already expired gives steadyNowMs.
std::int64_t steadyExpiry(std::int64_t expiresAtSeconds, std::int64_t wallNowMs, std::int64_t steadyNowMs);

} // namespace webchat::chatroom::auth

#endif
