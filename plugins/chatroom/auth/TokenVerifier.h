//
// TokenVerifier.h
//
// Checks a signed identity: a JWT (RFC 7519, compact form) signed with the
// listener's VerificationKey, and what it says about its holder. Pure: no
// clock, no I/O; the caller passes the time. Safe to call from any thread
// at once (nothing in it changes after construction).
//
// The checks, in order; the first that fails is the result:
//   1. TooLong: more than MaxTokenBytes, before anything is decoded.
//   2. Malformed: not three base64url parts (no padding, no stray
//      characters, canonical), a header or payload that is not a JSON
//      object, a header without a string "alg", or with "crit" (extensions
//      this verifier does not understand, RFC 7515 4.1.11).
//   3. AlgorithmNotAllowed: "alg" is "none" or any algorithm but the key's.
//   4. BadSignature.
//   Only signed claims are read from here on:
//   5. WrongIssuer: an issuer is configured and "iss" is not that string.
//   6. WrongAudience: an audience is configured and "aud" (a string or an
//      array of at most MaxAudiences strings) does not contain it; or "aud"
//      is present and no audience is configured (RFC 7519 4.1.3: a token
//      meant for someone else is refused).
//   7. BadClaims: "exp" missing or not a number (every token expires),
//      "nbf" not a number.
//   8. Expired: now >= exp.   9. NotYetValid: now < nbf.
//  10. MissingSubject: "sub" absent or empty.
//  11. BadClaims: "sub" not a string, longer than MaxSubjectBytes, not valid
//      UTF-8 or with control characters, "name"
//      not a string or not a valid nick (NameRules), "roles" not an array of
//      strings, more than MaxRoles of them or one longer than MaxRoleBytes.
//      Roles other than moderator and admin are ignored (an identity
//      provider may issue roles for other services).
//

#ifndef WEBCHAT_CHATROOM_AUTH_TOKENVERIFIER_INCLUDED
#define WEBCHAT_CHATROOM_AUTH_TOKENVERIFIER_INCLUDED

#include "auth/VerificationKey.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

namespace webchat::chatroom::auth {

/// Roles a token can grant, as bit flags of Identity::roles.
enum class Role : std::uint8_t
{
	Moderator = 1,
	Admin = 2
};

/// Who a verified token says its holder is.
struct Identity
{
	std::string subject;        // "sub": the stable identity
	std::string name;           // "name": the nick reserved for it; empty when absent
	std::uint8_t roles = 0;     // Role flags from "roles"
	std::int64_t expiresAt = 0; // "exp", seconds since the epoch

	bool has(Role role) const { return (roles & static_cast<std::uint8_t>(role)) != 0; }
};

/// Why a token was refused (the order of the checks is above).
enum class TokenError
{
	TooLong,
	Malformed,
	AlgorithmNotAllowed,
	BadSignature,
	WrongIssuer,
	WrongAudience,
	Expired,
	NotYetValid,
	MissingSubject,
	BadClaims
};

/// A short word for logs: "too_long", "malformed", "algorithm_not_allowed"...
const char* errorName(TokenError error);

using TokenCheck = std::variant<Identity, TokenError>;

class TokenVerifier
{
public:
	static constexpr std::size_t MaxTokenBytes = 8 * 1024;
	static constexpr std::size_t MaxSubjectBytes = 255;
	static constexpr std::size_t MaxRoles = 16;
	static constexpr std::size_t MaxRoleBytes = 64;
	static constexpr std::size_t MaxAudiences = 16;

	/// issuer, audience: empty means not configured (see checks 5 and 6).
	TokenVerifier(VerificationKey key, std::string issuer, std::string audience);

	TokenCheck verify(const std::string& token, std::int64_t nowSeconds) const;

	const VerificationKey& key() const { return _key; }

private:
	VerificationKey _key;
	std::string _issuer;
	std::string _audience;
};

} // namespace webchat::chatroom::auth

#endif
