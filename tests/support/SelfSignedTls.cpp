#include "SelfSignedTls.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

namespace webchat::test {

SSL_CTX* selfSignedServerContext()
{
	EVP_PKEY* key = EVP_EC_gen("P-256");
	X509* certificate = X509_new();
	X509_set_version(certificate, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(certificate), 1);
	X509_gmtime_adj(X509_getm_notBefore(certificate), 0);
	X509_gmtime_adj(X509_getm_notAfter(certificate), 3600);
	X509_set_pubkey(certificate, key);
	X509_NAME* name = X509_get_subject_name(certificate);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
	X509_set_issuer_name(certificate, name);
	X509_sign(certificate, key, EVP_sha256());
	SSL_CTX* context = SSL_CTX_new(TLS_server_method());
	SSL_CTX_use_certificate(context, certificate);
	SSL_CTX_use_PrivateKey(context, key);
	X509_free(certificate);
	EVP_PKEY_free(key);
	return context;
}

} // namespace webchat::test
