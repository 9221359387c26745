//
// HttpGate.h
//
// Where a listener's connections wait until their request head is complete,
// so that no HTTP worker thread ever waits for a client.
//
// POCO's HTTPServer gives each accepted connection a pool thread that reads
// the request head with a per-read timeout: a client that trickles one byte
// every few seconds holds a thread for as long as it likes, and a few dozen
// such clients hold them all (slowloris). So the listening socket is the
// gate's: one thread per listener accepts, does the TLS handshake and reads
// each request head without blocking (an event loop over a Poller), with
//   - an absolute deadline per head (header_timeout_ms, from the connection's
//     accept or, between keep-alive requests, from the next request's first
//     byte; idle keep-alive connections wait up to keep_alive_timeout_ms);
//   - caps on connections that have not completed a request, per listener
//     (max_pending) and per client address (max_pending_per_ip; IPv6 per /64);
//   - a size cap (max_head_bytes: 431) and a body cap (max_body_bytes: 413;
//     a chunked body: 411), answered and closed without reading further.
// Only then does the connection go to POCO (GateServerSocket below makes the
// gate look like a listening socket to POCO's TCPServer), with the head
// already read: GatedStreamSocketImpl returns it first, then at most the
// request's body, and when POCO waits for the next keep-alive request it
// hands the connection back to the gate instead of waiting on a thread.
// The gate never reads past the head (it peeks first), so pipelined requests
// and a WebSocket client's first frames stay in the socket (or in OpenSSL's
// buffer) for whoever reads next.
//

#ifndef WEBCHAT_HTTPGATE_INCLUDED
#define WEBCHAT_HTTPGATE_INCLUDED

#include "ListenerSettings.h"
#include "RequestHead.h"
#include "webchat/HandlerPlugin.h"
#include "webchat/platform/Poller.h"
#include "webchat/platform/Socket.h"
#include "webchat/platform/Wakeup.h"

#include "Poco/Logger.h"
#include "Poco/Net/Context.h"
#include "Poco/Net/ServerSocket.h"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

struct ssl_st;

namespace webchat {

class HttpGate: public std::enable_shared_from_this<HttpGate>
{
public:
	/// Why a connection was closed before it completed a request.
	enum class Refusal
	{
		HeaderTimeout,   // its head took longer than header_timeout_ms
		PendingLimit,    // max_pending connections were waiting already
		PendingPerIp,    // max_pending_per_ip from its address were
		BadRequest,      // 400, 501 or 505: not a valid HTTP/1.x head (RequestHead)
		HeadTooLarge,    // 431: longer than max_head_bytes
		BodyNotAccepted, // 413 or 411: a body the listener does not take
		TlsHandshake,    // the TLS handshake failed
		Count
	};

	/// A connection whose request head is complete, on its way to POCO.
	struct Admitted
	{
		platform::SocketHandle fd = platform::invalidSocket;
		ssl_st* ssl = nullptr;    // TLS: the session, handshake done
		std::string head;         // the request head, up to its blank line
		std::uint64_t bodyBytes = 0;
		int requests = 0;         // requests this connection made before
		bool lastRequest = false; // keep_alive_requests allows no more
		std::uint64_t skip = 0;   // readmitted: body bytes to skip first
		bool closeAfterSkip = false;
		// Behind a trusted proxy: the client it names (else the peer is).
		std::optional<Poco::Net::IPAddress> client;
	};

	/// Takes over listeningFd (a listening socket; made non-blocking) and
	/// applies the listener's limits (header_timeout_ms, max_pending...,
	/// trusted_proxies). With a TLS context, every connection's handshake
	/// happens here first.
	HttpGate(const ListenerSettings& settings, platform::SocketHandle listeningFd, Poco::Net::Context::Ptr tls, Poco::Logger& logger);
	~HttpGate();

	HttpGate(const HttpGate&) = delete;
	HttpGate& operator=(const HttpGate&) = delete;

	void start();

	/// No new connections (a reload's replacement accepts them now); those
	/// already here go on. Any thread.
	void stopAccepting();

	/// Closes every connection still waiting and joins the thread.
	void stop();

	/// What POCO's TCPServer accepts from: a ServerSocket whose poll() is
	/// readable while admitted connections wait, and whose
	/// acceptConnection() returns them as GatedStreamSocketImpls.
	Poco::Net::ServerSocket serverSocket();

	/// Where the listening socket is bound.
	const Poco::Net::SocketAddress& listeningAddress() const { return _listeningAddress; }

	/// The next admitted connection, if any (the acceptor thread).
	std::optional<Admitted> takeAdmitted();

	/// A POCO worker finished a request and the connection stays open: it
	/// waits here for the next one (any thread), after skipping unreadBody
	/// bytes of the last one's body that its handler did not read. fd is
	/// blocking, as POCO had it.
	void readmit(platform::SocketHandle fd, ssl_st* ssl, int requests, std::uint64_t unreadBody);

