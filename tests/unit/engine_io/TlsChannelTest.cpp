//
// TlsChannel (engine internals) against an OpenSSL client in the same
// process, over a non-blocking socket pair: reads, writes that outgrow the
// socket and wait in the backlog, close_notify both ways, a vanished peer.
// The certificate is made in memory for each test.
//

#include "SelfSignedTls.h"
#include "TlsChannel.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <cppunit/extensions/HelperMacros.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using webchat::engine::TlsChannel;
using webchat::engine::TlsSession;

namespace {

// A self-signed P-256 certificate, the server's and client's contexts,
// both ends of a connected socket pair and the handshake done.
class TlsPair
{
public:
	/// maxVersion: the highest protocol the client offers (0: any).
	explicit TlsPair(int maxVersion = 0)
	{
		_serverContext = webchat::test::selfSignedServerContext();
#ifdef SSL_OP_ALLOW_CLIENT_RENEGOTIATION
		// OpenSSL 3 refuses a client's renegotiation by default; allowing it
		// here leaves the refusal to the channel itself.
		SSL_CTX_set_options(_serverContext, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
#endif
		_clientContext = SSL_CTX_new(TLS_client_method());
		if (maxVersion != 0) SSL_CTX_set_max_proto_version(_clientContext, maxVersion);

		int fds[2];
		CPPUNIT_ASSERT_EQUAL(0, ::socketpair(AF_UNIX, SOCK_STREAM, 0, fds));
		serverFd = fds[0];
		clientFd = fds[1];
		for (int fd : fds)
		{
			::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL, 0) | O_NONBLOCK);
			// Small buffers, so a few hundred KiB already fill the socket.
			const int size = 16 * 1024;
			::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
			::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
		}
		SSL* server = SSL_new(_serverContext);
		SSL_set_fd(server, serverFd);
		SSL_set_accept_state(server);
		client = SSL_new(_clientContext);
		SSL_set_fd(client, clientFd);
		SSL_set_connect_state(client);
		// Both sides, turn by turn, as two event loops would.
		int serverDone = 0;
		int clientDone = 0;
		for (int turn = 0; turn < 1000 && (serverDone != 1 || clientDone != 1); ++turn)
		{
			if (clientDone != 1) clientDone = SSL_do_handshake(client);
			if (serverDone != 1) serverDone = SSL_do_handshake(server);
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE("handshake", 1, serverDone);
		CPPUNIT_ASSERT_EQUAL_MESSAGE("handshake", 1, clientDone);
		channel = std::make_unique<TlsChannel>(TlsSession(server));
	}

	~TlsPair()
	{
		channel.reset();
		SSL_free(client);
		if (clientFd >= 0) ::close(clientFd);
		::close(serverFd);
		SSL_CTX_free(_serverContext);
		SSL_CTX_free(_clientContext);
		ERR_clear_error();
	}

	// Everything the client can read now.
	std::string clientReadAvailable()
	{
		std::string text;
		char buffer[16384];
		for (;;)
		{
			const int n = SSL_read(client, buffer, sizeof(buffer));
			if (n <= 0) break;
			text.append(buffer, static_cast<std::size_t>(n));
		}
		return text;
	}

	// What the server channel reads, until it would block.
	std::string serverReadAvailable(TlsChannel::Result& last)
	{
		std::string text;
		char buffer[16384];
		for (;;)
		{
			std::size_t n = 0;
			last = channel->read(buffer, sizeof(buffer), n);
			if (last != TlsChannel::Result::Progress) break;
			text.append(buffer, n);
		}
		return text;
	}

	int serverFd = -1;
	int clientFd = -1;
	SSL* client = nullptr;
	std::unique_ptr<TlsChannel> channel;

private:
	SSL_CTX* _serverContext = nullptr;
	SSL_CTX* _clientContext = nullptr;
};

} // namespace

class TlsChannelTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TlsChannelTest);
	CPPUNIT_TEST(testReadsAndWrites);
	CPPUNIT_TEST(testReadWouldBlockWithNothingSent);
	CPPUNIT_TEST(testFullSocketKeepsBacklogInOrder);
	CPPUNIT_TEST(testPeerCloseNotifyIsEndOfStream);
	CPPUNIT_TEST(testShutdownSendsCloseNotify);
	CPPUNIT_TEST(testVanishedPeer);
	CPPUNIT_TEST(testRenegotiationRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void testReadsAndWrites()
	{
		TlsPair pair;
		CPPUNIT_ASSERT_EQUAL(5, SSL_write(pair.client, "hello", 5));
		TlsChannel::Result last;
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), pair.serverReadAvailable(last));
		CPPUNIT_ASSERT(last == TlsChannel::Result::WouldBlock);
		CPPUNIT_ASSERT(!pair.channel->readWantsWritable());
		CPPUNIT_ASSERT(pair.channel->write("world", 5) == TlsChannel::Result::Progress);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), pair.channel->backlog());
		CPPUNIT_ASSERT_EQUAL(std::string("world"), pair.clientReadAvailable());
	}

	void testReadWouldBlockWithNothingSent()
	{
		TlsPair pair;
		char buffer[64];
		std::size_t n = 99;
		CPPUNIT_ASSERT(pair.channel->read(buffer, sizeof(buffer), n) == TlsChannel::Result::WouldBlock);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), n);
		CPPUNIT_ASSERT(!pair.channel->hasPending());
	}

	void testFullSocketKeepsBacklogInOrder()
	{
		TlsPair pair;
		// 2 MiB in 64 KiB writes (the engine's per-flush copy) while the
		// client reads only now and then: every byte arrives once, in order.
		std::string sent;
		for (std::size_t i = 0; i < 2 * 1024 * 1024; ++i) sent.push_back(static_cast<char>('a' + (i * 7 + i / 65536) % 26));
		std::string received;
		std::size_t offset = 0;
		bool blocked = false;
		for (int round = 0; round < 100000 && received.size() < sent.size(); ++round)
		{
			TlsChannel::Result result = pair.channel->writeBacklog();
			while (result == TlsChannel::Result::Progress && offset < sent.size())
			{
				const std::size_t size = std::min<std::size_t>(64 * 1024, sent.size() - offset);
				result = pair.channel->write(sent.data() + offset, size);
				offset += size; // taken either way: sent, or in the backlog
			}
			CPPUNIT_ASSERT(result != TlsChannel::Result::Failed);
			if (result == TlsChannel::Result::WouldBlock)
			{
				blocked = true;
				CPPUNIT_ASSERT(pair.channel->backlog() > 0);
				CPPUNIT_ASSERT(!pair.channel->writeWantsReadable());
			}
			received += pair.clientReadAvailable();
		}
		CPPUNIT_ASSERT_MESSAGE("the socket never filled up", blocked);
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), pair.channel->backlog());
		CPPUNIT_ASSERT_EQUAL(sent.size(), received.size());
		CPPUNIT_ASSERT(sent == received);
	}

	void testPeerCloseNotifyIsEndOfStream()
	{
		TlsPair pair;
		SSL_write(pair.client, "last", 4);
		SSL_shutdown(pair.client);
		TlsChannel::Result last;
		CPPUNIT_ASSERT_EQUAL(std::string("last"), pair.serverReadAvailable(last));
		CPPUNIT_ASSERT(last == TlsChannel::Result::EndOfStream);
	}

	void testShutdownSendsCloseNotify()
	{
		TlsPair pair;
		CPPUNIT_ASSERT(pair.channel->write("bye", 3) == TlsChannel::Result::Progress);
		pair.channel->shutdown();
		CPPUNIT_ASSERT_EQUAL(std::string("bye"), pair.clientReadAvailable());
		char buffer[16];
		const int rc = SSL_read(pair.client, buffer, sizeof(buffer));
		CPPUNIT_ASSERT_EQUAL(SSL_ERROR_ZERO_RETURN, SSL_get_error(pair.client, rc));
		// Nothing goes through a session after its close_notify.
		CPPUNIT_ASSERT(pair.channel->write("more", 4) == TlsChannel::Result::Failed);
	}

	void testVanishedPeer()
	{
		TlsPair pair;
		::close(pair.clientFd);
		pair.clientFd = -1;
		char buffer[64];
		std::size_t n = 0;
		const TlsChannel::Result result = pair.channel->read(buffer, sizeof(buffer), n);
		CPPUNIT_ASSERT(result == TlsChannel::Result::EndOfStream || result == TlsChannel::Result::Failed);
		// Writing to it fails too, and shutting down sends nothing more.
		CPPUNIT_ASSERT(pair.channel->write("x", 1) == TlsChannel::Result::Failed);
		pair.channel->shutdown();
	}

	void testRenegotiationRefused()
	{
		// TLS 1.2 (1.3 has no renegotiation): the client asks, the server's
		// channel answers no_renegotiation and reads on; the client gives up.
		TlsPair pair(TLS1_2_VERSION);
		CPPUNIT_ASSERT_EQUAL(TLS1_2_VERSION, SSL_version(pair.client));
		CPPUNIT_ASSERT_EQUAL(1, SSL_renegotiate(pair.client));
		int clientResult = SSL_do_handshake(pair.client); // sends its ClientHello, then would block
		unsigned long clientError = 0;
		for (int turn = 0; turn < 100 && clientError == 0; ++turn)
		{
			TlsChannel::Result last;
			pair.serverReadAvailable(last);
			CPPUNIT_ASSERT(last == TlsChannel::Result::WouldBlock);
			ERR_clear_error();
			clientResult = SSL_do_handshake(pair.client);
			if (clientResult != 1) clientError = ERR_peek_last_error();
			if (SSL_get_error(pair.client, clientResult) == SSL_ERROR_WANT_READ) clientError = 0;
		}
		CPPUNIT_ASSERT(clientResult != 1);
		CPPUNIT_ASSERT_EQUAL(SSL_R_NO_RENEGOTIATION, ERR_GET_REASON(clientError));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TlsChannelTest);
