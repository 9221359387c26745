//
// TlsHandoff.h
//
// What a TLS listener's sockets offer a plugin that takes a connection over
// (a WebSocket upgrade): the connection's OpenSSL session, after the host
// did the handshake and read the HTTP request through it.
//
// On a listener with tls_certificate set, the StreamSocketImpl behind
// HTTPServerRequestImpl::detachSocket() also implements this interface:
//
//   auto* tls = dynamic_cast<webchat::TlsHandoff*>(socket.impl());
//   if (tls) { poco_socket_t fd; SSL* ssl = tls->releaseTls(fd); ... }
//
// (dynamic_cast works across webchatd and a plugin: libstdc++ compares
// type_info by name, so the hidden copies of this class in each match.)
//

#ifndef WEBCHAT_TLSHANDOFF_INCLUDED
#define WEBCHAT_TLSHANDOFF_INCLUDED

#include "Poco/Net/Net.h" // first: SocketDefs.h needs the platform it sets
#include "Poco/Net/SocketDefs.h"

struct ssl_st; // OpenSSL's SSL

namespace webchat {

class TlsHandoff
{
public:
	/// Gives up the connection: returns its SSL (the caller frees it with
	/// SSL_free), whose BIO reads and writes fd, and fd itself (the caller
	/// closes it). The socket is left without a descriptor: closing or
	/// destroying it afterwards sends nothing (no close_notify, no FIN).
	/// Bytes the session buffered past the HTTP request (drainBuffer) are
	/// the caller's to take first; SSL_pending() may hold more.
	/// fd is POCO's socket type: an int descriptor on Linux, a SOCKET on
	/// Windows.
	virtual ssl_st* releaseTls(poco_socket_t& fd) = 0;

protected:
	~TlsHandoff() = default;
};

} // namespace webchat

#endif
