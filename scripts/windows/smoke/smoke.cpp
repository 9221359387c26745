// Prints one line per dependency of the Windows build, each from a real call
// into it; scripts/build-windows.sh checks the lines.
#include <Poco/Environment.h>
#include <Poco/Net/ServerSocket.h>
#include <Poco/Net/StreamSocket.h>

#include <openssl/crypto.h>
#include <openssl/ssl.h>

#include <unicode/normalizer2.h>
#include <unicode/uspoof.h>
#include <unicode/unistr.h>

#include <iostream>
#include <string>

namespace
{
// NFKC casefold, as NameRules does: full-width "ＡＢＣ" and the "ﬀ" ligature
// become "abcff".
bool nfkcCasefold()
{
	UErrorCode error = U_ZERO_ERROR;
	const icu::Normalizer2* normalizer = icu::Normalizer2::getNFKCCasefoldInstance(error);
	if (U_FAILURE(error)) return false;
	icu::UnicodeString folded = normalizer->normalize(icu::UnicodeString::fromUTF8(u8"ＡＢＣ\uFB00"), error);
	std::string out;
	folded.toUTF8String(out);
	return U_SUCCESS(error) && out == "abcff";
}

// A confusable skeleton (i18n and the data): Cyrillic "а" looks like Latin "a".
bool skeletons()
{
	UErrorCode error = U_ZERO_ERROR;
	USpoofChecker* checker = uspoof_open(&error);
	if (U_FAILURE(error)) return false;
	icu::UnicodeString a, b;
	uspoof_getSkeletonUnicodeString(checker, 0, icu::UnicodeString::fromUTF8(u8"p\u0430ypal"), a, &error);
	uspoof_getSkeletonUnicodeString(checker, 0, icu::UnicodeString::fromUTF8("paypal"), b, &error);
	uspoof_close(checker);
	return U_SUCCESS(error) && a == b;
}

// A loopback connection through POCO's Net (Winsock).
bool loopback()
{
	Poco::Net::ServerSocket server(Poco::Net::SocketAddress("127.0.0.1", 0));
	Poco::Net::StreamSocket client(server.address());
	Poco::Net::StreamSocket accepted = server.acceptConnection();
	client.sendBytes("ping", 4);
	char buffer[4];
	return accepted.receiveBytes(buffer, 4) == 4 && std::string(buffer, 4) == "ping";
}
} // namespace

int main()
{
	std::cout << "os: " << Poco::Environment::osName() << ' ' << Poco::Environment::osVersion() << '\n';
	std::cout << "loopback: " << (loopback() ? "ok" : "FAILED") << '\n';
	std::cout << "nfkc_casefold: " << (nfkcCasefold() ? "ok" : "FAILED") << '\n';
	std::cout << "skeleton: " << (skeletons() ? "ok" : "FAILED") << '\n';
	SSL_CTX* context = SSL_CTX_new(TLS_server_method());
	std::cout << "openssl: " << OpenSSL_version(OPENSSL_VERSION) << (context ? ", TLS context ok" : ", TLS context FAILED") << '\n';
	SSL_CTX_free(context);
	return 0;
}
