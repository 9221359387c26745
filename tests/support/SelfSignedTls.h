//
// SelfSignedTls.h
//
// An OpenSSL server context with a self-signed P-256 certificate for
// CN=localhost, valid for an hour, made in memory: for tests that run both
// ends of a TLS connection in the test process (no files, no openssl
// command). Tests against a real webchatd use certificate files instead
// (tests/integration/tls/TestCertificate.h).
//

#ifndef WEBCHAT_TEST_SELFSIGNEDTLS_INCLUDED
#define WEBCHAT_TEST_SELFSIGNEDTLS_INCLUDED

#include <openssl/ssl.h>

namespace webchat::test {

/// A new server context (free it with SSL_CTX_free).
SSL_CTX* selfSignedServerContext();

} // namespace webchat::test

#endif
