#include "TestCertificate.h"

#include "Poco/Pipe.h"
#include "Poco/PipeStream.h"
#include "Poco/Process.h"
#include "Poco/StreamCopier.h"

#include <cppunit/TestAssert.h>

namespace webchat::test {

namespace {

void runOpenssl(const Poco::Process::Args& args)
{
	Poco::Pipe output;
	Poco::ProcessHandle process = Poco::Process::launch("openssl", args, nullptr, &output, &output);
	Poco::PipeInputStream in(output);
	std::string text;
	Poco::StreamCopier::copyToString(in, text);
	CPPUNIT_ASSERT_EQUAL_MESSAGE("openssl " + args.front() + " failed: " + text, 0, process.wait());
}

} // namespace

TestCertificate TestCertificate::generate(const std::string& dir, const std::string& name)
{
	TestCertificate certificate{dir + "/" + name + ".pem", dir + "/" + name + ".key"};
	runOpenssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
		"-keyout", certificate.privateKeyFile, "-out", certificate.certificateFile, "-days", "2",
		"-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"});
	return certificate;
}

void TestCertificate::writeEncryptedKey(const std::string& path) const
{
	runOpenssl({"pkey", "-in", privateKeyFile, "-aes256", "-passout", "pass:secret", "-out", path});
}

} // namespace webchat::test
