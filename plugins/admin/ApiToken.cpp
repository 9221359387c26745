#include "ApiToken.h"

#include "Poco/Exception.h"
#include "Poco/FileStream.h"
#include "Poco/SHA2Engine.h"
#include "Poco/StreamCopier.h"
#include "Poco/String.h"

namespace webchat::admin {

namespace {

constexpr std::string_view bearer = "bearer ";

} // namespace

ApiToken::ApiToken(std::vector<unsigned char> digest):
	_digest(std::move(digest))
{
}

ApiToken ApiToken::fromFile(const std::string& path)
{
	std::string contents;
	try
	{
		Poco::FileInputStream in(path);
		Poco::StreamCopier::copyToString(in, contents);
	}
	catch (const Poco::Exception& exc)
	{
		throw Poco::FileAccessDeniedException("api_token_file = " + path + ": cannot be read", exc.displayText());
	}
	return fromText(contents, "api_token_file = " + path);
}

ApiToken ApiToken::fromText(std::string_view token, const std::string& where)
{
	const std::string trimmed = Poco::trim(std::string(token));
	if (trimmed.empty()) throw Poco::InvalidArgumentException(where + ": the token is empty");
	for (const char c : trimmed)
	{
		if (c < 0x21 || c > 0x7e)
			throw Poco::InvalidArgumentException(where + ": the token must be one line of visible ASCII (no spaces)");
	}
	return ApiToken(digestOf(trimmed));
}

bool ApiToken::accepts(std::string_view authorization) const
{
	// The scheme is not secret; only the token is compared in constant time.
	const bool isBearer = authorization.size() > bearer.size() &&
		Poco::icompare(std::string(authorization.substr(0, bearer.size())), std::string(bearer)) == 0;
	const std::string_view given = isBearer ? authorization.substr(bearer.size()) : std::string_view();
	return sameDigest(digestOf(given), _digest) && isBearer;
}

std::vector<unsigned char> ApiToken::digestOf(std::string_view text)
{
	Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
	sha.update(text.data(), text.size());
	const auto& digest = sha.digest();
	return std::vector<unsigned char>(digest.begin(), digest.end());
}

bool ApiToken::sameDigest(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b)
{
	if (a.size() != b.size()) return false; // both SHA-256: never
	unsigned char difference = 0;
	for (std::size_t i = 0; i < a.size(); ++i) difference |= static_cast<unsigned char>(a[i] ^ b[i]);
	return difference == 0;
}

} // namespace webchat::admin
