//
// TestTokens.h
//
// Keys made at test time and tokens signed with them, for the JWT tests:
// any header and payload text (bad JSON and odd headers included) signed
// HS256, RS256 or ES256 with OpenSSL, so the verifier is tested against an
// independent signer.
//

#ifndef WEBCHAT_TEST_TESTTOKENS_INCLUDED
#define WEBCHAT_TEST_TESTTOKENS_INCLUDED

#include <openssl/evp.h>

#include <memory>
#include <string>

namespace webchat::test {

struct PkeyDeleter
{
	void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using KeyPair = std::shared_ptr<EVP_PKEY>;

/// New keys: RSA of the given bits, EC on the named curve ("P-256"), Ed25519.
KeyPair newRsaKey(unsigned bits = 2048);
KeyPair newEcKey(const char* curve = "P-256");
KeyPair newEd25519Key();

/// The public half as PEM (BEGIN PUBLIC KEY), the private half as PEM.
std::string publicPem(const KeyPair& key);
std::string privatePem(const KeyPair& key);

/// base64url without padding, and back (text must be valid base64url).
std::string base64Url(const std::string& bytes);
std::string fromBase64Url(const std::string& text);

/// The base64url alphabet, a character's value at its index.
extern const std::string Base64UrlAlphabet;

/// "<b64 header>.<b64 payload>.<b64 signature>": HS256 with secret.
std::string signHs256(const std::string& header, const std::string& payload, const std::string& secret);
/// RS256 (an RSA key) or ES256 (a P-256 key, r and s as 32 bytes each).
std::string signRs256(const std::string& header, const std::string& payload, const KeyPair& key);
std::string signEs256(const std::string& header, const std::string& payload, const KeyPair& key);

} // namespace webchat::test

#endif
