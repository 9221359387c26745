#include "TlsClient.h"

#include "CommandLine.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <stdexcept>

namespace webchat::bench {

namespace {

bool isIpAddress(const std::string& host)
{
	unsigned char address[16];
	return ::inet_pton(AF_INET, host.c_str(), address) == 1 || ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

std::string openSslError(const char* what)
{
	std::string text = what;
	const unsigned long code = ::ERR_get_error();
	if (code != 0)
	{
		char buffer[256];
		::ERR_error_string_n(code, buffer, sizeof buffer);
		text += std::string(": ") + buffer;
	}
	::ERR_clear_error();
	return text;
}

} // namespace

std::optional<TlsClientOptions> tlsClientOptions(const CommandLine& line)
{
	if (!line.flag("tls"))
	{
		if (line.has("tls-ca")) throw UsageError("--tls-ca needs --tls");
		return std::nullopt;
	}
	TlsClientOptions options;
	options.caFile = line.text("tls-ca", "");
	if (line.has("tls-ca") && options.caFile.empty()) throw UsageError("--tls-ca needs a file name");
	options.host = line.text("host", "127.0.0.1");
	return options;
}

TlsClientContext::TlsClientContext(const TlsClientOptions& options):
	_options(options)
{
	_context = ::SSL_CTX_new(::TLS_client_method());
	if (!_context) throw std::runtime_error(openSslError("SSL_CTX_new"));
	// What webchatd offers at the least (tls_min_protocol's default).
	::SSL_CTX_set_min_proto_version(_context, TLS1_2_VERSION);
	// flush() retries with the same bytes at the same offset of a buffer
	// that may have grown (and moved) since; a record written is progress.
	::SSL_CTX_set_mode(_context, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | SSL_MODE_ENABLE_PARTIAL_WRITE);
	// Read what the socket has in one recv(), not a record header and then
	// its body (two syscalls per record); ClientConnection drains what
	// OpenSSL buffered before it waits for the socket again.
	::SSL_CTX_set_read_ahead(_context, 1);
	::SSL_CTX_set_default_read_buffer_len(_context, 64 * 1024);
	// Every connection makes a full handshake, as a new visitor would.
	::SSL_CTX_set_session_cache_mode(_context, SSL_SESS_CACHE_OFF);
	if (_options.caFile.empty())
		::SSL_CTX_set_verify(_context, SSL_VERIFY_NONE, nullptr);
	else
	{
		if (::SSL_CTX_load_verify_locations(_context, _options.caFile.c_str(), nullptr) != 1)
		{
			const std::string problem = openSslError(("--tls-ca " + _options.caFile).c_str());
			::SSL_CTX_free(_context);
			throw std::invalid_argument(problem + " (not a readable PEM certificate file)");
		}
		::SSL_CTX_set_verify(_context, SSL_VERIFY_PEER, nullptr);
		X509_VERIFY_PARAM* parameters = ::SSL_CTX_get0_param(_context);
		const int named = isIpAddress(_options.host) ? ::X509_VERIFY_PARAM_set1_ip_asc(parameters, _options.host.c_str())
													 : ::X509_VERIFY_PARAM_set1_host(parameters, _options.host.c_str(), 0);
		if (named != 1)
		{
			::SSL_CTX_free(_context);
			throw std::invalid_argument("--tls-ca: cannot check the certificate against " + _options.host);
		}
	}
}

TlsClientContext::~TlsClientContext()
{
	::SSL_CTX_free(_context);
}

SSL* TlsClientContext::newSession(int fd, std::string& error) const
{
	SSL* ssl = ::SSL_new(_context);
	if (!ssl)
	{
		error = openSslError("SSL_new");
		return nullptr;
	}
	if (::SSL_set_fd(ssl, fd) != 1)
	{
		error = openSslError("SSL_set_fd");
		::SSL_free(ssl);
		return nullptr;
	}
	::SSL_set_connect_state(ssl);
	// SNI, as a browser sends it (never for an address).
	if (!_options.host.empty() && !isIpAddress(_options.host))
		::SSL_set_tlsext_host_name(ssl, _options.host.c_str());
	return ssl;
}

void TlsClientContext::established(SSL* ssl)
{
	if (_handshakes++ == 0)
		_negotiated = std::string(::SSL_get_version(ssl)) + " " + ::SSL_get_cipher_name(ssl);
}

std::string TlsClientContext::errorText(SSL* ssl, int rc, int sslError)
{
	const int savedErrno = errno;
	std::string text;
	const unsigned long code = ::ERR_get_error();
	if (code != 0)
	{
		char buffer[256];
		::ERR_error_string_n(code, buffer, sizeof buffer);
		text = buffer;
	}
	::ERR_clear_error();
	const long verify = ssl ? ::SSL_get_verify_result(ssl) : X509_V_OK;
	if (verify != X509_V_OK) text += std::string(text.empty() ? "" : ": ") + ::X509_verify_cert_error_string(verify);
	if (text.empty())
	{
		if (sslError == SSL_ERROR_SYSCALL)
			text = savedErrno != 0 && rc < 0 ? std::strerror(savedErrno) : "end of stream in the middle of TLS";
		else
			text = "SSL_get_error " + std::to_string(sslError);
	}
	return text;
}

} // namespace webchat::bench
