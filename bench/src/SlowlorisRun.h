//
// SlowlorisRun.h
//
// The slowloris scenario's load and probes. Slow connections, each bound to
// one of several loopback source addresses (127.0.0.2, 127.0.0.3, ...), open
// to the page listener spread over one interval and trickle a request head
// one byte per interval that never completes: the first request, or with
// follow-up a keep-alive follow-up after a complete first request and its
// response. A connection the server closes is opened again at its next
// tick, as an attacker would. Meanwhile an honest client from 127.0.0.1
// times its own requests: GET / on the page listener and a chat join (the
// WebSocket upgrade, and in the chat room its welcome) on the chat listener.
//
// The slow connections run in one thread (an epoll loop over non-blocking
// sockets); the probes in another, with blocking sockets, so that a probe
// waits for nothing but the server.
//

#ifndef WEBCHAT_BENCH_SLOWLORISRUN_INCLUDED
#define WEBCHAT_BENCH_SLOWLORISRUN_INCLUDED

#include "Endpoint.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::bench {

struct SlowlorisConfig
{
	Endpoint page;                 // GET / and the slow connections
	Endpoint chat;                 // the chat join
	std::string joinPath = "/";    // the join's request target
	bool expectWelcome = false;    // chat room: the join ends with the welcome
	std::size_t slow = 1000;       // 0: the probes alone (a baseline)
	std::size_t addresses = 20;    // source addresses 127.0.0.2 onwards
	std::uint64_t intervalMs = 2000;
	bool followUp = false;
	std::size_t probes = 100;
	/// Between tries: 4 joins a second, within the chat listener's
	/// handshakes_per_ip_per_second (5 by default; beyond it, 429).
	std::uint64_t probeGapMs = 250;
	/// Before the first probe: every slow connection opened at least once.
	std::uint64_t settleMs = 2000;
	/// A probe that takes longer fails.
	std::uint64_t probeTimeoutMs = 5000;
};

/// One honest probe: how long it took, or why it failed.
struct ProbeResult
{
	double ms = 0;
	std::string error; // empty: it succeeded
};

struct SlowlorisResult
{
	std::vector<ProbeResult> pageProbes;
	std::vector<ProbeResult> joinProbes;
	/// Slow connections the server still held at each probe.
	std::vector<std::size_t> openAtProbe;
	std::uint64_t connectsStarted = 0;
	std::uint64_t connectFailures = 0;   // refused or failed before established
	std::uint64_t established = 0;
	std::uint64_t firstRequestsAnswered = 0; // follow-up: the complete first request's response
	std::uint64_t bytesTrickled = 0;
	/// Closed by the server within one interval of its request starting
	/// (before its second byte was due): refused at once.
	std::uint64_t closedAtOnce = 0;
	/// Closed by the server later, while trickling: after how long (ms,
	/// from the start of the request being trickled: the connect, or the
	/// follow-up's first byte).
	std::vector<double> closedLaterAfterMs;
	/// Slow connections still open when the probes ended.
	std::size_t openAtEnd = 0;
	double seconds = 0;
	/// Anything that went wrong on the bench's side (a socket it could not
	/// make): the run is void.
	std::string error;
};

/// The request a slow connection trickles: a head that never ends (a
/// header line longer than anything trickled in a run).
std::string slowRequestHead(std::string_view hostHeader);

/// The value at the given percentile (0-100) by nearest rank over values
/// (sorted inside); nothing when empty. p99 of 100 values is the 99th.
std::optional<double> nearestRank(std::vector<double> values, double percentile);

/// An HTTP/1.1 response read so far: its status once the head is complete,
/// and whether the body is complete too (Content-Length, or no body for
/// 1xx, 204 and 304). A response without Content-Length is complete only
/// at the end of the stream (ended).
struct HttpResponseProgress
{
	int status = 0;         // 0: head not complete yet
	bool complete = false;
	std::size_t length = 0; // head + body, once complete
	bool malformed = false;

	static HttpResponseProgress of(std::string_view received, bool ended);
};

/// The first WebSocket frame from a server (unmasked) in received: its
/// opcode and payload, or nothing while incomplete. Throws
/// std::invalid_argument for a masked frame or a length beyond 16 MiB.
struct ServerFrame
{
	int opcode = 0;
	std::string payload;
	std::size_t length = 0; // header + payload

	static std::optional<ServerFrame> first(std::string_view received);
};

/// Runs the load and the probes. sampleServer, when set, is called once
/// between the last probe and the end of the load (the server's counters
/// while the slow connections still press).
SlowlorisResult runSlowloris(const SlowlorisConfig& config, const std::function<void()>& sampleServer = {});

} // namespace webchat::bench

#endif
