#include "NickToken.h"

#include "Poco/Base64Encoder.h"
#include "Poco/DigestEngine.h"
#include "Poco/Exception.h"
#include "Poco/SHA2Engine.h"

#include <openssl/rand.h>

#include <algorithm>
#include <sstream>

namespace webchat::chatroom {

namespace {

// Keeps public ids apart from any other hash of the token.
constexpr std::string_view PublicIdPrefix = "webchat public id\n";

Poco::DigestEngine::Digest sha256(std::string_view prefix, std::string_view data)
{
	Poco::SHA2Engine engine(Poco::SHA2Engine::SHA_256);
	engine.update(prefix.data(), prefix.size());
	engine.update(data.data(), data.size());
	return engine.digest();
}

bool isBase64UrlChar(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

} // namespace

std::string NickToken::generate()
{
	unsigned char random[RandomBytes];
	if (RAND_bytes(random, sizeof random) != 1) throw Poco::SystemException("nick token: the CSPRNG (RAND_bytes) failed");
	return base64Url(std::string_view(reinterpret_cast<const char*>(random), sizeof random));
}

bool NickToken::wellFormed(std::string_view token)
{
	return token.size() == Length && std::all_of(token.begin(), token.end(), isBase64UrlChar);
}

std::string NickToken::holder(std::string_view token)
{
	return "token:" + Poco::DigestEngine::digestToHex(sha256({}, token));
}

std::string NickToken::publicId(std::string_view token)
{
	const auto digest = sha256(PublicIdPrefix, token);
	return base64Url(std::string_view(reinterpret_cast<const char*>(digest.data()), digest.size())).substr(0, PublicIdLength);
}

std::string NickToken::subjectHolder(std::string_view subject)
{
	return "sub:" + Poco::DigestEngine::digestToHex(sha256({}, subject));
}

std::string NickToken::base64Url(std::string_view bytes)
{
	std::ostringstream out;
	Poco::Base64Encoder encoder(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
	encoder.rdbuf()->setLineLength(0);
	encoder.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
	encoder.close();
	return out.str();
}

} // namespace webchat::chatroom