	/// A connection POCO is done with, whose last request still has
	/// unreadBody bytes coming: the gate reads and drops them, then closes
	/// (a lingering close, as nginx does), within keep_alive_timeout_ms.
	/// ssl: its TLS session (close_notify already sent), or null.
	void linger(platform::SocketHandle fd, ssl_st* ssl, std::uint64_t unreadBody);

	/// The gate's gauges and counters (webchat_http_pending_connections,
	/// webchat_http_connections_refused_total{reason}).
	void writeMetrics(MetricsWriter& writer) const;

	static const char* reasonLabel(Refusal refusal);

private:
	using Clock = std::chrono::steady_clock;

	enum class Stage
	{
		Handshake, // TLS handshake in progress
		Idle,      // between keep-alive requests: nothing of the next yet
		           // (after skipping what remains of the last one's body)
		Head       // reading a request head
	};

	struct Pending
	{
		platform::SocketHandle fd = platform::invalidSocket;
		ssl_st* ssl = nullptr;
		Stage stage = Stage::Head;
		std::string head;
		Poco::Net::IPAddress peerAddress;
		std::string peer;       // the per-address key (addressKey)
		bool trustedPeer = false;
		Clock::time_point deadline;
		int requests = 0;
		std::uint64_t skip = 0; // Idle: the last request's unread body
		bool closeAfterSkip = false;
		int interest = 0;       // Poller::Read / Write, as registered
		bool closed = false;
	};

	void run();
	// One event: accept, the inbox, or a pending connection.
	void dispatch(void* tag);
	void acceptAll();
	void processInbox();
	void advance(Pending& pending);
	void readHead(Pending& pending);
	// Reads without consuming (MSG_PEEK, SSL_peek) / consuming; the return
	// value as recv's, or -2 for "try again later".
	int peek(Pending& pending, char* buffer, int length);
	int consume(Pending& pending, char* buffer, int length);
	void complete(Pending& pending);
	// Answers status (its standard reason, then detail in the body), closes.
	void refuse(Pending& pending, Refusal refusal, int status, const char* detail);
	void refuse(Pending& pending, HeadError error);
	HeadLimits headLimits() const;
	void drop(Pending& pending);
	Pending& track(platform::SocketHandle fd, ssl_st* ssl, Stage stage, const Poco::Net::IPAddress& peer, int requests, std::int64_t timeoutMs);
	void setDeadline(Pending& pending, std::int64_t timeoutMs);
	// A connection back from POCO, for the loop's inbox (any thread).
	void queueBack(platform::SocketHandle fd, ssl_st* ssl, int requests, std::uint64_t unreadBody, bool closeAfterSkip);
	void watch(Pending& pending, int interest);
	void expire();
	void count(Refusal refusal);
	// Refuses a connection that still waits for its head beyond max_pending
	// or max_pending_per_ip, unless an idle keep-alive one (of its address
	// for max_pending_per_ip) can end in its place.
	void enforceLimits(Pending& pending);
	// The idle keep-alive connection that became idle first (of peer, when
	// given), or null.
	Pending* oldestIdle(const std::string* peer);
	// Stage changes go through here: the idle counts follow.
	void setStage(Pending& pending, Stage stage);
	void forgetIdle(const Pending& pending);

	const ListenerSettings _settings;
	Poco::Net::Context::Ptr _tls;
	Poco::Logger& _logger;
	platform::SocketHandle _listeningFd;
	Poco::Net::SocketAddress _listeningAddress;

	std::unique_ptr<platform::Poller> _poller;
	platform::Wakeup _wakeup;      // the loop's inbox
	platform::Wakeup _readyWakeup; // readable while _ready is not empty
	std::thread _thread;
	std::atomic<bool> _stopping{false};
	std::atomic<bool> _acceptingWanted{true};
	bool _accepting = false;       // the loop's view of the listening fd

	// The loop's own.
	std::unordered_map<Pending*, std::unique_ptr<Pending>> _pending;
	std::set<std::pair<Clock::time_point, Pending*>> _deadlines;
	std::unordered_map<std::string, std::size_t> _perPeer;
	std::unordered_map<std::string, std::size_t> _idlePerPeer; // of _perPeer, those idle between keep-alive requests
	std::size_t _idleCount = 0;
	std::vector<Pending*> _closed; // dropped this round, freed at its end
	Clock::time_point _acceptPausedUntil;
	bool _acceptErrorLogged = false;
	std::vector<char> _buffer;     // peeked bytes, max_head_bytes + 1

	std::mutex _inboxMutex;
	std::vector<Admitted> _inbox;  // readmitted connections

	std::mutex _readyMutex;
	std::deque<Admitted> _ready;

	std::atomic<std::size_t> _pendingCount{0};
	std::array<std::atomic<std::uint64_t>, static_cast<std::size_t>(Refusal::Count)> _refused{};
};

} // namespace webchat

#endif
