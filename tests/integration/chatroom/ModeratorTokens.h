//
// ModeratorTokens.h
//
// Signed identities for the moderation tests: HS256 tokens (TestTokens
// signs them, independently of the server) for a subject, its nick and
// its roles, and the listener keys that make webchatd accept them.
//

#ifndef WEBCHAT_TEST_MODERATORTOKENS_INCLUDED
#define WEBCHAT_TEST_MODERATORTOKENS_INCLUDED

#include "ChatTestSupport.h"

#include "../../unit/chatroom/TestTokens.h"

#include <string>

namespace webchat::test::chatroom {

inline const std::string& moderationSecret()
{
	static const std::string secret = "a-moderation-test-secret-of-40-bytes!!!!";
	return secret;
}

/// A token valid for an hour for subject, named name, with roles (the
/// members of a JSON array: "\"moderator\"").
inline std::string identityToken(const std::string& subject, const std::string& name, const std::string& roles = "")
{
	const std::int64_t expires = wallClockMs() / 1000 + 3600;
	return signHs256(R"({"alg":"HS256","typ":"JWT"})",
		"{\"sub\":" + jsonString(subject) + ",\"name\":" + jsonString(name) + ",\"roles\":[" + roles + "],\"exp\":" + std::to_string(expires) + "}",
		moderationSecret());
}

/// The URL path of room for a moderator called Mod.
inline std::string moderatorPath(const std::string& room = "lobby")
{
	return "/" + room + "?token=" + identityToken("mod-1", "Mod", "\"moderator\"");
}

/// The listener keys: auth = jwt with the secret's key file.
inline std::string jwtListenerKeys()
{
	static const std::string keyFile = writeTempFile(moderationSecret(), ".key");
	return "auth = jwt\njwt_key_file = " + keyFile + "\n";
}

} // namespace webchat::test::chatroom

#endif
