//
// TlsStreamSocketImpl.h
//
// An admitted connection of a TLS listener, as POCO's HTTP server sees it:
// blocking reads and writes through OpenSSL, the handshake already done by
// the HttpGate. Unlike POCO's SecureStreamSocketImpl it can hand its SSL
// session and descriptor over (TlsHandoff), so a WebSocket upgrade moves
// the connection to the engine's event loops with nothing sent on close;
// between keep-alive requests the session goes back to the gate.
//

#ifndef WEBCHAT_TLSSTREAMSOCKETIMPL_INCLUDED
#define WEBCHAT_TLSSTREAMSOCKETIMPL_INCLUDED

#include "GatedSocket.h"
#include "webchat/TlsHandoff.h"

namespace webchat {

class TlsStreamSocketImpl final: public GatedStreamSocketImpl, public TlsHandoff
{
public:
	/// Takes over the admitted connection and its TLS session.
	TlsStreamSocketImpl(HttpGate::Admitted&& admitted, std::shared_ptr<HttpGate> gate);

	int sendBytes(const void* buffer, int length, int flags = 0) override;
	// Plaintext scatter/gather would bypass TLS: refused.
	int sendBytes(const Poco::Net::SocketBufVec& buffers, int flags = 0) override;
	/// Sends close_notify (unless the session failed) and closes.
	void close() override;
	bool secure() const override { return true; }

	ssl_st* releaseTls(poco_socket_t& fd) override;

protected:
	~TlsStreamSocketImpl() override;

	int readConnection(void* buffer, int length) override;
	int connectionAvailable() override;
	ssl_st* releaseSession() override;

private:
	// After rc <= 0 from an SSL call: true to call again (interrupted),
	// false for a clean end of stream (read side); throws otherwise.
	bool retryOrEnd(int rc, const char* operation);

	ssl_st* _ssl;
	bool _broken = false; // a fatal TLS or socket error: no close_notify
};

} // namespace webchat

#endif
