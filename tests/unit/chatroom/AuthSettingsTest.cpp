// AuthSettings: the auth keys, their defaults, the key file read (relative
// to the .ini's folder) and checked, and refusals naming the key.
#include "auth/AuthSettings.h"

#include "NativePath.h"
#include "TestTokens.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/TemporaryFile.h"
#include "Poco/Util/MapConfiguration.h"
#include "Poco/Util/OptionException.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::auth::AuthSettings;
using webchat::chatroom::auth::Identity;
using webchat::chatroom::auth::SigningAlgorithm;
using webchat::chatroom::auth::TokenError;
namespace test = webchat::test;

namespace {

const std::string Secret = "another-test-secret-32-bytes-long";

class AuthSettingsFixture
{
public:
	AuthSettingsFixture()
	{
		_folder.createDirectories();
	}

	/// Writes name (relative to the .ini's folder) with content.
	void write(const std::string& name, const std::string& content) const
	{
		Poco::FileOutputStream out(folder() + name, std::ios::binary | std::ios::trunc);
		out << content;
	}

	/// The .ini's folder, with a trailing slash as webchatd sets it.
	std::string folder() const { return webchat::test::nativePath(_folder.path() + "/"); }

	AuthSettings read(const std::vector<std::pair<std::string, std::string>>& keys) const
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> map(new Poco::Util::MapConfiguration);
		map->setString("application.configDir", folder());
		for (const auto& [key, value] : keys) map->setString(key, value);
		return AuthSettings::fromConfig(*map);
	}

	std::string refusal(const std::vector<std::pair<std::string, std::string>>& keys) const
	{
		try
		{
			read(keys);
		}
		catch (const Poco::InvalidArgumentException& exc)
		{
			return exc.message();
		}
		return "";
	}

private:
	Poco::TemporaryFile _folder;
};

} // namespace

class AuthSettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AuthSettingsTest);
	CPPUNIT_TEST(testDefaults);
	CPPUNIT_TEST(testJwtWithSecretFile);
	CPPUNIT_TEST(testJwtWithPublicKeyFiles);
	CPPUNIT_TEST(testJwtNeedsKeyFile);
	CPPUNIT_TEST(testRefusesBadKeyFilesNamingKey);
	CPPUNIT_TEST(testJwtKeysNeedJwt);
	CPPUNIT_TEST(testChoicesAndRanges);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDefaults()
	{
		const AuthSettingsFixture fixture;
		const AuthSettings s = fixture.read({});
		CPPUNIT_ASSERT(s.mode == AuthSettings::Mode::None);
		CPPUNIT_ASSERT(s.allowGuests);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(30000), s.authGraceMs);
		CPPUNIT_ASSERT(s.keyFile.empty());
		CPPUNIT_ASSERT(!s.verifier);
	}

	void testJwtWithSecretFile()
	{
		const AuthSettingsFixture fixture;
		fixture.write("jwt.secret", Secret + "\n");
		const AuthSettings s = fixture.read({{"auth", "jwt"}, {"jwt_key_file", "jwt.secret"}, {"jwt_issuer", "https://id.example"},
			{"jwt_audience", "chat"}, {"allow_guests", "False"}, {"auth_grace_ms", "5000"}});
		CPPUNIT_ASSERT(s.mode == AuthSettings::Mode::Jwt);
		CPPUNIT_ASSERT_EQUAL(fixture.folder() + "jwt.secret", s.keyFile);
		CPPUNIT_ASSERT_EQUAL(std::string("https://id.example"), s.issuer);
		CPPUNIT_ASSERT_EQUAL(std::string("chat"), s.audience);
		CPPUNIT_ASSERT(!s.allowGuests);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(5000), s.authGraceMs);
		CPPUNIT_ASSERT(s.verifier);
		CPPUNIT_ASSERT(s.verifier->key().algorithm() == SigningAlgorithm::HS256);
		// The verifier checks with the file's secret, issuer and audience.
		const std::string header = R"({"alg":"HS256"})";
		const std::string good = test::signHs256(header, R"({"sub":"bob","exp":2000000000,"iss":"https://id.example","aud":"chat"})", Secret);
		CPPUNIT_ASSERT_EQUAL(std::string("bob"), std::get<Identity>(s.verifier->verify(good, 1700000000)).subject);
		const std::string otherIssuer = test::signHs256(header, R"({"sub":"bob","exp":2000000000,"iss":"https://x.example","aud":"chat"})", Secret);
		CPPUNIT_ASSERT(std::get<TokenError>(s.verifier->verify(otherIssuer, 1700000000)) == TokenError::WrongIssuer);
		// An absolute path is taken as it is.
		CPPUNIT_ASSERT_EQUAL(fixture.folder() + "jwt.secret",
			fixture.read({{"auth", "jwt"}, {"jwt_key_file", fixture.folder() + "sub/../jwt.secret"}}).keyFile);
	}

	void testJwtWithPublicKeyFiles()
	{
		const AuthSettingsFixture fixture;
		fixture.write("rsa.pem", test::publicPem(test::newRsaKey()));
		fixture.write("ec.pem", test::publicPem(test::newEcKey()));
		CPPUNIT_ASSERT(fixture.read({{"auth", "jwt"}, {"jwt_key_file", "rsa.pem"}}).verifier->key().algorithm() == SigningAlgorithm::RS256);
		CPPUNIT_ASSERT(fixture.read({{"auth", "jwt"}, {"jwt_key_file", "ec.pem"}}).verifier->key().algorithm() == SigningAlgorithm::ES256);
	}

	void testJwtNeedsKeyFile()
	{
		const AuthSettingsFixture fixture;
		for (const auto& keys : {std::vector<std::pair<std::string, std::string>>{{"auth", "jwt"}}, {{"auth", "jwt"}, {"jwt_key_file", " "}}})
		{
			try
			{
				fixture.read(keys);
				CPPUNIT_FAIL("auth = jwt without jwt_key_file accepted");
			}
			catch (const Poco::Util::MissingOptionException& exc)
			{
				CPPUNIT_ASSERT_EQUAL(std::string("missing configuration key (auth = jwt needs it): jwt_key_file"), exc.message());
			}
		}
	}

	void testRefusesBadKeyFilesNamingKey()
	{
		const AuthSettingsFixture fixture;
		const std::string dir = fixture.folder();
		auto refusal = [&](const std::string& file) { return fixture.refusal({{"auth", "jwt"}, {"jwt_key_file", file}}); };
		CPPUNIT_ASSERT_EQUAL("jwt_key_file = " + dir + "missing.key: cannot be read", refusal("missing.key"));
		CPPUNIT_ASSERT_EQUAL(std::string("jwt_key_file = keys/: expected the path of a file"), refusal("keys/"));
		fixture.write("short.key", std::string(31, 's') + "\n");
		CPPUNIT_ASSERT_EQUAL("jwt_key_file = " + dir + "short.key: an HS256 secret of fewer than 32 bytes", refusal("short.key"));
		fixture.write("private.pem", test::privatePem(test::newEcKey()));
		CPPUNIT_ASSERT_EQUAL("jwt_key_file = " + dir + "private.pem: not a PEM public key (expected one BEGIN PUBLIC KEY block, no private key or certificate)",
			refusal("private.pem"));
		fixture.write("ed.pem", test::publicPem(test::newEd25519Key()));
		CPPUNIT_ASSERT_EQUAL("jwt_key_file = " + dir + "ed.pem: a public key that is neither RSA (RS256) nor EC (ES256)", refusal("ed.pem"));
		fixture.write("p384.pem", test::publicPem(test::newEcKey("P-384")));
		CPPUNIT_ASSERT_EQUAL("jwt_key_file = " + dir + "p384.pem: an EC key on another curve than P-256 (ES256)", refusal("p384.pem"));
		fixture.write("huge.key", std::string(AuthSettings::MaxKeyFileBytes + 1, 'h'));
		CPPUNIT_ASSERT_EQUAL("jwt_key_file = " + dir + "huge.key: larger than 65536 bytes: not a key", refusal("huge.key"));
		fixture.write("max.key", std::string(AuthSettings::MaxKeyFileBytes, 'h'));
		CPPUNIT_ASSERT_EQUAL(std::string(), refusal("max.key"));
	}

	void testJwtKeysNeedJwt()
	{
		const AuthSettingsFixture fixture;
		fixture.write("jwt.secret", Secret);
		CPPUNIT_ASSERT_EQUAL(std::string("jwt_key_file = jwt.secret: needs auth = jwt"), fixture.refusal({{"jwt_key_file", "jwt.secret"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("jwt_issuer = me: needs auth = jwt"), fixture.refusal({{"auth", "none"}, {"jwt_issuer", "me"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("jwt_audience = chat: needs auth = jwt"), fixture.refusal({{"jwt_audience", "chat"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("allow_guests = false: needs auth = jwt (without it every client is a guest)"),
			fixture.refusal({{"allow_guests", "false"}}));
		CPPUNIT_ASSERT(fixture.read({{"allow_guests", "TRUE"}}).allowGuests);
	}

	void testChoicesAndRanges()
	{
		const AuthSettingsFixture fixture;
		CPPUNIT_ASSERT_EQUAL(std::string("auth = JWT: expected none or jwt"), fixture.refusal({{"auth", "JWT"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("auth = oauth: expected none or jwt"), fixture.refusal({{"auth", "oauth"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("allow_guests = yes: expected true or false"), fixture.refusal({{"allow_guests", "yes"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("auth_grace_ms = -1: expected a whole number from 0 to 3600000"), fixture.refusal({{"auth_grace_ms", "-1"}}));
		CPPUNIT_ASSERT_EQUAL(std::string("auth_grace_ms = 3600001: expected a whole number from 0 to 3600000"), fixture.refusal({{"auth_grace_ms", "3600001"}}));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(0), fixture.read({{"auth_grace_ms", "0"}}).authGraceMs);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AuthSettingsTest);
