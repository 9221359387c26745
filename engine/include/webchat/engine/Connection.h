//
// Connection.h
//
// One upgraded WebSocket connection, owned by an I/O thread. A plugin sees
// it only inside SessionHandler callbacks (on that thread) and must not keep
// the reference past onClose.
//

#ifndef WEBCHAT_ENGINE_CONNECTION_INCLUDED
#define WEBCHAT_ENGINE_CONNECTION_INCLUDED

#include "webchat/engine/ConnectionHandle.h"
#include "webchat/engine/LoopMember.h"
#include "webchat/engine/MessageDecoder.h"
#include "webchat/engine/OutboundQueue.h"
#include "webchat/engine/SessionHandler.h"
#include "webchat/engine/Stamp.h"
#include "webchat/engine/TlsSession.h"
#include "webchat/platform/Socket.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace webchat::engine {

class EventLoop;
class TlsChannel;
class Topic;

class Connection final: private LoopMember, private ws::MessageDecoder::Handler
{
public:
	/// Made by the EventLoop that will own it (adopt), as its LoopMember;
	/// deleted by the loop once closed.
	/// peerAddress is the engine's copy (Engine::holdPeer), which the
	/// connection gives back when it goes.
	static LoopMember& create(EventLoop& loop, platform::SocketHandle fd, std::unique_ptr<Session> session, const std::string& peerAddress, TlsSession tls,
		bool perMessageDeflate);

	Session* session() const { return _session.get(); }
	const std::string& peerAddress() const { return *_peerAddress; }
	bool isOpen() const { return state == State::Open; }
	bool isTls() const { return _tls != nullptr; }
	/// permessage-deflate was negotiated: what it is sent is compressed.
	bool compresses() const { return LoopMember::compresses; }
	Topic* topic() const { return _topic; }

	/// Joins topic (leaving any previous one). atomically, when given, runs
	/// under the topic's lock: whatever was published before it is not
	/// delivered to this connection, everything after it is, so a snapshot
	/// taken there (a room's history and members) joins the live stream with
	/// no gap and no duplicate. Frames it appends to batch go to the other
	/// subscribers only (a join notice). It must not send() to or close this
	/// connection (either may end in onClose, which may need the same lock):
	/// build what to send there, send it after subscribe() returns.
	void subscribe(Topic& topic, const std::function<void(std::string& batch)>& atomically = nullptr);
	void unsubscribe();

	/// Frames payload for this connection alone.
	void send(ws::Opcode opcode, std::string_view payload);

	/// Starts the closing handshake with code; onClose follows at once.
	void close(std::uint16_t code, std::string_view reason = {});

	/// Reaches this connection from another thread (ConnectionHandle.h).
	ConnectionHandle handle() const;

	/// Asks for SessionHandler::onDeadline once std::chrono::steady_clock,
	/// in milliseconds since its epoch, reaches atMs; checked at the loop's
	/// tick (every 250 ms) while the connection is open. One deadline per
	/// connection: a new one replaces it; 0 clears it.
	void setDeadline(std::int64_t atMs);

private:
	~Connection() override;

	Connection(EventLoop& loop, platform::SocketHandle fd, std::unique_ptr<Session> session, const std::string& peerAddress, TlsSession tls, bool perMessageDeflate);

	// LoopMember
	Connection& connection() override { return *this; }
	void start(std::string response, std::string pending, bool stopping) override;
	void onReadable() override;
	void onWritable() override;
	void flush() override;
	void deliver(Chunk* chunk) override;
	// The peer closed or broke the protocol in the read being handled: the
	// loop calls finishClose() once what it published in that read has been
	// queued to every local subscriber, itself included, so the close goes
	// out after those messages.
	void finishClose(std::uint16_t code, std::string_view reason) override;
	void drop(std::uint16_t code) override;
	std::int64_t onTimer(std::int64_t nowMs) override;

	// ws::MessageDecoder::Handler
	void onMessage(ws::Opcode opcode, std::string_view payload) override;
	void onPing(std::string_view payload) override;
	void onPong(std::string_view payload) override;
	void onClose(std::uint16_t code, std::string_view reason) override;

	void feed(char* data, std::size_t size);
	// A read brought bytes: the peer is alive, any ping answered.
	void heardFrom();
	// TLS connections: the same steps through OpenSSL. Plaintext ones
	// never reach these.
	void readTls();
	void flushTls();
	void failTls(const char* what);
	void watchWritable(bool on);
	// Sets the poller's interest from _readPaused and _pollingWrite.
	void updateInterest();
	// A client owed more than half of max_queued_bytes is not read until it
	// is owed less than a quarter: TCP then slows its sending, so a fast
	// sender is throttled by its own echoes instead of cut off.
	void throttleReading();
	// The most one read takes: the loop's buffer, or a quarter of
	// max_queued_bytes if less. Reads happen only below half of it, so the
	// echoes of one read cannot take a client past it.
	std::size_t readLimit() const;
	bool nothingToWrite() const;
	void sendControl(ws::Opcode opcode, std::string_view payload);
	void queueRaw(std::string bytes);
	void leaveOpen(std::uint16_t code);
	void sendClose(std::uint16_t code, std::string_view reason);
	// abort: reset instead of a graceful close, so the kernel discards what
	// the peer never took (a slow consumer's backlog, a dead peer's).
	void closeSocket(bool abort = false);
	// Acts on every timeout and deadline reached at now (onTimer).
	void checkTimeouts(std::int64_t now);
	// The earliest time checkTimeouts() could act: the ping, pong, frame
	// or close timeout, the deadline, or the next tick while the decoder
	// holds inflate state (released at a tick when idle). 0 once closed.
	std::int64_t nextCheckMs() const;
	// Arms the loop's timer for nextCheckMs() if that is earlier than it
	// is armed for: after whatever may bring a check closer. Reads that only
	// push the silence timeout later do not call it; the timer finds them
	// when it fires (checkTimeouts() acts on nothing, onTimer re-arms).
	void checkBy();

	// Now as a Stamp (Stamp.h: 4 bytes, exact over the timeouts' spans),
	// and the milliseconds from a stamp to now.
	Stamp stamp() const;
	std::int64_t since(Stamp stamp) const;

	// Ordered to pack: an idle connection's whole cost is this object
	// (bench/README.md, "Where an idle connection's bytes go").
	EventLoop& _loop;
	std::unique_ptr<Session> _session;
	const std::string* _peerAddress; // the engine's copy (Engine::holdPeer)
	ws::MessageDecoder _decoder;
	Topic* _topic = nullptr;          // kept alive by its subscribers (Topic::add)
	std::unique_ptr<TlsChannel> _tls; // null for plaintext
	std::int64_t _deadlineMs = 0;     // setDeadline(), 0 for none: any time ahead, so 64-bit
	Stamp _lastHeard;                 // last read, or while throttled, last write the peer took
	Stamp _pingSent = 0;              // while _pingOutstanding
	Stamp _stalledSince = 0;          // mid-frame or mid-message since, while _stalled
	Stamp _closingSince = 0;          // while closing
	platform::SocketHandle _fd;
	// One byte for the seven flags.
	bool _closeSent : 1;
	bool _closeAfterFlush : 1; // close the socket once the queue is written
	bool _pollingWrite : 1;
	bool _readPaused : 1;      // throttled: owed too much to be read (throttleReading)
	bool _closeDue : 1;        // finishClose() is scheduled
	bool _pingOutstanding : 1;
	bool _stalled : 1;         // a frame or message is unfinished (_stalledSince)
};

} // namespace webchat::engine

#endif
