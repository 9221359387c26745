#include "TestTokens.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace webchat::test {

namespace {

KeyPair own(EVP_PKEY* key)
{
	if (!key) throw std::runtime_error("key generation failed");
	return KeyPair(key, PkeyDeleter());
}

template <class Write>
std::string pem(Write write)
{
	BIO* bio = BIO_new(BIO_s_mem());
	if (!write(bio)) throw std::runtime_error("PEM writing failed");
	char* data = nullptr;
	const long size = BIO_get_mem_data(bio, &data);
	std::string text(data, static_cast<std::size_t>(size));
	BIO_free(bio);
	return text;
}

std::string digestSign(const std::string& input, const KeyPair& key)
{
	EVP_MD_CTX* context = EVP_MD_CTX_new();
	std::size_t size = 0;
	std::vector<unsigned char> signature;
	const auto* data = reinterpret_cast<const unsigned char*>(input.data());
	if (EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, key.get()) != 1 || EVP_DigestSign(context, nullptr, &size, data, input.size()) != 1)
		throw std::runtime_error("signing failed");
	signature.resize(size);
	if (EVP_DigestSign(context, signature.data(), &size, data, input.size()) != 1) throw std::runtime_error("signing failed");
	EVP_MD_CTX_free(context);
	return std::string(reinterpret_cast<const char*>(signature.data()), size);
}

std::string signingInput(const std::string& header, const std::string& payload)
{
	return base64Url(header) + "." + base64Url(payload);
}

} // namespace

KeyPair newRsaKey(unsigned bits)
{
	return own(EVP_RSA_gen(bits));
}

KeyPair newEcKey(const char* curve)
{
	return own(EVP_EC_gen(curve));
}

KeyPair newEd25519Key()
{
	return own(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
}

std::string publicPem(const KeyPair& key)
{
	return pem([&](BIO* bio) { return PEM_write_bio_PUBKEY(bio, key.get()); });
}

std::string privatePem(const KeyPair& key)
{
	return pem([&](BIO* bio) { return PEM_write_bio_PrivateKey(bio, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
}

const std::string Base64UrlAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string base64Url(const std::string& bytes)
{
	const std::string& alphabet = Base64UrlAlphabet;
	std::string text;
	std::uint32_t bits = 0;
	int bitCount = 0;
	for (unsigned char byte : bytes)
	{
		bits = (bits << 8) | byte;
		bitCount += 8;
		while (bitCount >= 6)
		{
			bitCount -= 6;
			text.push_back(alphabet[(bits >> bitCount) & 0x3F]);
		}
	}
	if (bitCount > 0) text.push_back(alphabet[(bits << (6 - bitCount)) & 0x3F]);
	return text;
}

std::string fromBase64Url(const std::string& text)
{
	std::string bytes;
	std::uint32_t bits = 0;
	int bitCount = 0;
	for (char c : text)
	{
		bits = (bits << 6) | static_cast<std::uint32_t>(Base64UrlAlphabet.find(c));
		bitCount += 6;
		if (bitCount >= 8)
		{
			bitCount -= 8;
			bytes.push_back(static_cast<char>((bits >> bitCount) & 0xFF));
		}
	}
	return bytes;
}

std::string signHs256(const std::string& header, const std::string& payload, const std::string& secret)
{
	const std::string input = signingInput(header, payload);
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int size = 0;
	HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), reinterpret_cast<const unsigned char*>(input.data()), input.size(), mac, &size);
	return input + "." + base64Url(std::string(reinterpret_cast<const char*>(mac), size));
}

std::string signRs256(const std::string& header, const std::string& payload, const KeyPair& key)
{
	const std::string input = signingInput(header, payload);
	return input + "." + base64Url(digestSign(input, key));
}

std::string signEs256(const std::string& header, const std::string& payload, const KeyPair& key)
{
	const std::string input = signingInput(header, payload);
	const std::string der = digestSign(input, key);
	// JWS wants r and s as two 32-byte big-endian numbers (RFC 7518 3.4).
	const auto* cursor = reinterpret_cast<const unsigned char*>(der.data());
	ECDSA_SIG* parsed = d2i_ECDSA_SIG(nullptr, &cursor, static_cast<long>(der.size()));
	unsigned char raw[64];
	BN_bn2binpad(ECDSA_SIG_get0_r(parsed), raw, 32);
	BN_bn2binpad(ECDSA_SIG_get0_s(parsed), raw + 32, 32);
	ECDSA_SIG_free(parsed);
	return input + "." + base64Url(std::string(reinterpret_cast<const char*>(raw), sizeof raw));
}

} // namespace webchat::test
