//
// Endpoint.h
//
// Where the benchmark connects. Loopback only: this tool opens thousands of
// connections as fast as it can, which must never reach another host, so
// any address outside 127.0.0.0/8 and ::1 is refused before a socket exists.
//

#ifndef WEBCHAT_BENCH_ENDPOINT_INCLUDED
#define WEBCHAT_BENCH_ENDPOINT_INCLUDED

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <netinet/in.h>
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

/// The source address of connection index when connections come from
/// `addresses` loopback addresses: 127.0.0.(2 + index mod addresses).
/// Several are needed for many connections to one server port (each source
/// address has net.ipv4.ip_local_port_range's ~28,000 ports), and the
/// server's per-address limits see them as different clients. addresses is
/// 1-250 (std::invalid_argument otherwise).
std::string loopbackSourceAddress(std::size_t index, std::size_t addresses);

/// The same as a socket address (port 0: the kernel picks one).
sockaddr_in loopbackSource(std::size_t index, std::size_t addresses);

/// True for 127.0.0.0/8 and ::1 (and ::ffff:127.0.0.0/104).
bool isLoopback(const sockaddr* address);

} // namespace webchat::bench

#endif
