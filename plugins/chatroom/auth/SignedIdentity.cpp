#include "auth/SignedIdentity.h"

#include "Poco/Base64Encoder.h"
#include "Poco/DigestEngine.h"
#include "Poco/SHA2Engine.h"

#include <limits>
#include <sstream>

namespace webchat::chatroom::auth {

namespace {

Poco::DigestEngine::Digest sha256(const std::string& prefix, const std::string& text)
{
	Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
	engine.update(prefix);
	engine.update(text);
	return engine.digest();
}

} // namespace

std::string publicIdOfSubject(const std::string& subject)
{
	const auto digest = sha256("webchat subject\n", subject);
	std::ostringstream out;
	{
		Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
		encoder.rdbuf()->setLineLength(0);
		encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
		encoder.close();
	}
	return out.str().substr(0, PublicIdLength);
}

std::string holderOfSubject(const std::string& subject)
{
	return "sub:" + Poco::DigestEngine::digestToHex(sha256("", subject));
}

Speaker speakerOf(const Identity& identity)
{
	Speaker speaker;
	speaker.from = publicIdOfSubject(identity.subject);
	speaker.verified = true;
	speaker.roles = identity.roles;
	speaker.subject = identity.subject;
	return speaker;
}

std::vector<std::string> roleNames(std::uint8_t roles)
{
	std::vector<std::string> names;
	if (roles & static_cast<std::uint8_t>(Role::Moderator)) names.emplace_back("moderator");
	if (roles & static_cast<std::uint8_t>(Role::Admin)) names.emplace_back("admin");
	return names;
}

ChatError refusal(TokenError error)
{
	const char* why = "the token is not valid";
	switch (error)
	{
	case TokenError::TooLong: why = "the token is longer than any this server takes"; break;
	case TokenError::Malformed: why = "the token is not a well-formed JWT"; break;
	case TokenError::AlgorithmNotAllowed: why = "the token is not signed with the algorithm of this server's key"; break;
	case TokenError::BadSignature: why = "the token's signature does not verify"; break;
	case TokenError::WrongIssuer: why = "the token is from another issuer"; break;
	case TokenError::WrongAudience: why = "the token is meant for another audience"; break;
	case TokenError::Expired: why = "the token has expired"; break;
	case TokenError::NotYetValid: why = "the token is not valid yet"; break;
	case TokenError::MissingSubject: why = "the token names no subject"; break;
	case TokenError::BadClaims: why = "the token's claims are not usable (exp, sub, name or roles)"; break;
	}
	return {"unauthorized", why, CloseCodes::Unauthorized};
}

std::int64_t steadyExpiry(std::int64_t expiresAtSeconds, std::int64_t wallNowMs, std::int64_t steadyNowMs)
{
	constexpr std::int64_t Largest = std::numeric_limits<std::int64_t>::max();
	// exp is bounded only by int64 seconds: saturate instead of overflowing.
	if (expiresAtSeconds <= 0) return steadyNowMs;
	if (expiresAtSeconds > Largest / 1000) return Largest;
	const std::int64_t leftMs = expiresAtSeconds * 1000 - wallNowMs;
	if (leftMs <= 0) return steadyNowMs;
	return leftMs > Largest - steadyNowMs ? Largest : steadyNowMs + leftMs;
}

} // namespace webchat::chatroom::auth
