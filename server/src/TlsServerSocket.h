//
// TlsServerSocket.h
//
// A listener's socket as its HTTPServer sees it when the listener serves
// TLS: accepts on (a duplicate of) the listening socket the Listener holds,
// so a reload can switch between plaintext and TLS, or change certificates,
// on the same socket. Each accepted connection is a TlsStreamSocketImpl.
//

#ifndef WEBCHAT_TLSSERVERSOCKET_INCLUDED
#define WEBCHAT_TLSSERVERSOCKET_INCLUDED

#include "Poco/Net/Context.h"
#include "Poco/Net/ServerSocket.h"

namespace webchat {

class TlsServerSocket: public Poco::Net::ServerSocket
{
public:
	TlsServerSocket(const Poco::Net::ServerSocket& listening, Poco::Net::Context::Ptr context);
};

} // namespace webchat

#endif
