//
// WireClient.h
//
// A client connection for tests of what a server does with the bytes on the
// wire, before any HTTP library would tidy them: a blocking socket bound to
// a chosen loopback source address (127.0.0.2, ...: per-address limits see
// another client), optionally TLS through OpenSSL. It sends any bytes, one
// at a time if asked, stops a TLS handshake after its ClientHello, reads
// HTTP responses with deadlines and tells when the server closed.
//
// Header-only; OpenSSL comes with the test support library.
//

#ifndef WEBCHAT_TEST_WIRECLIENT_INCLUDED
#define WEBCHAT_TEST_WIRECLIENT_INCLUDED

#include <cppunit/TestAssert.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <arpa/inet.h>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>
#include <thread>
#include <unistd.h>
#include <vector>

namespace webchat::test {

/// One HTTP response as read off the wire.
struct WireResponse
{
	int status = 0;
	std::string head; // status line and fields, up to the blank line
	std::string body; // Content-Length bytes
};

class WireClient
{
public:
	enum class Tls
	{
		None,           // plaintext
		Handshake,      // TLS, handshake done in the constructor
		ClientHelloOnly // TLS, stopped after sending the ClientHello (then
		                // read and written as plaintext)
	};

	/// Connects to 127.0.0.1:port from the address `from`. A TLS client
	/// trusts any certificate: these tests are about the server's gate, not
	/// about verification.
	explicit WireClient(std::uint16_t port, const std::string& from = "127.0.0.1", Tls tls = Tls::None)
	{
		// A server that closed makes SSL_write raise SIGPIPE; tests want
		// the error instead.
		std::signal(SIGPIPE, SIG_IGN);
		_fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		CPPUNIT_ASSERT_MESSAGE("socket", _fd >= 0);
		const int one = 1;
		::setsockopt(_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		sockaddr_in local{};
		local.sin_family = AF_INET;
		CPPUNIT_ASSERT_MESSAGE(from, ::inet_pton(AF_INET, from.c_str(), &local.sin_addr) == 1);
		CPPUNIT_ASSERT_MESSAGE("bind to " + from + ": " + std::strerror(errno), ::bind(_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
		sockaddr_in server{};
		server.sin_family = AF_INET;
		server.sin_port = htons(port);
		server.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		CPPUNIT_ASSERT_MESSAGE(std::string("connect: ") + std::strerror(errno), ::connect(_fd, reinterpret_cast<sockaddr*>(&server), sizeof server) == 0);
		if (tls != Tls::None) startTls(tls);
	}

	~WireClient()
	{
		if (_ssl) SSL_free(_ssl);
		if (_context) SSL_CTX_free(_context);
		if (_fd >= 0) ::close(_fd);
	}

	WireClient(const WireClient&) = delete;
	WireClient& operator=(const WireClient&) = delete;

	/// Sends all of bytes (over TLS: a record per 16 KiB); false if the
	/// server had reset the connection.
	bool send(std::string_view bytes)
	{
		std::size_t sent = 0;
		while (sent < bytes.size())
		{
			int n;
			if (_ssl)
			{
				ERR_clear_error();
				n = SSL_write(_ssl, bytes.data() + sent, static_cast<int>(bytes.size() - sent));
				ERR_clear_error();
			}
			else
			{
				n = static_cast<int>(::send(_fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL));
				if (n < 0 && errno == EINTR) continue;
			}
			if (n <= 0)
			{
				_reset = true;
				return false;
			}
			sent += static_cast<std::size_t>(n);
		}
		return true;
	}

	/// The next response; fails the test if none is complete within
	/// timeoutMs. Bytes after it stay for the next call (pipelining).
	WireResponse readResponse(int timeoutMs = 5000)
	{
		const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
		std::size_t end;
		while ((end = _received.find("\r\n\r\n")) == std::string::npos)
		{
			if (readSome(deadline) <= 0) CPPUNIT_FAIL("no whole response head (" + state() + "): " + _received);
		}
		WireResponse response;
		response.head = _received.substr(0, end + 4);
		CPPUNIT_ASSERT_MESSAGE(response.head, response.head.rfind("HTTP/1.", 0) == 0 && response.head.size() > 12);
		response.status = std::atoi(response.head.c_str() + 9);
		std::size_t length = 0;
		const std::string field = "\r\ncontent-length:";
		for (std::size_t at = 0; at + field.size() <= response.head.size(); ++at)
		{
			if (::strncasecmp(response.head.c_str() + at, field.c_str(), field.size()) == 0)
			{
				length = static_cast<std::size_t>(std::strtoull(response.head.c_str() + at + field.size(), nullptr, 10));
				break;
			}
		}
		while (_received.size() < end + 4 + length)
		{
			if (readSome(deadline) <= 0) CPPUNIT_FAIL("no whole response body (" + state() + "): " + _received);
		}
		response.body = _received.substr(end + 4, length);
		_received.erase(0, end + 4 + length);
		return response;
	}

	/// True once the server has closed (end of stream or reset) within
	/// timeoutMs; what it sent until then is kept for readResponse().
	bool waitForClose(int timeoutMs)
	{
		const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
		while (!_closed && readSome(deadline) != TimedOut)
		{
		}
		return _closed;
	}

	/// The payload of the next text frame the server sent (unmasked,
	/// under 64 KiB), after a 101 readResponse() took the head of.
	std::string readServerText(int timeoutMs = 5000)
	{
		const auto deadline = Clock::now() + std::chrono::milliseconds(timeoutMs);
		auto need = [&](std::size_t size) {
			while (_received.size() < size)
			{
				if (readSome(deadline) <= 0) CPPUNIT_FAIL("no whole frame (" + state() + ")");
			}
		};
		need(2);
		CPPUNIT_ASSERT_EQUAL_MESSAGE("a final text frame", 0x81, static_cast<unsigned char>(_received[0]) + 0);
		std::size_t length = static_cast<unsigned char>(_received[1]);
		std::size_t header = 2;
		if (length == 126)
		{
			need(4);
			length = static_cast<std::size_t>(static_cast<unsigned char>(_received[2]) << 8 | static_cast<unsigned char>(_received[3]));
			header = 4;
		}
		CPPUNIT_ASSERT_MESSAGE("a frame under 64 KiB", length < 65536);
		need(header + length);
		std::string payload = _received.substr(header, length);
		_received.erase(0, header + length);
		return payload;
	}

	/// After waitForClose(): false if a reset follows the end of stream
	/// within settleMs, as when the server ends its side first and closes
	/// later with bytes of ours unread.
	bool closedCleanly(int settleMs)
	{
		std::this_thread::sleep_for(std::chrono::milliseconds(settleMs));
		char byte;
		if (::recv(_fd, &byte, 1, MSG_DONTWAIT) < 0 && errno != EAGAIN && errno != EWOULDBLOCK) _reset = true;
		return !_reset;
	}

	/// Neither an end of stream nor a reset has arrived (nothing is read).
	bool open() const
	{
		if (_closed) return false;
		pollfd entry{_fd, POLLRDHUP, 0};
		return ::poll(&entry, 1, 0) == 0;
	}

	/// The server reset the connection (a send failed, or a read found
	/// ECONNRESET) rather than ending it: it closed with bytes of ours
	/// unread.
	bool reset() const { return _reset; }

	/// Bytes received and not yet taken by readResponse().
	const std::string& received() const { return _received; }

	int fd() const { return _fd; }

private:
	using Clock = std::chrono::steady_clock;
	static constexpr int TimedOut = -1;

	void startTls(Tls tls)
	{
		_context = SSL_CTX_new(TLS_client_method());
		CPPUNIT_ASSERT(_context);
		SSL_CTX_set_verify(_context, SSL_VERIFY_NONE, nullptr);
		_ssl = SSL_new(_context);
		CPPUNIT_ASSERT(_ssl && SSL_set_fd(_ssl, _fd) == 1);
		SSL_set_tlsext_host_name(_ssl, "localhost");
		if (tls == Tls::Handshake)
		{
			ERR_clear_error();
			CPPUNIT_ASSERT_EQUAL_MESSAGE("TLS handshake", 1, SSL_connect(_ssl));
			return;
		}
		// The ClientHello is made into memory and sent by hand, and the
		// server's answer is never read: the handshake stays where a
		// stalled client leaves it, however fast the server answers.
		BIO* fromServer = BIO_new(BIO_s_mem());
		BIO* toServer = BIO_new(BIO_s_mem());
		SSL_set_bio(_ssl, fromServer, toServer);
		ERR_clear_error();
		const int rc = SSL_connect(_ssl);
		CPPUNIT_ASSERT_EQUAL_MESSAGE("the handshake went on without the server", SSL_ERROR_WANT_READ, SSL_get_error(_ssl, rc));
		ERR_clear_error();
		char* hello = nullptr;
		const long length = BIO_get_mem_data(toServer, &hello);
		CPPUNIT_ASSERT(length > 0);
		CPPUNIT_ASSERT_EQUAL(static_cast<ssize_t>(length), ::send(_fd, hello, static_cast<std::size_t>(length), MSG_NOSIGNAL));
		// From here the connection is raw bytes to this client.
		SSL_free(_ssl);
		_ssl = nullptr;
	}

	// Reads what arrives before the deadline into _received: the bytes
	// read, 0 once the server closed, TimedOut.
	int readSome(Clock::time_point deadline)
	{
		if (_closed) return 0;
		char buffer[16384];
		for (;;)
		{
			const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
			if (left <= 0 && !(_ssl && SSL_pending(_ssl) > 0)) return TimedOut;
			if (!(_ssl && SSL_pending(_ssl) > 0))
			{
				pollfd entry{_fd, POLLIN, 0};
				const int ready = ::poll(&entry, 1, static_cast<int>(left));
				if (ready == 0) continue;
				if (ready < 0 && errno == EINTR) continue;
			}
			int n;
			if (_ssl)
			{
				// A record may come in pieces, or hold no data (a session
				// ticket): blocking reads, bounded by what is left.
				const auto wait = std::max<long long>(1, left);
				timeval timeout{static_cast<time_t>(wait / 1000), static_cast<suseconds_t>(wait % 1000 * 1000)};
				::setsockopt(_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
				ERR_clear_error();
				n = SSL_read(_ssl, buffer, sizeof buffer);
				if (n <= 0)
				{
					const int error = SSL_get_error(_ssl, n);
					ERR_clear_error();
					if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) continue;
					n = 0;
				}
			}
			else
			{
				n = static_cast<int>(::recv(_fd, buffer, sizeof buffer, 0));
				if (n < 0 && errno == EINTR) continue;
				if (n < 0)
				{
					_reset = true;
					n = 0;
				}
			}
			if (n == 0)
			{
				_closed = true;
				return 0;
			}
			_received.append(buffer, static_cast<std::size_t>(n));
			return n;
		}
	}

	std::string state() const { return _closed ? "closed" : "timed out"; }

	int _fd = -1;
	SSL_CTX* _context = nullptr;
	ssl_st* _ssl = nullptr;
	std::string _received;
	bool _closed = false;
	bool _reset = false;
};

/// Sends the same bytes to each of several clients, one byte each every
/// intervalMs, from a thread of its own: heads that take as long as a
/// slowloris client likes. The clients are the thread's until stop().
class Trickle
{
public:
	Trickle(std::vector<WireClient*> clients, std::string bytes, int intervalMs):
		_clients(std::move(clients)),
		_bytes(std::move(bytes)),
		_thread([this, intervalMs] { run(intervalMs); })
	{
	}

	~Trickle() { stop(); }

	Trickle(const Trickle&) = delete;
	Trickle& operator=(const Trickle&) = delete;

	/// Stops and returns how many bytes each client has sent.
	std::size_t stop()
	{
		_stopping = true;
		if (_thread.joinable()) _thread.join();
		return _sent;
	}

	/// All bytes sent.
	bool finished() const { return _sent == _bytes.size(); }

	/// Sends that failed: the server had closed those clients.
	std::size_t failures() const { return _failures; }

private:
	void run(int intervalMs)
	{
		while (!_stopping && _sent < _bytes.size())
		{
			for (WireClient* client : _clients)
			{
				if (!client->send(std::string_view(_bytes).substr(_sent, 1))) ++_failures;
			}
			++_sent;
			std::this_thread::sleep_for(std::chrono::milliseconds(intervalMs));
		}
	}

	std::vector<WireClient*> _clients;
	const std::string _bytes;
	std::atomic<bool> _stopping{false};
	std::atomic<std::size_t> _sent{0};
	std::atomic<std::size_t> _failures{0};
	std::thread _thread;
};

} // namespace webchat::test

#endif
