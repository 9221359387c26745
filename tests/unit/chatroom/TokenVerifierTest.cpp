// VerificationKey and TokenVerifier: key files of every kind (and the ones
// refused), and tokens signed at test time, valid and refused for each
// reason, with HS256, RS256 and ES256.
#include "auth/TokenVerifier.h"
#include "auth/VerificationKey.h"

#include "TestTokens.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::auth::Identity;
using webchat::chatroom::auth::KeyProblem;
using webchat::chatroom::auth::Role;
using webchat::chatroom::auth::SigningAlgorithm;
using webchat::chatroom::auth::TokenCheck;
using webchat::chatroom::auth::TokenError;
using webchat::chatroom::auth::TokenVerifier;
using webchat::chatroom::auth::VerificationKey;
namespace test = webchat::test;

namespace {

const std::string Secret = "a-test-secret-of-more-than-32-bytes!";
const std::string Hs256Header = R"({"alg":"HS256","typ":"JWT"})";
const std::string Rs256Header = R"({"alg":"RS256","typ":"JWT"})";
const std::string Es256Header = R"({"alg":"ES256","typ":"JWT"})";
constexpr std::int64_t Now = 1700000000;
// Valid at Now: expires an hour later.
const std::string AliceClaims = R"({"sub":"alice-42","name":"Alice","roles":["moderator"],"exp":1700003600,"iss":"https://id.example","aud":"chat"})";

// Made once: RSA generation takes a while.
const test::KeyPair& rsaKey()
{
	static const test::KeyPair key = test::newRsaKey();
	return key;
}

const test::KeyPair& ecKey()
{
	static const test::KeyPair key = test::newEcKey();
	return key;
}

VerificationKey keyFrom(const std::string& content)
{
	auto key = VerificationKey::fromFileContent(content);
	if (const KeyProblem* problem = std::get_if<KeyProblem>(&key)) CPPUNIT_FAIL("key refused: " + describe(*problem));
	return std::get<VerificationKey>(std::move(key));
}

KeyProblem problemWith(const std::string& content)
{
	auto key = VerificationKey::fromFileContent(content);
	CPPUNIT_ASSERT_MESSAGE("key accepted", std::holds_alternative<KeyProblem>(key));
	return std::get<KeyProblem>(key);
}

TokenVerifier hs256Verifier(const std::string& issuer = "https://id.example", const std::string& audience = "chat")
{
	return TokenVerifier(keyFrom(Secret), issuer, audience);
}

TokenVerifier rs256Verifier()
{
	return TokenVerifier(keyFrom(test::publicPem(rsaKey())), "https://id.example", "chat");
}

TokenVerifier es256Verifier()
{
	return TokenVerifier(keyFrom(test::publicPem(ecKey())), "https://id.example", "chat");
}

Identity identityOf(const TokenCheck& check)
{
	if (const TokenError* error = std::get_if<TokenError>(&check)) CPPUNIT_FAIL(std::string("token refused: ") + errorName(*error));
	return std::get<Identity>(check);
}

std::string errorOf(const TokenCheck& check)
{
	if (std::holds_alternative<Identity>(check)) return "accepted";
	return errorName(std::get<TokenError>(check));
}

/// The result of an HS256 token with these claims at Now.
std::string hs256Result(const std::string& claims, const TokenVerifier& verifier = hs256Verifier())
{
	return errorOf(verifier.verify(test::signHs256(Hs256Header, claims, Secret), Now));
}

/// A flipped character in the middle of the signature: same length, other bytes.
std::string tampered(std::string token, std::size_t at)
{
	token[at] = token[at] == 'A' ? 'B' : 'A';
	return token;
}

/// The token with its payload replaced by Alice made an admin, the
/// signature kept: what a forger would try.
std::string escalated(const std::string& token)
{
	const std::string admin = R"({"sub":"alice-42","name":"Alice","roles":["admin"],"exp":1700003600,"iss":"https://id.example","aud":"chat"})";
	return token.substr(0, token.find('.') + 1) + test::base64Url(admin) + token.substr(token.rfind('.'));
}

} // namespace

class TokenVerifierTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TokenVerifierTest);
	CPPUNIT_TEST(testSecretKeyStripsOneTrailingNewline);
	CPPUNIT_TEST(testRefusesShortSecret);
	CPPUNIT_TEST(testPemPublicKeysChooseTheAlgorithm);
	CPPUNIT_TEST(testRefusesPrivateKeysAndOtherPem);
	CPPUNIT_TEST(testRefusesWeakOrForeignKeyTypes);
	CPPUNIT_TEST(testValidHs256);
	CPPUNIT_TEST(testValidRs256);
	CPPUNIT_TEST(testValidEs256);
	CPPUNIT_TEST(testExpired);
	CPPUNIT_TEST(testNotYetValid);
	CPPUNIT_TEST(testWrongSignatureHs256);
	CPPUNIT_TEST(testWrongSignatureRs256);
	CPPUNIT_TEST(testWrongSignatureEs256);
	CPPUNIT_TEST(testWrongIssuer);
	CPPUNIT_TEST(testAudienceStringOrArray);
	CPPUNIT_TEST(testWrongAudience);
	CPPUNIT_TEST(testAlgorithmNone);
	CPPUNIT_TEST(testAlgorithmConfusionWithRsaPublicKeyAsSecret);
	CPPUNIT_TEST(testAlgorithmMustMatchKey);
	CPPUNIT_TEST(testNotThreeParts);
	CPPUNIT_TEST(testBadBase64);
	CPPUNIT_TEST(testBadJson);
	CPPUNIT_TEST(testBadHeader);
	CPPUNIT_TEST(testTooLongCheckedFirst);
	CPPUNIT_TEST(testRolesParsed);
	CPPUNIT_TEST(testBadRoles);
	CPPUNIT_TEST(testMissingSubject);
	CPPUNIT_TEST(testBadSubjectAndName);
	CPPUNIT_TEST(testExpiryClaimShapes);
	CPPUNIT_TEST(testClaimsReadOnlyAfterSignature);
	CPPUNIT_TEST_SUITE_END();

