//
// TlsSession.h
//
// A connection's OpenSSL session, as a TLS listener hands it over with the
// socket (webchat/TlsHandoff.h). Plaintext connections have none.
//

#ifndef WEBCHAT_ENGINE_TLSSESSION_INCLUDED
#define WEBCHAT_ENGINE_TLSSESSION_INCLUDED

#include <memory>

struct ssl_st;

namespace webchat::engine {

struct TlsSessionFree
{
	void operator()(ssl_st* ssl) const noexcept;
};

using TlsSession = std::unique_ptr<ssl_st, TlsSessionFree>;

} // namespace webchat::engine

#endif
