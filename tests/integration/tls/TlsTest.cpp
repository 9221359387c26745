//
// TLS listeners, run for real: the page over https and the relay over wss
// with a certificate made at test time, what a TLS port does with plaintext
// and stalled clients, that TLS clients cost no thread each, stop and
// reload, and every bad TLS setting (exit 78, one line naming the key).
//

#include "ServerProcess.h"
#include "SingleListenerServer.h"
#include "TestCertificate.h"
#include "TestPaths.h"
#include "TextFiles.h"
#include "WireClient.h"
#include "WsTestClient.h"

#include "Poco/DirectoryIterator.h"
#include "Poco/Net/Context.h"
#include "webchat/engine/Protocol.h"

#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/Net/HTTPSClientSession.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/RejectCertificateHandler.h"
#include "Poco/Net/SSLException.h"
#include "Poco/Net/SSLManager.h"
#include "Poco/Net/SecureStreamSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/StreamCopier.h"
#include "Poco/String.h"
#include "Poco/Timestamp.h"

#include <cppunit/extensions/HelperMacros.h>

#include <csignal>
#include <memory>
#include <vector>

using namespace webchat::test;
using webchat::ws::Opcode;

namespace {

const int EXIT_CONFIG = 78;

std::string tlsKeys(const std::string& certificate, const std::string& key)
{
	return "tls_certificate = " + certificate + "\ntls_private_key = " + key + "\n";
}

std::string tlsKeys(const TestCertificate& certificate)
{
	return tlsKeys(certificate.certificateFile, certificate.privateKeyFile);
}

// A client context that trusts exactly one certificate; a server presenting
// any other fails the handshake.
Poco::Net::Context::Ptr trusting(const TestCertificate& certificate)
{
	Poco::Net::Context::Params params;
	params.caLocation = certificate.certificateFile;
	params.verificationMode = Poco::Net::Context::VERIFY_RELAXED;
	params.loadDefaultCAs = false;
	params.cipherList = "DEFAULT";
	return new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, params);
}

// Handshake done and the certificate checked against "localhost".
Poco::Net::SecureStreamSocket connectTls(Poco::UInt16 port, const Poco::Net::Context::Ptr& context)
{
	Poco::Net::SecureStreamSocket socket(context);
	socket.setPeerHostName("localhost");
	socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
	return socket;
}

struct HttpsReply
{
	int status = 0;
	std::string body;
};

HttpsReply httpsGet(Poco::Net::HTTPSClientSession& session, Poco::UInt16 port, const std::string& uri)
{
	Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri, Poco::Net::HTTPMessage::HTTP_1_1);
	request.setHost("localhost", port);
	request.setKeepAlive(true);
	session.sendRequest(request);
	Poco::Net::HTTPResponse response;
	HttpsReply reply;
	Poco::StreamCopier::copyToString(session.receiveResponse(response), reply.body);
	reply.status = response.getStatus();
	return reply;
}

// Threads of a process, from /proc.
int threadCount(pid_t pid)
{
	int count = 0;
	for (Poco::DirectoryIterator it("/proc/" + std::to_string(pid) + "/task"), end; it != end; ++it) ++count;
	return count;
}

// Reads until the server closes; what it sent (a TLS port answering
// plaintext must not send an HTTP response).
std::string readUntilClosed(Poco::Net::StreamSocket& socket, int timeoutSeconds)
{
	socket.setReceiveTimeout(Poco::Timespan(timeoutSeconds, 0));
	std::string received;
	char buffer[4096];
	try
	{
		for (;;)
		{
			const int n = socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0) break;
			received.append(buffer, static_cast<std::size_t>(n));
		}
	}
	catch (const Poco::Net::ConnectionResetException&)
	{
	}
	return received;
}

void expectRelayed(WsTestClient& from, WsTestClient& to, const std::string& text)
{
	from.sendText(text);
	CPPUNIT_ASSERT_EQUAL(text, to.receiveMessage());
	CPPUNIT_ASSERT_EQUAL(text, from.receiveMessage()); // the relay echoes to the sender too
}

void expectEcho(WsTestClient& alone, const std::string& text)
{
	alone.sendText(text);
	CPPUNIT_ASSERT_EQUAL(text, alone.receiveMessage());
}

} // namespace

class TlsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TlsTest);
	CPPUNIT_TEST(testPageOverHttps);
	CPPUNIT_TEST(testRelayOverWssBothWays);
	CPPUNIT_TEST(testLargeMessagesAcrossTlsRecords);
	CPPUNIT_TEST(testFramesSentWithTheUpgradeAreKept);
	CPPUNIT_TEST(testSlowTlsReaderGetsEverythingInOrder);
	CPPUNIT_TEST(testTlsSlowConsumerClosed);
	CPPUNIT_TEST(testManyTlsClientsCostNoThreadEach);
	CPPUNIT_TEST(testPlaintextClientIsRefused);
	CPPUNIT_TEST(testStalledHandshakeDoesNotBlockOthers);
	CPPUNIT_TEST(testSigtermClosesTlsClientsWith1001);
	CPPUNIT_TEST(testReloadWithBrokenCertificateKeepsListener);
	CPPUNIT_TEST(testReloadServesNewCertificate);
	CPPUNIT_TEST(testReloadServesCertificateRenewedInPlace);
	CPPUNIT_TEST(testMissingCertificateFile);
	CPPUNIT_TEST(testCertificateWithoutKey);
	CPPUNIT_TEST(testCertificateNotPem);
	CPPUNIT_TEST(testKeyNotPem);
	CPPUNIT_TEST(testKeyOfAnotherCertificate);
	CPPUNIT_TEST(testEncryptedKeyRefusedWithoutPrompt);
	CPPUNIT_TEST(testUnknownMinimumProtocol);
	CPPUNIT_TEST(testUnknownCiphers);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		static const bool sslReady = [] {
			Poco::Net::initializeSSL();
			// A certificate the client does not trust fails the handshake
			// (POCO would otherwise ask the application's configuration).
			Poco::Net::SSLManager::instance().initializeClient(nullptr, new Poco::Net::RejectCertificateHandler(false),
				new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, Poco::Net::Context::Params()));
			return true;
		}();
		(void) sslReady;
		dir = makeTempDir();
		certificate = TestCertificate::generate(dir, "chat");
		client = trusting(certificate);
	}

	void testPageOverHttps()
	{
		// Relative paths: beside the configuration file, wherever webchatd runs.
		const Poco::UInt16 port = freeLoopbackPort();
		const std::string config = dir + "/page.ini";
		writeTextFile(config, "[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.page]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\n"
			"plugin = page\nclass = PagePlugin\nroot = " + htdocsDir() + "\n" + tlsKeys("chat.pem", "chat.key"));
		ServerProcess server({"--config=" + config}, "/");
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));

		// The certificate names 127.0.0.1 too (POCO 1.11 cannot take a
		// connected socket here).
		Poco::Net::HTTPSClientSession session("127.0.0.1", port, client);
		const HttpsReply page = httpsGet(session, port, "/");
		CPPUNIT_ASSERT_EQUAL(200, page.status);
		CPPUNIT_ASSERT_EQUAL(readTextFile(htdocsDir() + "/index.html"), page.body);
		// Keep-alive on the same TLS connection.
		const HttpsReply style = httpsGet(session, port, "/chat.css");
		CPPUNIT_ASSERT_EQUAL(200, style.status);
		CPPUNIT_ASSERT_EQUAL(readTextFile(htdocsDir() + "/chat.css"), style.body);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testRelayOverWssBothWays()
	{
		SingleListenerServer server = tlsRelay();
		WsTestClient a(connectTls(server.port, client));
		WsTestClient b(connectTls(server.port, client));
		expectRelayed(a, b, "from a");
		expectRelayed(b, a, "from b, with ünïcödé");
		// Close handshake, then the server ends TLS with close_notify: a
		// clean end of stream for the client, not a reset or a TLS error.
		a.sendClose(1000);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(1000), a.waitForClose());
		CPPUNIT_ASSERT(a.waitForEndOfStream());
		expectEcho(b, "b alone");
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testLargeMessagesAcrossTlsRecords()
	{
		// TLS records carry at most 16 KiB: these span many, both ways.
		SingleListenerServer server = tlsRelay("max_message_bytes = 1048576\n");
		WsTestClient a(connectTls(server.port, client));
		WsTestClient b(connectTls(server.port, client));
		std::string binary(300 * 1024, '\0');
		for (std::size_t i = 0; i < binary.size(); ++i) binary[i] = static_cast<char>((i * 131) >> 3);
		a.send(Opcode::Binary, binary);
		CPPUNIT_ASSERT(binary == b.receiveMessage());
		CPPUNIT_ASSERT(binary == a.receiveMessage());
		const std::string text(200 * 1024 + 7, 'x');
		b.sendText(text);
		CPPUNIT_ASSERT(text == a.receiveMessage());
		CPPUNIT_ASSERT(text == b.receiveMessage());
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testSlowTlsReaderGetsEverythingInOrder()
	{
		// A small kernel buffer: the reader's socket fills up at once and
		// the rest waits in the engine (its queue, then OpenSSL's backlog).
		SingleListenerServer server = tlsRelay("send_buffer_bytes = 4096\nmax_queued_bytes = 8388608\n");
		WsTestClient sender(connectTls(server.port, client));
		WsTestClient reader(connectTls(server.port, client));
		const int messages = 300;
		auto message = [](int i) { return std::to_string(i) + ":" + std::string(8000, static_cast<char>('a' + i % 26)); };
		for (int i = 0; i < messages; ++i) sender.sendText(message(i));
		// The sender has its own copies back: the server has queued them all
		// for the reader, which has not read a byte yet.
		for (int i = 0; i < messages; ++i) CPPUNIT_ASSERT(message(i) == sender.receiveMessage());
		for (int i = 0; i < messages; ++i) CPPUNIT_ASSERT(message(i) == reader.receiveMessage());
		expectRelayed(reader, sender, "caught up");
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testTlsSlowConsumerClosed()
	{
		SingleListenerServer server = tlsRelay("send_buffer_bytes = 4096\nmax_queued_bytes = 65536\n");
		WsTestClient sender(connectTls(server.port, client));
		WsTestClient stalled(connectTls(server.port, client));
		const std::string text(8000, 's');
		for (int i = 0; i < 100; ++i)
		{
			sender.sendText(text);
			CPPUNIT_ASSERT(text == sender.receiveMessage());
		}
		// Closed with 1008 behind what it was already owed.
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(1008), stalled.waitForClose());
		expectEcho(sender, "the sender goes on");
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testFramesSentWithTheUpgradeAreKept()
	{
		// Frames in the same TLS record as the upgrade request: the gate
		// takes only the head (its buffer, max_head_bytes, is smaller than
		// the frames), the rest of a large frame is still inside OpenSSL
		// when the engine takes over. None may be lost.
		SingleListenerServer server = tlsRelay("max_head_bytes = 1024\n");
		const std::string small = "right behind the request";
		const std::string large(10000, 'L');
		std::string bytes = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
		webchat::ws::appendMaskedFrame(bytes, Opcode::Text, small, 0x12345678);
		webchat::ws::appendMaskedFrame(bytes, Opcode::Text, large, 0x9abcdef0);
		CPPUNIT_ASSERT(bytes.size() < 16384); // one TLS record
		WireClient early(server.port, "127.0.0.1", WireClient::Tls::Handshake);
		CPPUNIT_ASSERT(early.send(bytes));
		CPPUNIT_ASSERT_EQUAL(101, early.readResponse().status);
		// The relay echoes to the sender.
		CPPUNIT_ASSERT_EQUAL(small, early.readServerText());
		CPPUNIT_ASSERT(large == early.readServerText());
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testManyTlsClientsCostNoThreadEach()
	{
		const int clients = 200;
		const int httpThreads = 4;
		SingleListenerServer server = tlsRelay("threads = " + std::to_string(httpThreads) + "\nio_threads = 2\n");
		// The port takes connections from bind(); its threads exist once
		// webchatd says it started.
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), server.process->waitForOutput(" started (pid"));
		const int before = threadCount(server.process->pid());
		std::vector<std::unique_ptr<WsTestClient>> connected;
		for (int i = 0; i < clients; ++i) connected.push_back(std::make_unique<WsTestClient>(connectTls(server.port, client)));
		const int during = threadCount(server.process->pid());
		// At most the listener's HTTP pool grows (it started with one).
		CPPUNIT_ASSERT_MESSAGE("threads before " + std::to_string(before) + ", with " + std::to_string(clients) +
			" TLS clients " + std::to_string(during), during <= before + httpThreads - 1);
		connected.front()->sendText("to everyone");
		for (auto& each : connected) CPPUNIT_ASSERT_EQUAL(std::string("to everyone"), each->receiveMessage());
		connected.back()->sendText("and back");
		for (auto& each : connected) CPPUNIT_ASSERT_EQUAL(std::string("and back"), each->receiveMessage());
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testPlaintextClientIsRefused()
	{
		SingleListenerServer server = tlsRelay();
		Poco::Net::StreamSocket plain(Poco::Net::SocketAddress("127.0.0.1", server.port));
		const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
		plain.sendBytes(request.data(), static_cast<int>(request.size()));
		const std::string answer = readUntilClosed(plain, 5);
		CPPUNIT_ASSERT_MESSAGE("a TLS port answered plaintext: " + answer, !contains(answer, "HTTP/1."));
		// Still serving TLS.
		CPPUNIT_ASSERT(server.process->running());
		WsTestClient a(connectTls(server.port, client));
		WsTestClient b(connectTls(server.port, client));
		expectRelayed(a, b, "after a plaintext client");
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testStalledHandshakeDoesNotBlockOthers()
	{
		SingleListenerServer server = tlsRelay("timeout_ms = 2000\n");
		// Half a ClientHello: a record header announcing 512 bytes, then 3.
		std::vector<std::unique_ptr<Poco::Net::StreamSocket>> stalled;
		for (int i = 0; i < 3; ++i)
		{
			stalled.push_back(std::make_unique<Poco::Net::StreamSocket>(Poco::Net::SocketAddress("127.0.0.1", server.port)));
			const char partial[] = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01};
			stalled.back()->sendBytes(partial, sizeof(partial));
		}
		WsTestClient a(connectTls(server.port, client));
		WsTestClient b(connectTls(server.port, client));
		expectRelayed(a, b, "while others stall");
		for (auto& socket : stalled)
			CPPUNIT_ASSERT_MESSAGE("a stalled handshake was dropped too early", !socket->poll(Poco::Timespan(0), Poco::Net::Socket::SELECT_READ));
		// The listener's timeout_ms bounds a stalled handshake.
		for (auto& socket : stalled) CPPUNIT_ASSERT_EQUAL(std::string(), readUntilClosed(*socket, 10));
		expectRelayed(b, a, "after they were dropped");
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testSigtermClosesTlsClientsWith1001()
	{
		SingleListenerServer server("relay", "RelayPlugin", tlsKeys(certificate)); // the default drain_timeout_ms
		std::vector<std::unique_ptr<WsTestClient>> clients;
		for (int i = 0; i < 3; ++i) clients.push_back(std::make_unique<WsTestClient>(connectTls(server.port, client)));
		expectRelayed(*clients[0], *clients[1], "before the stop");
		clients[2]->receiveMessage();
		Poco::Timestamp start;
		::kill(server.process->pid(), SIGTERM);
		for (auto& each : clients)
		{
			CPPUNIT_ASSERT_EQUAL(std::uint16_t(1001), each->waitForClose());
			each->sendClose(1001);
		}
		CPPUNIT_ASSERT_EQUAL(0, server.process->waitForExit(Poco::Timespan(10, 0)));
		// Clients that answer let it go well before drain_timeout_ms (3 s).
		CPPUNIT_ASSERT_MESSAGE(std::to_string(start.elapsed() / 1000) + " ms", !start.isElapsed(2500000));
	}

	void testReloadWithBrokenCertificateKeepsListener()
	{
		SingleListenerServer server = tlsRelay();
		WsTestClient before(connectTls(server.port, client));
		const std::string good = readTextFile(server.config);
		writeTextFile(server.config, Poco::replace(good, certificate.certificateFile, dir + "/missing.pem"));
		CPPUNIT_ASSERT(sighupAndWait(*server.process));
		const std::string output = server.process->output();
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listener chat: not reloaded, it stays as it ran"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listeners.chat.tls_certificate = " + dir + "/missing.pem: no such file"));
		// The listener as it ran: its clients and new ones, same certificate.
		WsTestClient after(connectTls(server.port, client));
		expectRelayed(before, after, "still serving");
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testReloadServesNewCertificate()
	{
		SingleListenerServer server = tlsRelay();
		WsTestClient before(connectTls(server.port, client));
		const TestCertificate renewed = TestCertificate::generate(dir, "renewed");
		writeTextFile(server.config, Poco::replace(Poco::replace(readTextFile(server.config), certificate.privateKeyFile, renewed.privateKeyFile),
			certificate.certificateFile, renewed.certificateFile));
		CPPUNIT_ASSERT(sighupAndWait(*server.process));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(server.process->output(), "listener chat: relay/RelayPlugin replaced"));
		// New connections get the new certificate...
		WsTestClient renewedClient(connectTls(server.port, trusting(renewed)));
		expectEcho(renewedClient, "new certificate");
		CPPUNIT_ASSERT_THROW(connectTls(server.port, client), Poco::Net::SSLException);
		// ...while a connection taken before stays with the old instance.
		expectEcho(before, "old connection");
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testReloadServesCertificateRenewedInPlace()
	{
		// As certbot does: same paths, new contents, then SIGHUP.
		SingleListenerServer server = tlsRelay();
		const TestCertificate renewed = TestCertificate::generate(makeTempDir(), "chat");
		writeTextFile(certificate.certificateFile, readTextFile(renewed.certificateFile));
		writeTextFile(certificate.privateKeyFile, readTextFile(renewed.privateKeyFile));
		CPPUNIT_ASSERT(sighupAndWait(*server.process));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(server.process->output(), "listener chat: relay/RelayPlugin replaced"));
		WsTestClient renewedClient(connectTls(server.port, trusting(renewed)));
		expectEcho(renewedClient, "renewed in place");
		// Unchanged files: the next SIGHUP keeps the listener.
		CPPUNIT_ASSERT(sighupAndWait(*server.process, 2));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(server.process->output(), "1 unchanged"));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testMissingCertificateFile()
	{
		expectConfigError(tlsKeys(dir + "/nowhere.pem", certificate.privateKeyFile),
			{"listeners.chat.tls_certificate = " + dir + "/nowhere.pem: no such file"});
	}

	void testCertificateWithoutKey()
	{
		expectConfigError("tls_certificate = " + certificate.certificateFile + "\n", {"listeners.chat.tls_private_key"});
	}

	void testCertificateNotPem()
	{
		writeTextFile(dir + "/garbage.pem", "not a certificate\n");
		expectConfigError(tlsKeys(dir + "/garbage.pem", certificate.privateKeyFile),
			{"listeners.chat.tls_certificate = " + dir + "/garbage.pem: not a PEM certificate"});
	}

	void testKeyNotPem()
	{
		writeTextFile(dir + "/garbage.key", "not a key\n");
		expectConfigError(tlsKeys(certificate.certificateFile, dir + "/garbage.key"),
			{"listeners.chat.tls_private_key = " + dir + "/garbage.key: not an unencrypted PEM private key"});
	}

	void testKeyOfAnotherCertificate()
	{
		const TestCertificate other = TestCertificate::generate(dir, "other");
		expectConfigError(tlsKeys(certificate.certificateFile, other.privateKeyFile),
			{"listeners.chat.tls_private_key = " + other.privateKeyFile + ": does not match the certificate in listeners.chat.tls_certificate"});
	}

	void testEncryptedKeyRefusedWithoutPrompt()
	{
		// stdin is the test's: a passphrase prompt would hang until the timeout.
		certificate.writeEncryptedKey(dir + "/encrypted.key");
		expectConfigError(tlsKeys(certificate.certificateFile, dir + "/encrypted.key"),
			{"listeners.chat.tls_private_key = " + dir + "/encrypted.key: not an unencrypted PEM private key"});
	}

	void testUnknownMinimumProtocol()
	{
		expectConfigError(tlsKeys(certificate) + "tls_min_protocol = sslv3\n",
			{"listeners.chat.tls_min_protocol = sslv3: expected tlsv1.2 or tlsv1.3"});
	}

	void testUnknownCiphers()
	{
		expectConfigError(tlsKeys(certificate) + "tls_ciphers = NO-SUCH-CIPHER\n",
			{"listeners.chat.tls_ciphers = NO-SUCH-CIPHER: no cipher OpenSSL knows"});
	}

private:
	// The relay over TLS with this test's certificate. Stopping it does not
	// wait for clients the test left connected.
	SingleListenerServer tlsRelay(const std::string& extraKeys = "")
	{
		return SingleListenerServer("relay", "RelayPlugin", tlsKeys(certificate) + "drain_timeout_ms = 100\n" + extraKeys);
	}

	// Exit 78 within 5 seconds, one fatal line with each part.
	void expectConfigError(const std::string& tlsSection, const std::vector<std::string>& parts)
	{
		const std::string ini = "[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(freeLoopbackPort()) + "\n"
			"plugin = relay\nclass = RelayPlugin\n" + tlsSection;
		ServerProcess server({"--config=" + writeTempFile(ini)});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), EXIT_CONFIG, server.waitForExit(Poco::Timespan(5, 0)));
		const std::string output = server.output();
		for (const auto& part : parts)
			CPPUNIT_ASSERT_MESSAGE("expected \"" + part + "\" in: " + output, contains(output, part));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "[Fatal]"));
	}

	// Sends SIGHUP and waits for the reload's summary line (the count-th).
	static bool sighupAndWait(ServerProcess& server, std::size_t count = 1)
	{
		::kill(server.pid(), SIGHUP);
		return server.waitForOutput("configuration reloaded:", count);
	}

	std::string dir;
	TestCertificate certificate;
	Poco::Net::Context::Ptr client;
};

CPPUNIT_TEST_SUITE_REGISTRATION(TlsTest);
