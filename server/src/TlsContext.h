//
// TlsContext.h
//
// A TLS listener's POCO Context (server use), built from its tls_* keys.
//

#ifndef WEBCHAT_TLSCONTEXT_INCLUDED
#define WEBCHAT_TLSCONTEXT_INCLUDED

#include "ListenerSettings.h"

#include "Poco/Net/Context.h"

namespace webchat {

/// Loads the certificate chain and private key, checks that they belong
/// together and sets the cipher list and minimum protocol. Throws
/// Poco::Exception naming the listener's key at fault (a missing or
/// unreadable file, not PEM, a key for another certificate, an encrypted
/// key, no usable cipher).
Poco::Net::Context::Ptr createTlsContext(const ListenerSettings& settings);

} // namespace webchat

#endif
