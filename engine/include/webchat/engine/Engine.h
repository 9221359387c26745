//
// Engine.h
//
// The WebSocket engine a chat plugin owns: a fixed number of I/O threads,
// each an event loop over non-blocking sockets, that take over connections
// once the HTTP upgrade is done. POCO's HTTPServer thread does the handshake
// and returns at once; from then on a connection costs no thread.
//

#ifndef WEBCHAT_ENGINE_ENGINE_INCLUDED
#define WEBCHAT_ENGINE_ENGINE_INCLUDED

#include "webchat/engine/AddressBuckets.h"
#include "webchat/engine/EngineSettings.h"
#include "webchat/engine/PeerTable.h"
#include "webchat/engine/SessionHandler.h"
#include "webchat/engine/TlsSession.h"
#include "webchat/engine/Topic.h"
#include "webchat/platform/Socket.h"

#include "Poco/Logger.h"

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace webchat::engine {

class EventLoop;


struct EngineStats
{
	std::uint64_t connectionsOpen = 0;
	std::uint64_t connectionsAccepted = 0;
	std::uint64_t connectionsRefused = 0;  // over max_connections or max_connections_per_ip
	std::uint64_t messagesIn = 0;
	std::uint64_t bytesIn = 0;
	std::uint64_t bytesOut = 0;
	std::uint64_t slowConsumersClosed = 0; // closed with 1008 for max_queued_bytes
	std::uint64_t protocolErrors = 0;      // closed with 1002, 1007, 1009 or a frame timeout
	// protocolErrors by close code, in the order of protocolErrorCodes.
	static constexpr std::uint16_t protocolErrorCodes[4] = {1002, 1007, 1008, 1009};
	std::uint64_t protocolErrorsByCode[4] = {};
	// Upgrade requests refused before any connection slot was taken.
	std::uint64_t handshakesRefusedInvalid = 0; // not a valid WebSocket upgrade
	std::uint64_t handshakesRefusedOrigin = 0;  // Origin not allowed
	std::uint64_t handshakesRefusedRate = 0;    // over handshakes_per_ip_per_second (429)

	/// Index into protocolErrorsByCode, -1 for another code.
	static int protocolErrorIndex(std::uint16_t code)
	{
		for (int i = 0; i < 4; ++i)
			if (protocolErrorCodes[i] == code) return i;
		return -1;
	}
};

class Engine
{
public:
	Engine(const EngineSettings& settings, SessionHandler& handler, Poco::Logger& logger);

	/// Stops if still running.
	~Engine();

	Engine(const Engine&) = delete;
	Engine& operator=(const Engine&) = delete;

	/// Starts the I/O threads.
	void start();

	/// Sends every client close 1001, gives them drain_timeout_ms to answer,
	/// closes what is left and joins the I/O threads. Idempotent.
	void stop();

	/// The topic of that name, created when nobody holds it. Drop every
	/// reference before the engine goes.
	std::shared_ptr<Topic> topic(const std::string& name);

	/// Reserves a connection slot for a client address; false when
	/// max_connections or max_connections_per_ip is reached.
	bool admit(const std::string& peerAddress);

	/// Takes over an upgraded socket (any thread): fd is the engine's from
	/// now on. The engine writes response (the 101) after the session's
	/// onOpen, then decodes pending, the bytes already read past the request.
	/// The slot reserved with admit() is released when the connection ends.
	/// tls, for a connection of a TLS listener, is its session (handshake
	/// done, reading and writing fd): everything then goes through it.
	/// perMessageDeflate: the 101 accepted permessage-deflate.
	void adopt(platform::SocketHandle fd, std::string response, std::string pending, std::unique_ptr<Session> session, const std::string& peerAddress,
		TlsSession tls = nullptr, bool perMessageDeflate = false);

	/// Gives back a slot from admit() that adopt() did not take.
	void release(const std::string& peerAddress);

	/// The engine's copy of a client's address, which a connection keeps
	/// (on its I/O thread) until it goes: forgetPeer() then (PeerTable).
	const std::string& holdPeer(const std::string& peerAddress) { return _peers.hold(peerAddress); }
	void forgetPeer(const std::string& held) { _peers.forget(held); }

	EngineStats stats() const;

	/// Counts an upgrade request refused for being invalid (any thread).
	void countInvalidHandshake() { _refusedInvalid.fetch_add(1, std::memory_order_relaxed); }
	/// Counts an upgrade request refused for its Origin (any thread).
	void countRefusedOrigin() { _refusedOrigin.fetch_add(1, std::memory_order_relaxed); }

	/// Takes one handshake of address's budget (handshakes_per_ip_per_second,
	/// handshakes_per_ip_burst); false, counted, with the wait until the next
	/// one in retryAfterMs, when it is spent (any thread).
	bool admitHandshake(const std::string& address, std::int64_t& retryAfterMs);

	const EngineSettings& settings() const { return _settings; }
	SessionHandler& handler() { return _handler; }
	Poco::Logger& logger() { return _logger; }

private:
	const EngineSettings _settings;
	SessionHandler& _handler;
	Poco::Logger& _logger;
	// Before the loops: it outlives the connections, which forget their
	// address in it as they go.
	PeerTable _peers;
	std::vector<std::unique_ptr<EventLoop>> _loops;
	std::atomic<unsigned> _nextLoop{0};
	std::atomic<bool> _running{false};
	std::atomic<bool> _stopped{false};

	std::mutex _topicsMutex;
	std::map<std::string, std::weak_ptr<Topic>> _topics;

	std::atomic<std::uint64_t> _refused{0};
	std::atomic<std::uint64_t> _refusedInvalid{0};
	std::atomic<std::uint64_t> _refusedOrigin{0};
	AddressBuckets _handshakes;
	std::atomic<std::uint64_t> _refusedRate{0};
};

} // namespace webchat::engine

#endif
