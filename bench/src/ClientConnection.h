//
// ClientConnection.h
//
// One benchmark client: a non-blocking socket through connect, the opening
// handshake, masked frames out, the engine's MessageDecoder (client role)
// in, and the closing handshake. With an endpoint that has a TLS context
// (--tls), a TLS handshake comes first and every byte goes through
// SSL_read/SSL_write on the same non-blocking socket; without one the
// plaintext path is the only one taken (recv/send, as before TLS existed). Driven by the LoadLoop; tells its
// ConnectionObserver about opening, each message and the end.
//

#ifndef WEBCHAT_BENCH_CLIENTCONNECTION_INCLUDED
#define WEBCHAT_BENCH_CLIENTCONNECTION_INCLUDED

#include "Endpoint.h"
#include "LoadLoop.h"
#include "UpgradeHandshake.h"

#include "webchat/engine/MessageDecoder.h"
#include "webchat/engine/Protocol.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

typedef struct ssl_st SSL;

namespace webchat::bench {

class TlsClientContext;

class ClientConnection;

class ConnectionObserver
{
public:
	/// The 101 response checked out; messages may follow at once.
	virtual void onOpen(ClientConnection&) {}
	/// The connection counts as connected: at once after onOpen, or, when
	/// it awaits a greeting, once markGreeted() is called.
	virtual void onReady(ClientConnection&) {}
	/// A whole text or binary message.
	virtual void onMessage(ClientConnection& connection, ws::Opcode opcode, std::string_view payload) = 0;
	/// The connection is gone (see ending()); called once, never for abort().
	virtual void onEnd(ClientConnection&) {}

protected:
	~ConnectionObserver() = default;
};

class ClientConnection final: public IoHandler, private ws::MessageDecoder::Handler
{
public:
	enum class State { New, Connecting, Handshaking, Open, Closing, Closed };

	/// How a Closed connection ended.
	enum class Ending
	{
		None,
		CloseFrame,      // a close frame from the server, then end of stream
		Eof,             // end of stream without a close frame
		Reset,           // ECONNRESET, EPIPE or another socket error
		ConnectFailed,   // socket() or connect() failed
		HandshakeFailed, // not a valid 101 response
		ProtocolError,   // the server's frames broke RFC 6455
		Rejected,        // what the server said made no sense to the benchmark (fail())
		TlsFailed,       // the TLS handshake failed, or a TLS error later (not a reset)
		Aborted          // we dropped it (abort())
	};

	ClientConnection(LoadLoop& loop, ConnectionObserver& observer, std::size_t index);
	~ClientConnection();

	ClientConnection(const ClientConnection&) = delete;
	ClientConnection& operator=(const ClientConnection&) = delete;

	/// A small receive buffer (set before connect) makes the server's queue
	/// for this client fill quickly when it does not read.
	void setReceiveBuffer(int bytes) { _receiveBuffer = bytes; }

	/// The request target of the handshake instead of the endpoint's path
	/// (set before connect): each chat-room client has its own nick.
	void setRequestTarget(std::string target) { _requestTarget = std::move(target); }

	/// The application protocol speaks first (the chat room's welcome): the
	/// connection is not ready, nor settled, until markGreeted(). Set before
	/// connect.
	void awaitGreeting() { _awaitGreeting = true; }
	void markGreeted();

	/// Starts a non-blocking connect and, once connected, the handshake.
	/// maxMessageBytes bounds what the decoder reassembles.
	/// source: the local address to connect from (Connector's --addresses);
	/// null: the kernel's choice.
	void connect(const Endpoint& endpoint, std::size_t maxMessageBytes, const sockaddr_in* source = nullptr);

	/// Appends one masked frame to the output; flush() sends it.
	void queueMessage(ws::Opcode opcode, std::string_view payload);

	/// Writes what the socket takes now; the rest goes when it is writable.
	void flush();

	/// Bytes queued and not yet accepted by the socket (over TLS: by SSL_write).
	std::size_t pendingOutput() const { return _out.size() - _outOffset; }

	/// Stop or resume reading the socket (the slow-consumer's non-reader).
	void pauseReading();
	void resumeReading();

	/// Starts the closing handshake (or drops a connection not open yet).
	void close(std::uint16_t code = ws::CloseCode::Normal);

	/// Drops the socket now, without telling the observer.
	void abort();

	/// Gives up on a connection whose messages make no sense: a close frame
	/// if it is open, then it ends as Rejected with detail (observer told).
	void fail(std::string detail);

