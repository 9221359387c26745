//
// IdleRun.h
//
// Many connections that only connect and stay: how fast the server accepts
// and upgrades them, and what each costs it in resident memory. In the chat
// room they all join one room: connected means welcomed, and the joins the
// others hear are part of the cost.
//

#ifndef WEBCHAT_BENCH_IDLERUN_INCLUDED
#define WEBCHAT_BENCH_IDLERUN_INCLUDED

#include "ChatroomClients.h"
#include "ClientConnection.h"
#include "Connector.h"
#include "Endpoint.h"
#include "KernelSockets.h"
#include "LoadLoop.h"
#include "ProcessStats.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace webchat::bench {

struct IdleConfig
{
	std::size_t connections = 10000;
	std::size_t concurrency = 256;
	std::size_t addresses = 0; // connect from this many loopback addresses, 127.0.0.2 onwards; 0: the kernel's choice
	std::uint64_t settleNs = 300 * NsPerMs; // before reading the RSS with all open
	std::uint64_t holdNs = 1 * NsPerSecond;
	std::optional<ChatroomOptions> chatroom; // join a chat room instead of the relay
	bool pingCheck = false; // every connection must be pinged (and answer) while held
};

struct IdleResult
{
	Connector::Result connect;
	std::size_t dropped = 0; // opened, then lost before we closed them
	std::string firstDrop;
	std::uint64_t unexpectedMessages = 0;
	std::size_t closedCleanly = 0; // the server answered our close frame and ended the stream
	std::optional<std::uint64_t> rssBeforeKiB, rssOpenKiB, rssAfterKiB;
	std::optional<double> serverCpuPercent, benchCpuPercent; // while connecting
	std::optional<double> serverCpuSeconds;     // while connecting: the handshakes' cost
	std::optional<double> serverHoldCpuPercent; // while holding them all open (pings, timers)
	std::uint64_t holdNs = 0;                   // how long that was
	std::uint64_t pingsAnswered = 0;            // pings the server sent while held, each answered
	std::size_t connectionsPinged = 0;          // connections pinged at least once while held
	std::optional<ChatroomTotals> chat; // chat room: the events heard until closing
	// The machine's TCP sockets, before and with every connection open: both
	// ends of each (the bench's and the server's) are on this machine.
	std::optional<KernelSockets> kernelBefore, kernelOpen;

	bool correct() const { return connect.failed == 0 && dropped == 0; }
	/// Server CPU per held connection per second, in nanoseconds.
	std::optional<double> serverHoldCpuNsPerConnectionSecond() const;
	/// Server RSS growth per connection, in bytes (nothing without a pid).
	std::optional<double> rssPerConnectionBytes() const;
	/// Server CPU per connection opened, in microseconds: the handshake and
	/// the accept (nothing without a pid). On loopback the connecting side
	/// pays much of TCP's share, so this, not handshakes/s, compares servers.
	std::optional<double> serverCpuPerHandshakeUs() const;
	/// Kernel memory per connection, both ends: the slab caches of a TCP
	/// socket (nothing when /proc/slabinfo cannot be read), and the TCP
	/// buffers (sockstat's mem).
	std::optional<double> kernelSlabPerConnectionBytes() const;
	std::optional<double> kernelBuffersPerConnectionBytes() const;
};

class IdleRun final: private ConnectionObserver
{
public:
	/// endpoints: one or more servers, connections spread round-robin.
	IdleRun(LoadLoop& loop, const std::vector<Endpoint>& endpoints, const ProcessStats& server, IdleConfig config);

	IdleResult run(std::uint64_t deadlineNs);

private:
	void onMessage(ClientConnection& connection, ws::Opcode opcode, std::string_view payload) override;
	void onEnd(ClientConnection& connection) override;

	LoadLoop& _loop;
	const std::vector<Endpoint>& _endpoints;
	const ProcessStats& _server;
	IdleConfig _config;
	std::vector<std::unique_ptr<ClientConnection>> _connections;
	std::unique_ptr<ChatroomClients> _chat;
	bool _holding = false;
	IdleResult _result;
};

} // namespace webchat::bench

#endif
