//
// ApiToken.h
//
// The operator API's one secret, read from api_token_file, and the check
// of a request's "Authorization: Bearer <token>" against it in constant
// time: both sides are hashed (SHA-256) and the digests compared without
// an early exit, so neither the token's content nor its length shows in
// how long a refusal takes.
//

#ifndef WEBCHAT_ADMIN_APITOKEN_INCLUDED
#define WEBCHAT_ADMIN_APITOKEN_INCLUDED

#include <string>
#include <string_view>
#include <vector>

namespace webchat::admin {

class ApiToken
{
public:
	/// The token is the file's bytes with surrounding whitespace (a trailing
	/// newline) removed. Throws Poco::Exception naming api_token_file and
	/// the path when the file cannot be read, is empty, or holds a token
	/// that is not one line of visible ASCII.
	static ApiToken fromFile(const std::string& path);

	/// A token given as is (tests); the same rules.
	static ApiToken fromText(std::string_view token, const std::string& where);

	/// True when authorization (the header's value, "" when absent) is
	/// "Bearer <the token>" (the scheme in any case, one space).
	bool accepts(std::string_view authorization) const;

private:
	explicit ApiToken(std::vector<unsigned char> digest);

	static std::vector<unsigned char> digestOf(std::string_view text);
	static bool sameDigest(const std::vector<unsigned char>& a, const std::vector<unsigned char>& b);

	std::vector<unsigned char> _digest;
};

} // namespace webchat::admin

#endif
