#include "auth/AuthSettings.h"

#include "Poco/Exception.h"
#include "Poco/Path.h"

#include <fstream>
#include <iterator>

namespace webchat::chatroom::auth {

namespace {

/// Keys that mean something only with auth = jwt.
const char* const JwtOnlyKeys[] = {"jwt_key_file", "jwt_issuer", "jwt_audience"};

std::shared_ptr<const TokenVerifier> loadVerifier(const ConfigReader& read, const AuthSettings& s)
{
	std::ifstream file(s.keyFile, std::ios::binary);
	std::string content;
	if (file)
	{
		// One byte past the limit tells a file that is too large.
		content.resize(AuthSettings::MaxKeyFileBytes + 1);
		file.read(content.data(), static_cast<std::streamsize>(content.size()));
		content.resize(static_cast<std::size_t>(file.gcount()));
	}
	if (!file && !file.eof()) read.refuse("jwt_key_file", s.keyFile, "cannot be read");
	if (content.size() > AuthSettings::MaxKeyFileBytes)
		read.refuse("jwt_key_file", s.keyFile, "larger than " + std::to_string(AuthSettings::MaxKeyFileBytes) + " bytes: not a key");
	auto key = VerificationKey::fromFileContent(std::move(content));
	if (const KeyProblem* problem = std::get_if<KeyProblem>(&key)) read.refuse("jwt_key_file", s.keyFile, describe(*problem));
	return std::make_shared<const TokenVerifier>(std::get<VerificationKey>(std::move(key)), s.issuer, s.audience);
}

} // namespace

const SettingsTable<AuthSettings>& AuthSettings::keys()
{
	using Key = ConfigKey;
	using S = AuthSettings;
	static const SettingsTable<AuthSettings> table{"chat authentication", {
		Key::choice("auth", "none", {"none", "jwt"}, "none: anyone picks a nick; jwt: clients may present a signed identity (token=, or an auth frame)"),
		Key::path("jwt_key_file", "", "auth = jwt: an HS256 secret (the file's bytes, at least 32) or an RSA/EC public key in PEM (RS256/ES256); relative: to the .ini's folder"),
		{Key::text("jwt_issuer", "", "auth = jwt: the iss every token must have (empty: not checked)"), &S::issuer},
		{Key::text("jwt_audience", "", "auth = jwt: a value every token's aud must hold (empty: tokens with an aud are refused)"), &S::audience},
		Key::flag("allow_guests", true, "auth = jwt: false refuses joins without a valid token (4401)"),
		{Key::integer("auth_grace_ms", 30000, 0, 3600000, "ms", "auth = jwt: time to send a fresh token once the current one expires, then close 4401"), &S::authGraceMs},
	}};
	return table;
}

AuthSettings AuthSettings::fromConfig(const Poco::Util::AbstractConfiguration& section)
{
	const ConfigReader read(keys(), section);
	AuthSettings s;
	keys().read(read, s);
	s.mode = read.choice("auth") == "jwt" ? Mode::Jwt : Mode::None;
	s.allowGuests = read.flag("allow_guests");
	if (s.mode == Mode::None)
	{
		// A key that looks like protection but does nothing is refused.
		for (const char* name : JwtOnlyKeys)
		{
			if (read.hasValue(name)) read.refuse(name, read.raw(name), "needs auth = jwt");
		}
		if (!s.allowGuests) read.refuse("allow_guests", "false", "needs auth = jwt (without it every client is a guest)");
		return s;
	}
	if (!read.hasValue("jwt_key_file")) throw Poco::Util::MissingOptionException("missing configuration key (auth = jwt needs it)", "jwt_key_file");
	s.keyFile = read.resolvedFilePath("jwt_key_file");
	s.verifier = loadVerifier(read, s);
	return s;
}

} // namespace webchat::chatroom::auth
