#include "TlsContext.h"

#include "Poco/Exception.h"
#include "Poco/File.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace webchat {

namespace {

// OpenSSL's queued errors, oldest first, cleared.
std::string openSslErrors()
{
	std::string text;
	while (const unsigned long code = ERR_get_error())
	{
		char buffer[256];
		ERR_error_string_n(code, buffer, sizeof(buffer));
		if (!text.empty()) text += "; ";
		text += buffer;
	}
	return text.empty() ? "no detail from OpenSSL" : text;
}

void checkReadable(const std::string& key, const std::string& path)
{
	const Poco::File file(path);
	if (!file.exists()) throw Poco::FileNotFoundException(key + " = " + path + ": no such file");
	if (!file.isFile() || !file.canRead()) throw Poco::FileAccessDeniedException(key + " = " + path + ": not a readable file");
}

// Without it OpenSSL would prompt on the terminal for an encrypted key.
int refusePassphrase(char*, int, int, void*)
{
	return -1;
}

} // namespace

Poco::Net::Context::Ptr createTlsContext(const ListenerSettings& settings)
{
	const TlsSettings& tls = settings.tls;
	checkReadable(settings.key("tls_certificate"), tls.certificateFile);
	checkReadable(settings.key("tls_private_key"), tls.privateKeyFile);

	Poco::Net::Context::Params params;
	params.verificationMode = Poco::Net::Context::VERIFY_NONE; // no client certificates
	params.loadDefaultCAs = false;
	params.cipherList = tls.ciphers;
	params.dhUse2048Bits = true;
	// The certificate and key are loaded below, one key at a time, so each
	// failure names its key.
	Poco::Net::Context::Ptr context = new Poco::Net::Context(Poco::Net::Context::TLS_SERVER_USE, params);
	SSL_CTX* ctx = context->sslContext();
	ERR_clear_error();

	// POCO ignores a cipher list OpenSSL rejects; a typo must not silently
	// mean the defaults.
	if (SSL_CTX_set_cipher_list(ctx, tls.ciphers.c_str()) != 1)
		throw Poco::InvalidArgumentException(settings.key("tls_ciphers") + " = " + tls.ciphers + ": no cipher OpenSSL knows (" + openSslErrors() + ")");
	context->requireMinimumProtocol(tls.minProtocol == "tlsv1.3" ? Poco::Net::Context::PROTO_TLSV1_3 : Poco::Net::Context::PROTO_TLSV1_2);
	// A client's renegotiation would stall a connection the engine drives
	// without blocking; TLS 1.3 has none anyway.
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION);
#ifdef SSL_OP_IGNORE_UNEXPECTED_EOF
	// A client that goes without close_notify (most browsers) is an end of
	// stream, not an error; WebSocket and HTTP frame their own data.
	SSL_CTX_set_options(ctx, SSL_OP_IGNORE_UNEXPECTED_EOF);
#endif

	if (SSL_CTX_use_certificate_chain_file(ctx, tls.certificateFile.c_str()) != 1)
	{
		throw Poco::DataFormatException(settings.key("tls_certificate") + " = " + tls.certificateFile +
			": not a PEM certificate (" + openSslErrors() + ")");
	}
	SSL_CTX_set_default_passwd_cb(ctx, &refusePassphrase);
	if (SSL_CTX_use_PrivateKey_file(ctx, tls.privateKeyFile.c_str(), SSL_FILETYPE_PEM) != 1)
	{
		const unsigned long reason = ERR_GET_REASON(ERR_peek_last_error());
		const std::string detail = openSslErrors();
		if (reason == X509_R_KEY_VALUES_MISMATCH)
		{
			throw Poco::InvalidArgumentException(settings.key("tls_private_key") + " = " + tls.privateKeyFile +
				": does not match the certificate in " + settings.key("tls_certificate"));
		}
		throw Poco::DataFormatException(settings.key("tls_private_key") + " = " + tls.privateKeyFile +
			": not an unencrypted PEM private key (" + detail + ")");
	}
	if (SSL_CTX_check_private_key(ctx) != 1)
	{
		ERR_clear_error();
		throw Poco::InvalidArgumentException(settings.key("tls_private_key") + " = " + tls.privateKeyFile +
			": does not match the certificate in " + settings.key("tls_certificate"));
	}
	return context;
}

} // namespace webchat
