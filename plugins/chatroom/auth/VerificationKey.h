//
// VerificationKey.h
//
// The key a chat listener checks signed identities (JWTs) with, read from
// jwt_key_file's bytes, and the one signature algorithm it admits:
//   - a file that does not start with "-----BEGIN" is an HS256 secret: its
//     bytes, one trailing newline ("\n" or "\r\n") stripped, at least 32
//     bytes (RFC 7518 3.2: a key as long as the hash);
//   - a PEM file holding one "BEGIN PUBLIC KEY" block (SubjectPublicKeyInfo,
//     what `openssl pkey -pubout` writes) is RS256 for an RSA key of at
//     least 2048 bits, ES256 for an EC key on P-256. Private keys,
//     certificates, several blocks and other key types are refused: the
//     server needs only the public half, and a file that holds more is a
//     mistake worth stopping for.
//
// A key admits exactly one algorithm, chosen by its type, never by the
// token: a token's "alg" that differs is refused before any signature is
// computed, so an HS256 token can never be checked against an RSA public
// key used as an HMAC secret (algorithm confusion), and "none" never
// verifies.
//
// Signatures: HS256 is computed with OpenSSL's HMAC and compared with
// CRYPTO_memcmp, in constant time; Poco::JWT::Signer compares HMACs with
// std::vector's ==, which stops at the first differing byte and so tells a
// forger, by timing, how much of a guessed signature is right. RS256 and
// ES256 go through Poco::JWT::Signer with the public key only (POCO 1.11
// verifies with it), allowed exactly the key's algorithm; the signature's
// length is checked here first, because POCO splits an ES256 signature in
// half whatever its length (a padded r or s would also verify).
//

#ifndef WEBCHAT_CHATROOM_AUTH_VERIFICATIONKEY_INCLUDED
#define WEBCHAT_CHATROOM_AUTH_VERIFICATIONKEY_INCLUDED

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <variant>

namespace Poco::JWT {
class Signer;
}

namespace webchat::chatroom::auth {

enum class SigningAlgorithm
{
	HS256,
	RS256,
	ES256
};

/// "HS256", "RS256" or "ES256", as a token's "alg" names it.
const char* algorithmName(SigningAlgorithm algorithm);

/// Why a key file's bytes are not a usable key.
enum class KeyProblem
{
	SecretTooShort,     // an HS256 secret of fewer than MinSecretBytes
	NotAPublicKey,      // PEM, but not a public key (a private key, a certificate, damaged)
	UnsupportedKeyType, // a public key, but neither RSA nor EC (Ed25519, DSA...)
	RsaKeyTooShort,     // RSA with a modulus under MinRsaBits
	EcCurveNotP256      // EC on another curve than P-256 (ES256 is P-256 only)
};

/// The problem in words, for the configuration error naming jwt_key_file.
std::string describe(KeyProblem problem);

class VerificationKey
{
public:
	static constexpr std::size_t MinSecretBytes = 32;
	static constexpr int MinRsaBits = 2048;

	/// The key in a key file's bytes, or why they are none.
	static std::variant<VerificationKey, KeyProblem> fromFileContent(std::string content);

	SigningAlgorithm algorithm() const { return _algorithm; }

	/// True when signature (decoded from base64url) is the key's signature
	/// of signingInput ("<header>.<payload>" as sent) under algorithm().
	/// token is the whole compact token (what POCO's Signer verifies).
	bool verifies(std::string_view signingInput, std::string_view signature, const std::string& token) const;

private:
	VerificationKey(SigningAlgorithm algorithm, std::string hmacSecret, std::shared_ptr<const Poco::JWT::Signer> signer, std::size_t signatureBytes);

	static std::variant<VerificationKey, KeyProblem> fromPem(const std::string& pem);

	SigningAlgorithm _algorithm;
	std::string _hmacSecret;                          // HS256
	std::shared_ptr<const Poco::JWT::Signer> _signer; // RS256, ES256: holds the public key
	std::size_t _signatureBytes;                      // the only length a valid signature has
};

} // namespace webchat::chatroom::auth

#endif
