//
// AuthSettings.h
//
// How a chat listener knows who its clients are (the keys of keys(), each
// with its default and range): `auth = none` (anyone picks a nick) or
// `auth = jwt` (a client may present a signed identity, a JWT checked with
// jwt_key_file; see VerificationKey.h for what the file may hold and
// TokenVerifier.h for what is checked). allow_guests is a flag (true or
// false, any case). The key file is read and checked here, at
// configuration time, so a bad one stops webchatd (exit 78) with a message
// naming jwt_key_file instead of refusing every client later.
//

#ifndef WEBCHAT_CHATROOM_AUTH_AUTHSETTINGS_INCLUDED
#define WEBCHAT_CHATROOM_AUTH_AUTHSETTINGS_INCLUDED

#include "auth/TokenVerifier.h"

#include "webchat/ConfigKeys.h"

#include "Poco/Util/AbstractConfiguration.h"

#include <cstdint>
#include <memory>
#include <string>

namespace webchat::chatroom::auth {

struct AuthSettings
{
	enum class Mode
	{
		None,
		Jwt
	};

	/// The longest key file read: far more than any PEM public key.
	static constexpr std::size_t MaxKeyFileBytes = 64 * 1024;

	// The keys of keys(), read by fromConfig().
	Mode mode = Mode::None;
	std::string keyFile;         // jwt_key_file, absolute; empty for auth = none
	std::string issuer;          // jwt_issuer: empty, not checked
	std::string audience;        // jwt_audience: empty, tokens with "aud" refused
	bool allowGuests = true;     // allow_guests: joins without a valid token
	std::int64_t authGraceMs = 0; // auth_grace_ms: time to send a fresh token once one expires
	/// Set for auth = jwt: checks tokens with the key file's key.
	std::shared_ptr<const TokenVerifier> verifier;

	/// The authentication keys (beside the chat room's and the history's).
	static const SettingsTable<AuthSettings>& keys();

	/// Reads and checks the keys above, reading and parsing the key file for
	/// auth = jwt. Throws Poco::InvalidArgumentException naming the key for
	/// a bad value or key file, Poco::Util::MissingOptionException for
	/// auth = jwt without jwt_key_file.
	static AuthSettings fromConfig(const Poco::Util::AbstractConfiguration& section);
};

} // namespace webchat::chatroom::auth

#endif
