#include "webchat/platform/Wakeup.h"

#include "Poco/Exception.h"
#include "Poco/Net/Net.h"

#include <cstring>
#include <winsock2.h>
#include <ws2tcpip.h>

namespace webchat::platform {

namespace {

// Closes a socket when it goes, unless released.
class OwnedSocket
{
public:
	explicit OwnedSocket(SocketHandle socket = invalidSocket): _socket(socket) {}
	~OwnedSocket()
	{
		if (_socket != invalidSocket) ::closesocket(_socket);
	}
	OwnedSocket(const OwnedSocket&) = delete;
	OwnedSocket& operator=(const OwnedSocket&) = delete;

	SocketHandle get() const { return _socket; }
	void reset(SocketHandle socket)
	{
		if (_socket != invalidSocket) ::closesocket(_socket);
		_socket = socket;
	}
	SocketHandle release()
	{
		const SocketHandle socket = _socket;
		_socket = invalidSocket;
		return socket;
	}

private:
	SocketHandle _socket;
};

[[noreturn]] void fail(const char* what)
{
	throw Poco::SystemException(std::string("wake-up socket pair: ") + what, ::WSAGetLastError());
}

SocketHandle tcpSocket()
{
	const SocketHandle socket = ::WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0, WSA_FLAG_NO_HANDLE_INHERIT);
	if (socket == invalidSocket) fail("socket");
	return socket;
}

sockaddr_in localName(SocketHandle socket)
{
	sockaddr_in address{};
	int length = sizeof address;
	if (::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) fail("getsockname");
	return address;
}

bool sameEndpoint(const sockaddr_in& a, const sockaddr_in& b)
{
	return a.sin_port == b.sin_port && std::memcmp(&a.sin_addr, &b.sin_addr, sizeof a.sin_addr) == 0;
}

} // namespace

// Windows has no eventfd, and WSAPoll (like POCO's Socket::poll, which the
// HTTP server's acceptor uses on the gate's wake-up) waits on sockets only:
// a connected loopback TCP pair, one byte written per signal. The listener
// that makes the pair is bound to 127.0.0.1 with SO_EXCLUSIVEADDRUSE and
// closed at once, and the accepted end must be the connecting one, so no
// other local process can slip into the pair.
Wakeup::Wakeup():
	_readEnd(invalidSocket),
	_signalEnd(invalidSocket)
{
	// Winsock is started by POCO's Net library too; reference-counted.
	Poco::Net::initializeNetwork();
	try
	{
		OwnedSocket listener(tcpSocket());
		const BOOL exclusive = TRUE;
		::setsockopt(listener.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&exclusive), sizeof exclusive);
		sockaddr_in address{};
		address.sin_family = AF_INET;
		address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		address.sin_port = 0;
		if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail("bind");
		if (::listen(listener.get(), 4) != 0) fail("listen");
		address = localName(listener.get());

		OwnedSocket signalEnd(tcpSocket());
		if (::connect(signalEnd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) fail("connect");
		const sockaddr_in connected = localName(signalEnd.get());

		OwnedSocket readEnd;
		// Anyone else who connected meanwhile is turned away.
		for (int attempt = 0; attempt < 8 && readEnd.get() == invalidSocket; ++attempt)
		{
			sockaddr_in peer{};
			int length = sizeof peer;
			OwnedSocket accepted(::accept(listener.get(), reinterpret_cast<sockaddr*>(&peer), &length));
			if (accepted.get() == invalidSocket) fail("accept");
			if (sameEndpoint(peer, connected)) readEnd.reset(accepted.release());
		}
		if (readEnd.get() == invalidSocket) throw Poco::IOException("wake-up socket pair: the connection was not ours");

		u_long nonBlocking = 1;
		if (::ioctlsocket(readEnd.get(), FIONBIO, &nonBlocking) != 0 || ::ioctlsocket(signalEnd.get(), FIONBIO, &nonBlocking) != 0)
			fail("FIONBIO");
		// A one-byte signal goes out at once.
		const BOOL noDelay = TRUE;
		::setsockopt(signalEnd.get(), IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&noDelay), sizeof noDelay);
		_readEnd = readEnd.release();
		_signalEnd = signalEnd.release();
	}
	catch (...)
	{
		Poco::Net::uninitializeNetwork();
		throw;
	}
}

Wakeup::~Wakeup()
{
	::closesocket(_signalEnd);
	::closesocket(_readEnd);
	Poco::Net::uninitializeNetwork();
}

void Wakeup::signal()
{
	const char one = 1;
	// Fails only when the pair's buffer is full: it is readable then anyway.
	::send(_signalEnd, &one, 1, 0);
}

void Wakeup::drain()
{
	char bytes[256];
	while (::recv(_readEnd, bytes, sizeof bytes, 0) > 0)
	{
	}
}

} // namespace webchat::platform