public:
	void testSecretKeyStripsOneTrailingNewline()
	{
		const std::string thirtyTwo(32, 'k');
		CPPUNIT_ASSERT(keyFrom(thirtyTwo + "\n").algorithm() == SigningAlgorithm::HS256);
		// The stripped newline is not part of the secret: a token signed
		// with the bare bytes verifies, one signed with the newline does not.
		const TokenVerifier verifier(keyFrom(thirtyTwo + "\r\n"), "", "");
		const std::string claims = R"({"sub":"a","exp":1700003600})";
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), errorOf(verifier.verify(test::signHs256(Hs256Header, claims, thirtyTwo), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(verifier.verify(test::signHs256(Hs256Header, claims, thirtyTwo + "\r\n"), Now)));
		// Only one newline goes.
		const TokenVerifier twoNewlines(keyFrom(thirtyTwo + "\n\n"), "", "");
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), errorOf(twoNewlines.verify(test::signHs256(Hs256Header, claims, thirtyTwo + "\n"), Now)));
	}

	void testRefusesShortSecret()
	{
		CPPUNIT_ASSERT(problemWith(std::string(31, 'k')) == KeyProblem::SecretTooShort);
		CPPUNIT_ASSERT(problemWith(std::string(31, 'k') + "\n") == KeyProblem::SecretTooShort);
		CPPUNIT_ASSERT(problemWith("") == KeyProblem::SecretTooShort);
	}

	void testPemPublicKeysChooseTheAlgorithm()
	{
		CPPUNIT_ASSERT(keyFrom(test::publicPem(rsaKey())).algorithm() == SigningAlgorithm::RS256);
		CPPUNIT_ASSERT(keyFrom(test::publicPem(ecKey())).algorithm() == SigningAlgorithm::ES256);
	}

	void testRefusesPrivateKeysAndOtherPem()
	{
		CPPUNIT_ASSERT(problemWith(test::privatePem(rsaKey())) == KeyProblem::NotAPublicKey);
		CPPUNIT_ASSERT(problemWith(test::privatePem(ecKey())) == KeyProblem::NotAPublicKey);
		// A public key with the private one after it.
		CPPUNIT_ASSERT(problemWith(test::publicPem(rsaKey()) + test::privatePem(rsaKey())) == KeyProblem::NotAPublicKey);
		CPPUNIT_ASSERT(problemWith("-----BEGIN PUBLIC KEY-----\nnot base64 at all\n-----END PUBLIC KEY-----\n") == KeyProblem::NotAPublicKey);
		CPPUNIT_ASSERT(problemWith("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n") == KeyProblem::NotAPublicKey);
	}

	void testRefusesWeakOrForeignKeyTypes()
	{
		CPPUNIT_ASSERT(problemWith(test::publicPem(test::newRsaKey(1024))) == KeyProblem::RsaKeyTooShort);
		CPPUNIT_ASSERT(problemWith(test::publicPem(test::newEcKey("P-384"))) == KeyProblem::EcCurveNotP256);
		CPPUNIT_ASSERT(problemWith(test::publicPem(test::newEd25519Key())) == KeyProblem::UnsupportedKeyType);
	}

	void testValidHs256()
	{
		const Identity alice = identityOf(hs256Verifier().verify(test::signHs256(Hs256Header, AliceClaims, Secret), Now));
		CPPUNIT_ASSERT_EQUAL(std::string("alice-42"), alice.subject);
		CPPUNIT_ASSERT_EQUAL(std::string("Alice"), alice.name);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1700003600), alice.expiresAt);
		CPPUNIT_ASSERT(alice.has(Role::Moderator));
		CPPUNIT_ASSERT(!alice.has(Role::Admin));
	}

	void testValidRs256()
	{
		const Identity alice = identityOf(rs256Verifier().verify(test::signRs256(Rs256Header, AliceClaims, rsaKey()), Now));
		CPPUNIT_ASSERT_EQUAL(std::string("alice-42"), alice.subject);
		CPPUNIT_ASSERT_EQUAL(std::string("Alice"), alice.name);
	}

	void testValidEs256()
	{
		const Identity alice = identityOf(es256Verifier().verify(test::signEs256(Es256Header, AliceClaims, ecKey()), Now));
		CPPUNIT_ASSERT_EQUAL(std::string("alice-42"), alice.subject);
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1700003600), alice.expiresAt);
	}

	void testExpired()
	{
		const std::string token = test::signHs256(Hs256Header, AliceClaims, Secret);
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), errorOf(hs256Verifier().verify(token, 1700003599)));
		// RFC 7519 4.1.4: on or after exp.
		CPPUNIT_ASSERT_EQUAL(std::string("expired"), errorOf(hs256Verifier().verify(token, 1700003600)));
		CPPUNIT_ASSERT_EQUAL(std::string("expired"), errorOf(hs256Verifier().verify(token, Now + 86400)));
	}

	void testNotYetValid()
	{
		const std::string claims = R"({"sub":"a","exp":1700003600,"nbf":1700000060,"iss":"https://id.example","aud":"chat"})";
		const std::string token = test::signHs256(Hs256Header, claims, Secret);
		CPPUNIT_ASSERT_EQUAL(std::string("not_yet_valid"), errorOf(hs256Verifier().verify(token, Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("not_yet_valid"), errorOf(hs256Verifier().verify(token, 1700000059)));
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), errorOf(hs256Verifier().verify(token, 1700000060)));
	}

	void testWrongSignatureHs256()
	{
		const std::string token = test::signHs256(Hs256Header, AliceClaims, Secret);
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(hs256Verifier().verify(test::signHs256(Hs256Header, AliceClaims, Secret + "x"), Now)));
		// A changed payload, a changed signature byte.
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(hs256Verifier().verify(escalated(token), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(hs256Verifier().verify(tampered(token, token.rfind('.') + 5), Now)));
		// A signature of another length (40 characters: 30 whole bytes).
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(hs256Verifier().verify(token.substr(0, token.size() - 3), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(hs256Verifier().verify(token.substr(0, token.rfind('.') + 1), Now)));
	}

	void testWrongSignatureRs256()
	{
		const test::KeyPair other = test::newRsaKey();
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(rs256Verifier().verify(test::signRs256(Rs256Header, AliceClaims, other), Now)));
		const std::string token = test::signRs256(Rs256Header, AliceClaims, rsaKey());
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(rs256Verifier().verify(tampered(token, token.rfind('.') + 20), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(rs256Verifier().verify(escalated(token), Now)));
	}

	void testWrongSignatureEs256()
	{
		const test::KeyPair other = test::newEcKey();
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(es256Verifier().verify(test::signEs256(Es256Header, AliceClaims, other), Now)));
		const std::string token = test::signEs256(Es256Header, AliceClaims, ecKey());
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(es256Verifier().verify(escalated(token), Now)));
		// r and s each padded with a zero byte: the same numbers, but not
		// the 64-byte form; POCO alone would split it in half and accept.
		const std::string raw = token.substr(token.rfind('.') + 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(86), raw.size());
		const std::string signature = test::fromBase64Url(raw);
		CPPUNIT_ASSERT_EQUAL(std::size_t(64), signature.size());
		const std::string padded = std::string(1, '\0') + signature.substr(0, 32) + std::string(1, '\0') + signature.substr(32);
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(es256Verifier().verify(token.substr(0, token.rfind('.') + 1) + test::base64Url(padded), Now)));
		// The unpadded signature, decoded and encoded again, still verifies.
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), errorOf(es256Verifier().verify(token.substr(0, token.rfind('.') + 1) + test::base64Url(signature), Now)));
	}

	void testWrongIssuer()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_issuer"), hs256Result(AliceClaims, hs256Verifier("https://other.example")));
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_issuer"), hs256Result(R"({"sub":"a","exp":1700003600,"aud":"chat"})"));
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_issuer"), hs256Result(R"({"sub":"a","exp":1700003600,"aud":"chat","iss":7})"));
		// No issuer configured: any or none.
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), hs256Result(AliceClaims, hs256Verifier("")));
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), hs256Result(R"({"sub":"a","exp":1700003600,"aud":"chat"})", hs256Verifier("")));
	}

	void testAudienceStringOrArray()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":["mail","chat"]})"));
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":["chat"]})"));
		// Neither configured nor present.
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), hs256Result(R"({"sub":"a","exp":1700003600})", hs256Verifier("", "")));
	}

	void testWrongAudience()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_audience"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":"mail"})"));
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_audience"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":["mail","Chat"]})"));
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_audience"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":[]})"));
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_audience"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":{"chat":1}})"));
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_audience"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example"})"));
		// More entries than MaxAudiences, even with ours among them.
		std::string many = "[";
		for (int i = 0; i < 16; ++i) many += "\"x" + std::to_string(i) + "\",";
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_audience"), hs256Result(R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":)" + many + R"("chat"]})"));
		// A token for an audience when none is configured is for someone else.
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_audience"), hs256Result(AliceClaims, hs256Verifier("https://id.example", "")));
	}

	void testAlgorithmNone()
	{
		const std::string claims = test::base64Url(AliceClaims);
		for (const char* header : {R"({"alg":"none"})", R"({"alg":"none","typ":"JWT"})", R"({"alg":"None"})"})
		{
			const std::string unsigned_ = test::base64Url(header) + "." + claims + ".";
			CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(hs256Verifier().verify(unsigned_, Now)));
			CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(rs256Verifier().verify(unsigned_, Now)));
			CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(es256Verifier().verify(unsigned_, Now)));
		}
		// "none" with a valid HS256 signature attached is still refused.
		const std::string signedNone = test::signHs256(R"({"alg":"none"})", AliceClaims, Secret);
		CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(hs256Verifier().verify(signedNone, Now)));
	}

	void testAlgorithmConfusionWithRsaPublicKeyAsSecret()
	{
		// The classic attack: HS256 with the server's public key (known to
		// all) as the HMAC secret.
		for (const test::KeyPair& key : {rsaKey(), ecKey()})
		{
			const std::string pem = test::publicPem(key);
			const TokenVerifier verifier(keyFrom(pem), "https://id.example", "chat");
			for (const std::string& secret : {pem, pem.substr(0, pem.size() - 1)})
				CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(verifier.verify(test::signHs256(Hs256Header, AliceClaims, secret), Now)));
		}
	}

	void testAlgorithmMustMatchKey()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(hs256Verifier().verify(test::signRs256(Rs256Header, AliceClaims, rsaKey()), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(rs256Verifier().verify(test::signEs256(Es256Header, AliceClaims, ecKey()), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(es256Verifier().verify(test::signRs256(Rs256Header, AliceClaims, rsaKey()), Now)));
		// Other members of the families, even well signed.
		CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(hs256Verifier().verify(test::signHs256(R"({"alg":"HS512"})", AliceClaims, Secret), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("algorithm_not_allowed"), errorOf(hs256Verifier().verify(test::signHs256(R"({"alg":"hs256"})", AliceClaims, Secret), Now)));
	}

	void testNotThreeParts()
	{
		const std::string token = test::signHs256(Hs256Header, AliceClaims, Secret);
		for (const std::string& bad : {std::string(), std::string("."), std::string(".."), std::string("abc"), token.substr(0, token.rfind('.')),
				 token + ".", token + "." + token.substr(token.rfind('.') + 1), "." + token})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("malformed"), errorOf(hs256Verifier().verify(bad, Now)));
	}

	void testBadBase64()
	{
		const std::string token = test::signHs256(Hs256Header, AliceClaims, Secret);
		const std::size_t firstDot = token.find('.');
		// Standard base64's characters, padding, white space, a length no
		// byte count gives, and unused bits that are not zero.
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(token.substr(0, 5) + "+" + token.substr(6), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(token.substr(0, 5) + "/" + token.substr(6), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(token + "=", Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(token.substr(0, firstDot) + " " + token.substr(firstDot), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(token.substr(0, firstDot) + "A" + token.substr(firstDot), Now)));
		// The HS256 signature is 43 characters; its last carries 4 bits of the
		// signature and 2 unused ones: set one of those.
		std::string loose = token;
		const char last = loose.back();
		const std::string& alphabet = test::Base64UrlAlphabet;
		loose.back() = alphabet[alphabet.find(last) | 1];
		if (loose.back() == last) loose.back() = alphabet[alphabet.find(last) | 2];
		CPPUNIT_ASSERT(loose != token);
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(loose, Now)));
	}

	void testBadJson()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), hs256Result(R"({"sub":"a",)"));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), hs256Result("not json"));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), hs256Result(R"(["sub","a"])"));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), hs256Result(R"("a string")"));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(test::signHs256(R"({"alg":"HS256")", AliceClaims, Secret), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(test::signHs256("", AliceClaims, Secret), Now)));
	}

	void testBadHeader()
	{
		for (const char* header : {R"({"typ":"JWT"})", R"({"alg":256})", R"({"alg":null})", R"({"alg":["HS256"]})", R"({"alg":"HS256","crit":["exp"]})"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(header, std::string("malformed"), errorOf(hs256Verifier().verify(test::signHs256(header, AliceClaims, Secret), Now)));
	}

	void testTooLongCheckedFirst()
	{
		// A valid token padded to one byte past the limit by a long claim.
		const std::string longClaims = R"({"sub":"a","exp":1700003600,"iss":"https://id.example","aud":"chat","pad":")";
		std::string claims = longClaims + "\"}";
		std::string token = test::signHs256(Hs256Header, claims, Secret);
		const std::size_t pad = (TokenVerifier::MaxTokenBytes - token.size()) * 3 / 4;
		claims = longClaims + std::string(pad, 'x') + "\"}";
		token = test::signHs256(Hs256Header, claims, Secret);
		while (token.size() < TokenVerifier::MaxTokenBytes)
		{
			claims.insert(longClaims.size(), "x");
			token = test::signHs256(Hs256Header, claims, Secret);
		}
		if (token.size() > TokenVerifier::MaxTokenBytes)
		{
			claims.erase(longClaims.size(), 1);
			token = test::signHs256(Hs256Header, claims, Secret);
		}
		if (token.size() == TokenVerifier::MaxTokenBytes)
			CPPUNIT_ASSERT_EQUAL(std::string("accepted"), errorOf(hs256Verifier().verify(token, Now)));
		// Past the limit, even garbage is TooLong rather than Malformed.
		CPPUNIT_ASSERT_EQUAL(std::string("too_long"), errorOf(hs256Verifier().verify(token + std::string(TokenVerifier::MaxTokenBytes + 1 - token.size(), 'A'), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("too_long"), errorOf(hs256Verifier().verify(std::string(TokenVerifier::MaxTokenBytes + 1, '.'), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), errorOf(hs256Verifier().verify(std::string(TokenVerifier::MaxTokenBytes, '.'), Now)));
	}

	void testRolesParsed()
	{
		const auto verifier = hs256Verifier("", "");
		auto rolesOf = [&](const std::string& roles) {
			return identityOf(verifier.verify(test::signHs256(Hs256Header, R"({"sub":"a","exp":1700003600,"roles":)" + roles + "}", Secret), Now));
		};
		const Identity both = rolesOf(R"(["admin","user","moderator"])");
		CPPUNIT_ASSERT(both.has(Role::Admin));
		CPPUNIT_ASSERT(both.has(Role::Moderator));
		const Identity admin = rolesOf(R"(["admin"])");
		CPPUNIT_ASSERT(admin.has(Role::Admin));
		CPPUNIT_ASSERT(!admin.has(Role::Moderator));
		CPPUNIT_ASSERT_EQUAL(std::uint8_t(0), rolesOf("[]").roles);
		// Names are exact: no case folding.
		CPPUNIT_ASSERT_EQUAL(std::uint8_t(0), rolesOf(R"(["Admin","MODERATOR"])").roles);
		const Identity none = identityOf(verifier.verify(test::signHs256(Hs256Header, R"({"sub":"a","exp":1700003600})", Secret), Now));
		CPPUNIT_ASSERT_EQUAL(std::uint8_t(0), none.roles);
		CPPUNIT_ASSERT(none.name.empty());
	}

	void testBadRoles()
	{
		const auto verifier = hs256Verifier("", "");
		auto result = [&](const std::string& roles) {
			return errorOf(verifier.verify(test::signHs256(Hs256Header, R"({"sub":"a","exp":1700003600,"roles":)" + roles + "}", Secret), Now));
		};
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("admin")"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"(["admin",1])"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"([["admin"]])"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result("null"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result("[\"" + std::string(TokenVerifier::MaxRoleBytes + 1, 'r') + "\"]"));
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), result("[\"" + std::string(TokenVerifier::MaxRoleBytes, 'r') + "\"]"));
		std::string many = "[";
		for (std::size_t i = 0; i <= TokenVerifier::MaxRoles; ++i) many += std::string(i ? "," : "") + "\"r\"";
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(many + "]"));
	}

	void testMissingSubject()
	{
		const auto verifier = hs256Verifier("", "");
		CPPUNIT_ASSERT_EQUAL(std::string("missing_subject"), hs256Result(R"({"exp":1700003600})", verifier));
		CPPUNIT_ASSERT_EQUAL(std::string("missing_subject"), hs256Result(R"({"sub":"","exp":1700003600})", verifier));
		CPPUNIT_ASSERT_EQUAL(std::string("missing_subject"), hs256Result(R"({"sub":null,"exp":1700003600})", verifier));
	}

	void testBadSubjectAndName()
	{
		const auto verifier = hs256Verifier("", "");
		auto result = [&](const std::string& claims) { return hs256Result(R"({"exp":1700003600,)" + claims + "}", verifier); };
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":42)"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":["a"])"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":"a\u0000b")"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":"a\nb")"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result("\"sub\":\"" + std::string(TokenVerifier::MaxSubjectBytes + 1, 's') + "\""));
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), result("\"sub\":\"" + std::string(TokenVerifier::MaxSubjectBytes, 's') + "\""));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":"a","name":7)"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":"a","name":"")"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":"a","name":" Alice")"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"("sub":"a","name":"Al\u202Eice")"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result("\"sub\":\"a\",\"name\":\"" + std::string(33, 'n') + "\""));
		CPPUNIT_ASSERT_EQUAL(std::string("accepted"), result("\"sub\":\"a\",\"name\":\"" + std::string(32, 'n') + "\""));
		// Bytes that are not UTF-8 are not JSON (RFC 8259 8.1); a lone
		// surrogate escaped is not a character.
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), result("\"sub\":\"a\xff\""));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), result("\"sub\":\"a\",\"name\":\"n\xc3\""));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), result(R"("sub":"a\ud800")"));
		CPPUNIT_ASSERT_EQUAL(std::string("malformed"), result(R"("sub":"a","name":"\udfff")"));
	}

	void testExpiryClaimShapes()
	{
		const auto verifier = hs256Verifier("", "");
		auto result = [&](const std::string& claims) { return hs256Result(R"({"sub":"a")" + claims + "}", verifier); };
		// Every token must expire.
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(""));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"(,"exp":"1700003600")"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"(,"exp":null)"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"(,"exp":1e300)"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"(,"exp":18446744073709551615)"));
		CPPUNIT_ASSERT_EQUAL(std::string("bad_claims"), result(R"(,"exp":1700003600,"nbf":"soon")"));
		// NumericDate may have a fraction: whole seconds, rounded down.
		const Identity fraction = identityOf(verifier.verify(test::signHs256(Hs256Header, R"({"sub":"a","exp":1700003600.9})", Secret), Now));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(1700003600), fraction.expiresAt);
		CPPUNIT_ASSERT_EQUAL(std::string("expired"), errorOf(verifier.verify(test::signHs256(Hs256Header, R"({"sub":"a","exp":1700000000.5})", Secret), Now)));
	}

	void testClaimsReadOnlyAfterSignature()
	{
		// Expired, wrong issuer, no subject: but first of all not signed by us.
		const std::string claims = R"({"exp":1,"iss":"evil","aud":"elsewhere"})";
		CPPUNIT_ASSERT_EQUAL(std::string("bad_signature"), errorOf(hs256Verifier().verify(test::signHs256(Hs256Header, claims, Secret + "?"), Now)));
		CPPUNIT_ASSERT_EQUAL(std::string("wrong_issuer"), errorOf(hs256Verifier().verify(test::signHs256(Hs256Header, claims, Secret), Now)));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TokenVerifierTest);
