//
// TlsStreamSocketImpl.h
//
// An accepted connection of a TLS listener, as POCO's HTTP server sees it:
// blocking reads and writes through OpenSSL, the handshake done on the
// first read (on the HTTP worker thread, bounded by the listener's
// timeout_ms). Unlike POCO's SecureStreamSocketImpl it can hand its SSL
// session and descriptor over (TlsHandoff), so a WebSocket upgrade moves
// the connection to the engine's event loops with nothing sent on close.
//

#ifndef WEBCHAT_TLSSTREAMSOCKETIMPL_INCLUDED
#define WEBCHAT_TLSSTREAMSOCKETIMPL_INCLUDED

#include "webchat/TlsHandoff.h"

#include "Poco/Net/Context.h"
#include "Poco/Net/StreamSocketImpl.h"

namespace webchat {

class TlsStreamSocketImpl final: public Poco::Net::StreamSocketImpl, public TlsHandoff
{
public:
	/// Takes over fd, a connection just accepted; the handshake waits for
	/// the first read or write.
	TlsStreamSocketImpl(poco_socket_t fd, Poco::Net::Context::Ptr context);

	int sendBytes(const void* buffer, int length, int flags = 0) override;
	int receiveBytes(void* buffer, int length, int flags = 0) override;
	// Plaintext scatter/gather would bypass TLS: refused.
	int sendBytes(const Poco::Net::SocketBufVec& buffers, int flags = 0) override;
	int receiveBytes(Poco::Net::SocketBufVec& buffers, int flags = 0) override;
	int receiveBytes(Poco::Buffer<char>& buffer, int flags = 0, const Poco::Timespan& timeout = 100000) override;

	/// Decrypted bytes ready to read without touching the socket.
	int available() override;
	/// Also readable while OpenSSL holds decrypted bytes.
	bool poll(const Poco::Timespan& timeout, int mode) override;
	/// Sends close_notify (after a completed handshake) and closes.
	void close() override;
	bool secure() const override { return true; }

	ssl_st* releaseTls(int& fd) override;

protected:
	~TlsStreamSocketImpl() override;

private:
	void handshake();
	// After rc <= 0 from an SSL call: true to call again (interrupted),
	// false for a clean end of stream (read side); throws otherwise.
	bool retryOrEnd(int rc, const char* operation);

	ssl_st* _ssl;
	Poco::Net::Context::Ptr _context; // owns the SSL_CTX the session refers to
	bool _handshakeDone = false;
	bool _broken = false; // a fatal TLS or socket error: no close_notify
};

} // namespace webchat

#endif