	State state() const { return _state; }
	bool isOpen() const { return _state == State::Open; }
	bool isClosed() const { return _state == State::Closed; }
	/// The handshake completed at some point (it may have closed since).
	bool wasOpened() const { return _wasOpened; }
	/// Opened, and greeted when it awaits a greeting: connected as far as
	/// the scenarios are concerned (it may have closed since).
	bool wasReady() const { return _wasReady; }
	/// Ready, or no longer able to become ready: neither connecting,
	/// handshaking nor awaiting its greeting.
	bool isSettled() const
	{
		return _state == State::Closing || _state == State::Closed || (_state == State::Open && _wasReady);
	}
	Ending ending() const { return _ending; }
	static const char* endingName(Ending ending);

	/// The code of the server's close frame (0: none received).
	std::uint16_t closeCode() const { return _closeCode; }
	/// The server sent its close frame first (not as a reply to ours).
	bool closedByServer() const { return _closedByServer; }
	/// When the server's close frame was read, and when the connection
	/// ended (steady ns; 0: not yet).
	std::uint64_t closeReceivedAtNs() const { return _closeReceivedAtNs; }
	std::uint64_t endedAtNs() const { return _endedAtNs; }
	/// The socket reported a reset or hang-up while reading was paused.
	bool hungUpWhilePaused() const { return _hungUpWhilePaused; }
	/// Over TLS: the server ended the stream with close_notify.
	bool tlsCloseNotify() const { return _tlsCloseNotify; }
	bool usesTls() const { return _tls != nullptr; }
	/// Why it failed (connect, handshake, protocol or socket error).
	const std::string& detail() const { return _detail; }

	std::size_t index() const { return _index; }
	/// When the bytes being decoded were read (steady ns): one clock read
	/// per recv(), not per message.
	std::uint64_t receivedAtNs() const { return _receivedAtNs; }
	std::uint64_t messagesReceived() const { return _messages; }
	/// Pings the server sent, each answered with a pong at once.
	std::uint32_t pingsAnswered() const { return _pingsAnswered; }

	void onEvents(std::uint32_t events) override;

private:
	void onMessage(ws::Opcode opcode, std::string_view payload) override;
	void onPing(std::string_view payload) override;
	void onPong(std::string_view payload) override;
	void onClose(std::uint16_t code, std::string_view reason) override;

	void onConnected();
	void startUpgrade();
	void readSome();
	// The TLS path (only with _ssl): handshake, reads and writes.
	void continueTlsHandshake();
	void onTlsEvents(std::uint32_t events);
	void tlsReadSome();
	void tlsFlush();
	void deliverRead(char* data, std::size_t size);
	void endOfStream();
	void becomeReady();
	void onHandshakeBytes(const char* data, std::size_t size);
	void feed(char* data, std::size_t size);
	void queueControl(ws::Opcode opcode, std::string_view payload);
	/// After a write: drops what the socket took, then waits for what it needs.
	void afterWrite();
	void updateInterest();
	void finish(Ending ending, std::string detail);
	std::uint32_t nextMaskKey();

	LoadLoop& _loop;
	ConnectionObserver& _observer;
	std::size_t _index;
	int _fd = -1;
	TlsClientContext* _tls = nullptr; // set by connect() for wss
	SSL* _ssl = nullptr;              // once TCP is connected (wss only)
	bool _tlsHandshaking = false;
	std::uint32_t _tlsHandshakeWants = 0; // EPOLLIN or EPOLLOUT
	bool _writeWantsRead = false;         // SSL_write: WANT_READ
	bool _readWantsWrite = false;         // SSL_read: WANT_WRITE
	bool _tlsCloseNotify = false;
	int _receiveBuffer = 0;
	std::string _requestTarget; // empty: the endpoint's path
	bool _awaitGreeting = false;
	State _state = State::New;
	Ending _ending = Ending::None;
	std::string _detail;

	std::unique_ptr<UpgradeHandshake> _handshake; // until open
	std::string _head;                            // response head being received
	std::unique_ptr<ws::MessageDecoder> _decoder; // once open

	std::string _out;
	std::size_t _outOffset = 0;
	std::uint32_t _interest = 0;
	bool _registered = false;
	bool _paused = false;
	bool _hungUpWhilePaused = false;

	bool _wasOpened = false;
	bool _wasReady = false;
	bool _closeReceived = false;
	bool _closedByServer = false;
	std::uint16_t _closeCode = 0;
	std::uint64_t _closeReceivedAtNs = 0;
	std::uint64_t _endedAtNs = 0;

	std::uint64_t _receivedAtNs = 0;
	std::uint64_t _messages = 0;
	std::uint32_t _pingsAnswered = 0;
	std::uint64_t _maskState;
};

} // namespace webchat::bench

#endif
