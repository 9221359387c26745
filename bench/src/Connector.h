//
// Connector.h
//
// Opens many connections at once with a bounded number in flight
// (connecting, handshaking or awaiting the chat room's welcome): as fast as possible, without overflowing the
// server's listen backlog, which would turn into SYN retransmits of a
// second or more and measure the kernel instead of the server.
//

#ifndef WEBCHAT_BENCH_CONNECTOR_INCLUDED
#define WEBCHAT_BENCH_CONNECTOR_INCLUDED

#include "ClientConnection.h"
#include "Endpoint.h"
#include "LoadLoop.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace webchat::bench {

class Connector
{
public:
	struct Result
	{
		std::size_t opened = 0;   // completed the handshake (and got its greeting, when it awaits one)
		std::size_t failed = 0;   // refused, reset, bad handshake or timed out
		std::uint64_t elapsedNs = 0; // first connect() to the last one settled
		std::string firstError;
	};

	/// endpoints: one or more servers; the i-th connection of open()'s list
	/// goes to endpoints[i % endpoints.size()] (round-robin), from
	/// loopbackSource(i, addresses) when addresses is not 0 (Endpoint.h).
	Connector(LoadLoop& loop, const std::vector<Endpoint>& endpoints, std::size_t concurrency, std::size_t maxMessageBytes,
		std::size_t addresses = 0);

	/// Connects every one of connections (all New) and returns when each
	/// has opened or failed, or at the deadline (those still pending are
	/// aborted and count as failed).
	Result open(const std::vector<ClientConnection*>& connections, std::uint64_t deadlineNs);

private:
	LoadLoop& _loop;
	const std::vector<Endpoint>& _endpoints;
	std::size_t _concurrency;
	std::size_t _maxMessageBytes;
	std::vector<sockaddr_in> _sources; // empty: the kernel picks
};

} // namespace webchat::bench

#endif
