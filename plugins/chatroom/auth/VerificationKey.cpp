#include "VerificationKey.h"

#include "Poco/Crypto/ECKey.h"
#include "Poco/Crypto/RSAKey.h"
#include "Poco/Exception.h"
#include "Poco/JWT/Signer.h"
#include "Poco/JWT/Token.h"

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/objects.h>
#include <openssl/pem.h>

#include <sstream>

namespace webchat::chatroom::auth {

namespace {

constexpr std::string_view PemStart = "-----BEGIN ";
constexpr std::string_view PublicKeyStart = "-----BEGIN PUBLIC KEY-----";
constexpr std::size_t Hs256Bytes = 32;
constexpr std::size_t Es256Bytes = 64; // r and s, 32 bytes each

struct PkeyFree
{
	void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey readPublicKey(const std::string& pem)
{
	BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
	if (!bio) return nullptr;
	Pkey key(PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr));
	BIO_free(bio);
	return key;
}

bool onP256(EVP_PKEY* key)
{
	char group[64] = {};
	std::size_t length = 0;
	if (!EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &length)) return false;
	return OBJ_sn2nid(group) == NID_X9_62_prime256v1 || EC_curve_nist2nid(group) == NID_X9_62_prime256v1;
}

std::size_t occurrences(const std::string& text, std::string_view what)
{
	std::size_t count = 0;
	for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++count;
	return count;
}

} // namespace

const char* algorithmName(SigningAlgorithm algorithm)
{
	switch (algorithm)
	{
	case SigningAlgorithm::HS256: return "HS256";
	case SigningAlgorithm::RS256: return "RS256";
	case SigningAlgorithm::ES256: return "ES256";
	}
	return "HS256";
}

std::string describe(KeyProblem problem)
{
	switch (problem)
	{
	case KeyProblem::SecretTooShort:
		return "an HS256 secret of fewer than " + std::to_string(VerificationKey::MinSecretBytes) + " bytes";
	case KeyProblem::NotAPublicKey:
		return "not a PEM public key (expected one BEGIN PUBLIC KEY block, no private key or certificate)";
	case KeyProblem::UnsupportedKeyType:
		return "a public key that is neither RSA (RS256) nor EC (ES256)";
	case KeyProblem::RsaKeyTooShort:
		return "an RSA key of fewer than " + std::to_string(VerificationKey::MinRsaBits) + " bits";
	case KeyProblem::EcCurveNotP256:
		return "an EC key on another curve than P-256 (ES256)";
	}
	return "unusable";
}

VerificationKey::VerificationKey(SigningAlgorithm algorithm, std::string hmacSecret, std::shared_ptr<const Poco::JWT::Signer> signer, std::size_t signatureBytes):
	_algorithm(algorithm),
	_hmacSecret(std::move(hmacSecret)),
	_signer(std::move(signer)),
	_signatureBytes(signatureBytes)
{
}

std::variant<VerificationKey, KeyProblem> VerificationKey::fromFileContent(std::string content)
{
	if (content.compare(0, PemStart.size(), PemStart) == 0) return fromPem(content);
	if (!content.empty() && content.back() == '\n')
	{
		content.pop_back();
		if (!content.empty() && content.back() == '\r') content.pop_back();
	}
	if (content.size() < MinSecretBytes) return KeyProblem::SecretTooShort;
	return VerificationKey(SigningAlgorithm::HS256, std::move(content), nullptr, Hs256Bytes);
}

std::variant<VerificationKey, KeyProblem> VerificationKey::fromPem(const std::string& pem)
{
	if (pem.compare(0, PublicKeyStart.size(), PublicKeyStart) != 0 || occurrences(pem, PemStart) != 1) return KeyProblem::NotAPublicKey;
	const Pkey key = readPublicKey(pem);
	if (!key) return KeyProblem::NotAPublicKey;

	// POCO reads the same PEM again into its own key type for its Signer.
	std::istringstream stream(pem);
	std::shared_ptr<Poco::JWT::Signer> signer;
	SigningAlgorithm algorithm;
	std::size_t signatureBytes = 0;
	try
	{
		switch (EVP_PKEY_get_base_id(key.get()))
		{
		case EVP_PKEY_RSA:
			if (EVP_PKEY_get_bits(key.get()) < MinRsaBits) return KeyProblem::RsaKeyTooShort;
			algorithm = SigningAlgorithm::RS256;
			signatureBytes = static_cast<std::size_t>(EVP_PKEY_get_size(key.get()));
			signer = std::make_shared<Poco::JWT::Signer>(Poco::SharedPtr<Poco::Crypto::RSAKey>(new Poco::Crypto::RSAKey(&stream)));
			break;
		case EVP_PKEY_EC:
			if (!onP256(key.get())) return KeyProblem::EcCurveNotP256;
			algorithm = SigningAlgorithm::ES256;
			signatureBytes = Es256Bytes;
			signer = std::make_shared<Poco::JWT::Signer>(Poco::SharedPtr<Poco::Crypto::ECKey>(new Poco::Crypto::ECKey(&stream)));
			break;
		default:
			return KeyProblem::UnsupportedKeyType;
		}
	}
	catch (const Poco::Exception&)
	{
		return KeyProblem::NotAPublicKey;
	}
	// Only the key's own algorithm: the Signer's default (HS256) would
	// otherwise stay allowed beside it.
	signer->setAlgorithms({algorithmName(algorithm)});
	return VerificationKey(algorithm, "", std::move(signer), signatureBytes);
}

bool VerificationKey::verifies(std::string_view signingInput, std::string_view signature, const std::string& token) const
{
	if (signature.size() != _signatureBytes) return false;
	if (_algorithm == SigningAlgorithm::HS256)
	{
		unsigned char expected[EVP_MAX_MD_SIZE];
		unsigned int expectedLength = 0;
		if (!HMAC(EVP_sha256(), _hmacSecret.data(), static_cast<int>(_hmacSecret.size()), reinterpret_cast<const unsigned char*>(signingInput.data()),
				signingInput.size(), expected, &expectedLength) || expectedLength != signature.size())
			return false;
		return CRYPTO_memcmp(expected, signature.data(), signature.size()) == 0;
	}
	try
	{
		Poco::JWT::Token parsed;
		return _signer->tryVerify(token, parsed);
	}
	catch (const Poco::Exception&)
	{
		return false;
	}
}

} // namespace webchat::chatroom::auth
