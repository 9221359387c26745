//
// TlsClient.h
//
// wss for the benchmark (--tls): one OpenSSL client context shared by every
// connection of the run. ClientConnection drives each session with
// SSL_connect/SSL_read/SSL_write on its own non-blocking socket, in the
// benchmark's one loop. Without --tls nothing here is touched: the plaintext
// path stays as it was.
//
// The benchmark connects to loopback only, to a server started for the run,
// usually with a self-signed certificate made for it: by default the
// certificate is NOT verified (the traffic is encrypted exactly as for a
// verifying client; only the trust decision is skipped). --tls-ca FILE
// verifies the chain against FILE and that the certificate names --host
// (an IP address SAN for 127.0.0.1, a DNS SAN for "localhost").
//

#ifndef WEBCHAT_BENCH_TLSCLIENT_INCLUDED
#define WEBCHAT_BENCH_TLSCLIENT_INCLUDED

#include <cstdint>
#include <optional>
#include <string>

typedef struct ssl_ctx_st SSL_CTX;
typedef struct ssl_st SSL;

namespace webchat::bench {

class CommandLine;

struct TlsClientOptions
{
	/// PEM file of trusted certificates (the server's own, when self-signed);
	/// empty: no verification.
	std::string caFile;
	/// The name or address the certificate must carry (with caFile): --host.
	std::string host;
};

/// --tls and --tls-ca FILE: nullopt without --tls. Throws UsageError for
/// --tls-ca without --tls or with an empty file name.
std::optional<TlsClientOptions> tlsClientOptions(const CommandLine& line);

class TlsClientContext
{
public:
	/// Throws std::invalid_argument when caFile cannot be loaded, and
	/// std::runtime_error when OpenSSL cannot make a context.
	explicit TlsClientContext(const TlsClientOptions& options);
	~TlsClientContext();

	TlsClientContext(const TlsClientContext&) = delete;
	TlsClientContext& operator=(const TlsClientContext&) = delete;

	bool verifies() const { return !_options.caFile.empty(); }
	const TlsClientOptions& options() const { return _options; }

	/// A client session on fd (connected, non-blocking), or nullptr with
	/// error set.
	SSL* newSession(int fd, std::string& error) const;

	/// Called when a session's handshake completed: the first one's
	/// protocol and cipher are kept for the reports.
	void established(SSL* ssl);
	/// "TLSv1.3 TLS_AES_256_GCM_SHA384" (empty until a handshake completed).
	const std::string& negotiated() const { return _negotiated; }
	std::uint64_t handshakes() const { return _handshakes; }

	/// What went wrong in a call that returned rc on ssl: OpenSSL's error
	/// queue, errno, or the SSL_get_error code. Clears the queue.
	static std::string errorText(SSL* ssl, int rc, int sslError);

private:
	TlsClientOptions _options;
	SSL_CTX* _context = nullptr;
	std::string _negotiated;
	std::uint64_t _handshakes = 0;
};

} // namespace webchat::bench

#endif
