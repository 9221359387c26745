//
// Endpoint.h
//
// Where the benchmark connects. Loopback only: this tool opens thousands of
// connections as fast as it can, which must never reach another host, so
// any address outside 127.0.0.0/8 and ::1 is refused before a socket exists.
//

#ifndef WEBCHAT_BENCH_ENDPOINT_INCLUDED
#define WEBCHAT_BENCH_ENDPOINT_INCLUDED

#include <cstdint>
#include <memory>
#include <string>
#include <sys/socket.h>

namespace webchat::bench {

class TlsClientContext;

struct Endpoint
{
	sockaddr_storage address{};
	socklen_t addressLength = 0;
	std::string hostHeader; // "127.0.0.1:8000", "[::1]:8000"
	std::string path;       // request target, starts with '/'
	std::string display;    // for reports
	/// wss (--tls): the context every connection's TLS session comes from;
	/// null: plaintext ws.
	std::shared_ptr<TlsClientContext> tls;
	/// --deflate: offer permessage-deflate; the 101 must accept it, and
	/// what the server sends is inflated.
	bool deflate = false;
};

/// Resolves host (a numeric address or a name such as "localhost") and
/// returns its first address. Throws std::invalid_argument when the host
/// cannot be resolved, any of its addresses is not loopback, or the path
/// does not start with '/' or contains whitespace or control characters.
Endpoint resolveLoopback(const std::string& host, std::uint16_t port, const std::string& path);

/// True for 127.0.0.0/8 and ::1 (and ::ffff:127.0.0.0/104).
bool isLoopback(const sockaddr* address);

} // namespace webchat::bench

#endif
