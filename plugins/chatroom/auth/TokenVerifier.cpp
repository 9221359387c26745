#include "auth/TokenVerifier.h"

#include "NameRules.h"

#include "webchat/engine/Utf8Validator.h"

#include "Poco/Dynamic/Var.h"
#include "Poco/Exception.h"
#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"

#include <cmath>
#include <limits>
#include <optional>
#include <string_view>

namespace webchat::chatroom::auth {

namespace {

/// The value of a base64url character (RFC 4648 5), or -1.
int base64UrlValue(char c)
{
	if (c >= 'A' && c <= 'Z') return c - 'A';
	if (c >= 'a' && c <= 'z') return c - 'a' + 26;
	if (c >= '0' && c <= '9') return c - '0' + 52;
	if (c == '-') return 62;
	if (c == '_') return 63;
	return -1;
}

/// Strict base64url without padding (RFC 7515 2): any other character, a
/// length that no byte count gives, or unused bits that are not zero (so
/// each byte string has exactly one encoding) is refused.
std::optional<std::string> decodeBase64Url(std::string_view text)
{
	if (text.size() % 4 == 1) return std::nullopt;
	std::string bytes;
	bytes.reserve(text.size() * 3 / 4);
	std::uint32_t bits = 0;
	int bitCount = 0;
	for (char c : text)
	{
		const int value = base64UrlValue(c);
		if (value < 0) return std::nullopt;
		bits = (bits << 6) | static_cast<std::uint32_t>(value);
		bitCount += 6;
		if (bitCount >= 8)
		{
			bitCount -= 8;
			bytes.push_back(static_cast<char>((bits >> bitCount) & 0xFF));
		}
	}
	if ((bits & ((1u << bitCount) - 1)) != 0) return std::nullopt;
	return bytes;
}

Poco::JSON::Object::Ptr parseObject(const std::string& json)
{
	try
	{
		Poco::JSON::Parser parser;
		const Poco::Dynamic::Var parsed = parser.parse(json);
		if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return nullptr;
		return parsed.extract<Poco::JSON::Object::Ptr>();
	}
	catch (const Poco::Exception&)
	{
		return nullptr;
	}
}

/// A NumericDate (RFC 7519 2: seconds, possibly with a fraction) as whole
/// seconds, or nothing when the value is not a number that fits.
std::optional<std::int64_t> numericDate(const Poco::Dynamic::Var& value)
{
	try
	{
		if (value.isInteger()) return value.convert<std::int64_t>();
		if (!value.isNumeric()) return std::nullopt;
		const double seconds = value.convert<double>();
		// Both bounds are exact doubles; what lies between converts.
		if (!std::isfinite(seconds) || seconds < -9.2e18 || seconds > 9.2e18) return std::nullopt;
		return static_cast<std::int64_t>(std::floor(seconds));
	}
	catch (const Poco::Exception&)
	{
		return std::nullopt; // an unsigned value past the int64 range
	}
}

/// Fit to show: valid UTF-8 without ASCII control characters.
bool printable(const std::string& text)
{
	if (!ws::isValidUtf8(text)) return false;
	for (unsigned char c : text)
	{
		if (c < 0x20 || c == 0x7F) return false;
	}
	return true;
}

bool audienceContains(const Poco::Dynamic::Var& aud, const std::string& audience)
{
	if (aud.isString()) return aud.extract<std::string>() == audience;
	if (aud.type() != typeid(Poco::JSON::Array::Ptr)) return false;
	const Poco::JSON::Array::Ptr list = aud.extract<Poco::JSON::Array::Ptr>();
	if (list->size() > TokenVerifier::MaxAudiences) return false;
	for (std::size_t i = 0; i < list->size(); ++i)
	{
		const Poco::Dynamic::Var entry = list->get(static_cast<unsigned>(i));
		if (entry.isString() && entry.extract<std::string>() == audience) return true;
	}
	return false;
}

/// The role flags of a "roles" claim, or nothing when it is not a bounded
/// array of bounded strings.
std::optional<std::uint8_t> parseRoles(const Poco::Dynamic::Var& value)
{
	if (value.type() != typeid(Poco::JSON::Array::Ptr)) return std::nullopt;
	const Poco::JSON::Array::Ptr list = value.extract<Poco::JSON::Array::Ptr>();
	if (list->size() > TokenVerifier::MaxRoles) return std::nullopt;
	std::uint8_t roles = 0;
	for (std::size_t i = 0; i < list->size(); ++i)
	{
		const Poco::Dynamic::Var entry = list->get(static_cast<unsigned>(i));
		if (!entry.isString()) return std::nullopt;
		const std::string& role = entry.extract<std::string>();
		if (role.size() > TokenVerifier::MaxRoleBytes) return std::nullopt;
		if (role == "moderator") roles |= static_cast<std::uint8_t>(Role::Moderator);
		else if (role == "admin") roles |= static_cast<std::uint8_t>(Role::Admin);
	}
	return roles;
}

} // namespace

const char* errorName(TokenError error)
{
	switch (error)
	{
	case TokenError::TooLong: return "too_long";
	case TokenError::Malformed: return "malformed";
	case TokenError::AlgorithmNotAllowed: return "algorithm_not_allowed";
	case TokenError::BadSignature: return "bad_signature";
	case TokenError::WrongIssuer: return "wrong_issuer";
	case TokenError::WrongAudience: return "wrong_audience";
	case TokenError::Expired: return "expired";
	case TokenError::NotYetValid: return "not_yet_valid";
	case TokenError::MissingSubject: return "missing_subject";
	case TokenError::BadClaims: return "bad_claims";
	}
	return "malformed";
}

TokenVerifier::TokenVerifier(VerificationKey key, std::string issuer, std::string audience):
	_key(std::move(key)),
	_issuer(std::move(issuer)),
	_audience(std::move(audience))
{
}

TokenCheck TokenVerifier::verify(const std::string& token, std::int64_t nowSeconds) const
{
	if (token.size() > MaxTokenBytes) return TokenError::TooLong;

	// Structure: header.payload.signature, each strict base64url.
	const std::size_t firstDot = token.find('.');
	const std::size_t secondDot = firstDot == std::string::npos ? std::string::npos : token.find('.', firstDot + 1);
	if (secondDot == std::string::npos || token.find('.', secondDot + 1) != std::string::npos) return TokenError::Malformed;
	const std::string_view whole(token);
	const auto headerJson = decodeBase64Url(whole.substr(0, firstDot));
	const auto payloadJson = decodeBase64Url(whole.substr(firstDot + 1, secondDot - firstDot - 1));
	const auto signature = decodeBase64Url(whole.substr(secondDot + 1));
	if (!headerJson || !payloadJson || !signature) return TokenError::Malformed;
	const Poco::JSON::Object::Ptr header = parseObject(*headerJson);
	const Poco::JSON::Object::Ptr claims = parseObject(*payloadJson);
	if (!header || !claims) return TokenError::Malformed;
	const Poco::Dynamic::Var alg = header->get("alg");
	if (!alg.isString() || header->has("crit")) return TokenError::Malformed;

	if (alg.extract<std::string>() != algorithmName(_key.algorithm())) return TokenError::AlgorithmNotAllowed;
	if (!_key.verifies(whole.substr(0, secondDot), *signature, token)) return TokenError::BadSignature;

	if (!_issuer.empty())
	{
		const Poco::Dynamic::Var iss = claims->get("iss");
		if (!iss.isString() || iss.extract<std::string>() != _issuer) return TokenError::WrongIssuer;
	}
	if (claims->has("aud") ? _audience.empty() || !audienceContains(claims->get("aud"), _audience) : !_audience.empty())
		return TokenError::WrongAudience;

	const auto expiresAt = numericDate(claims->get("exp"));
	if (!expiresAt) return TokenError::BadClaims;
	std::optional<std::int64_t> notBefore;
	if (claims->has("nbf"))
	{
		notBefore = numericDate(claims->get("nbf"));
		if (!notBefore) return TokenError::BadClaims;
	}
	if (nowSeconds >= *expiresAt) return TokenError::Expired;
	if (notBefore && nowSeconds < *notBefore) return TokenError::NotYetValid;

	Identity identity;
	identity.expiresAt = *expiresAt;
	const Poco::Dynamic::Var sub = claims->get("sub");
	if (sub.isEmpty() || (sub.isString() && sub.extract<std::string>().empty())) return TokenError::MissingSubject;
	if (!sub.isString()) return TokenError::BadClaims;
	identity.subject = sub.extract<std::string>();
	if (identity.subject.size() > MaxSubjectBytes || !printable(identity.subject)) return TokenError::BadClaims;
	if (claims->has("name"))
	{
		const Poco::Dynamic::Var name = claims->get("name");
		if (!name.isString() || !ws::isValidUtf8(name.extract<std::string>()) || !NameRules::checkNick(name.extract<std::string>()).empty())
			return TokenError::BadClaims;
		identity.name = name.extract<std::string>();
	}
	if (claims->has("roles"))
	{
		const auto roles = parseRoles(claims->get("roles"));
		if (!roles) return TokenError::BadClaims;
		identity.roles = *roles;
	}
	return identity;
}

} // namespace webchat::chatroom::auth
