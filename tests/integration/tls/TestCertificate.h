//
// TestCertificate.h
//
// A self-signed certificate and its key, made at test time with the
// openssl command (nothing secret is ever committed).
//

#ifndef WEBCHAT_TESTCERTIFICATE_INCLUDED
#define WEBCHAT_TESTCERTIFICATE_INCLUDED

#include <string>

namespace webchat::test {

struct TestCertificate
{
	std::string certificateFile; // PEM, CN=localhost, subjectAltName localhost and 127.0.0.1
	std::string privateKeyFile;  // PEM, unencrypted P-256 key

	/// Generates name.pem and name.key in dir; fails the test if openssl does.
	static TestCertificate generate(const std::string& dir, const std::string& name);

	/// Writes this key encrypted with a passphrase to path.
	void writeEncryptedKey(const std::string& path) const;
};

} // namespace webchat::test

#endif
