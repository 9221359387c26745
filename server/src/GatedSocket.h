//
// GatedSocket.h
//
// The sockets POCO's HTTPServer works with behind an HttpGate.
//
// GateServerSocket: what the HTTPServer's acceptor polls and accepts from.
// Its descriptor is the gate's "admitted" wake-up (readable while
// connections with a complete request head wait), and acceptConnection()
// takes the next of them.
//
// GatedStreamSocketImpl: one admitted plaintext connection, blocking as POCO
// expects. It returns the request head the gate read first, then reads at
// most the request's body from the socket, so POCO never takes bytes of a
// pipelined next request. When POCO then polls for the next keep-alive
// request, the connection goes back to the gate and poll() answers "no
// more", so no thread waits for a client between requests.
// TlsStreamSocketImpl (beside it) is the same for TLS.
//

#ifndef WEBCHAT_GATEDSOCKET_INCLUDED
#define WEBCHAT_GATEDSOCKET_INCLUDED

#include "HttpGate.h"

#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/StreamSocketImpl.h"

#include <memory>
#include <optional>
#include <string>

namespace webchat {

class GateServerSocket: public Poco::Net::ServerSocket
{
public:
	/// readyFd is the gate's (duplicated here, so POCO closes its own).
	GateServerSocket(std::shared_ptr<HttpGate> gate, platform::SocketHandle readyFd);
};

class GatedStreamSocketImpl: public Poco::Net::StreamSocketImpl
{
public:
	GatedStreamSocketImpl(HttpGate::Admitted&& admitted, std::shared_ptr<HttpGate> gate);

	int receiveBytes(void* buffer, int length, int flags = 0) override;
	// POCO's HTTP server reads through the call above only.
	int receiveBytes(Poco::Net::SocketBufVec& buffers, int flags = 0) override;
	int receiveBytes(Poco::Buffer<char>& buffer, int flags = 0, const Poco::Timespan& timeout = 100000) override;
	int available() override;
	/// The last request keep_alive_requests allows on this connection.
	bool lastRequest() const { return _lastRequest; }

	/// The client: behind a trusted proxy, the one it names.
	Poco::Net::SocketAddress peerAddress() override;
	/// For reading: true while the head is not all read; with the request
	/// read, the connection goes back to the gate and the answer is false.
	bool poll(const Poco::Timespan& timeout, int mode) override;
	/// With a body left unread, the gate closes the connection once it has
	/// read the rest (closing now would reset it, and the client could lose
	/// the response); otherwise now.
	void close() override;

protected:
	~GatedStreamSocketImpl() override;

	/// Reads from the connection itself (the socket, or TLS).
	virtual int readConnection(void* buffer, int length);
	/// What the connection holds decrypted or otherwise read ahead.
	virtual int connectionAvailable();
	/// Gives up the TLS session for the gate (null for plaintext).
	virtual ssl_st* releaseSession() { return nullptr; }

private:
	std::shared_ptr<HttpGate> _gate;
	std::string _head;
	std::size_t _headRead = 0;
	std::uint64_t _bodyLeft;
	int _requests;
	bool _lastRequest;
	std::optional<Poco::Net::IPAddress> _client;
};

} // namespace webchat

#endif
