#include "webchat/platform/Socket.h"

#include "Poco/Exception.h"

#include <winsock2.h>
#include <ws2tcpip.h>

namespace webchat::platform {

IoStatus peek(SocketHandle socket, char* buffer, std::size_t size, std::size_t& received)
{
	const int n = ::recv(socket, buffer, detail::clampLength(size), MSG_PEEK);
	if (n > 0)
	{
		received = static_cast<std::size_t>(n);
		return IoStatus::Progress;
	}
	return n == 0 ? IoStatus::EndOfStream : detail::failedStatus();
}

IoStatus acceptConnection(SocketHandle listening, SocketHandle& accepted, sockaddr_storage& address, poco_socklen_t& length)
{
	accepted = ::accept(listening, reinterpret_cast<sockaddr*>(&address), &length);
	if (accepted == INVALID_SOCKET)
	{
		// A connection reset while it waited in the backlog: the next one.
		if (::WSAGetLastError() == WSAECONNRESET) return IoStatus::Interrupted;
		return detail::failedStatus();
	}
	// An accepted socket takes the listening one's non-blocking mode; set
	// it anyway, and keep it from child processes (as SOCK_CLOEXEC does).
	setNonBlocking(accepted, true);
	::SetHandleInformation(reinterpret_cast<HANDLE>(accepted), HANDLE_FLAG_INHERIT, 0);
	return IoStatus::Progress;
}

void setNonBlocking(SocketHandle socket, bool nonBlocking)
{
	u_long mode = nonBlocking ? 1 : 0;
	::ioctlsocket(socket, FIONBIO, &mode);
}

void setNoDelay(SocketHandle socket)
{
	const BOOL one = TRUE;
	::setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof(one));
}

void setSendBufferSize(SocketHandle socket, int bytes)
{
	::setsockopt(socket, SOL_SOCKET, SO_SNDBUF, reinterpret_cast<const char*>(&bytes), sizeof(bytes));
}

void setAbortiveClose(SocketHandle socket)
{
	const linger reset{1, 0};
	::setsockopt(socket, SOL_SOCKET, SO_LINGER, reinterpret_cast<const char*>(&reset), sizeof(reset));
}

void shutdownSending(SocketHandle socket)
{
	::shutdown(socket, SD_SEND);
}

void closeSocket(SocketHandle socket)
{
	::closesocket(socket);
}

SocketHandle duplicateSocket(SocketHandle socket)
{
	// WSADuplicateSocket, not DuplicateHandle, which Winsock does not
	// support for sockets (layered providers); for this very process.
	WSAPROTOCOL_INFOW info{};
	if (::WSADuplicateSocketW(socket, ::GetCurrentProcessId(), &info) != 0)
		throw Poco::SystemException("WSADuplicateSocket", ::WSAGetLastError());
	const SocketHandle copy = ::WSASocketW(FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, FROM_PROTOCOL_INFO, &info, 0, WSA_FLAG_NO_HANDLE_INHERIT);
	if (copy == INVALID_SOCKET) throw Poco::SystemException("WSASocket from a duplicate", ::WSAGetLastError());
	return copy;
}

void prepareListening(SocketHandle socket)
{
	// Windows' SO_REUSEADDR would let another socket bind the port in use;
	// a restart binds despite connections in TIME_WAIT without it.
	const BOOL exclusive = TRUE;
	if (::setsockopt(socket, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&exclusive), sizeof(exclusive)) != 0)
		throw Poco::SystemException("SO_EXCLUSIVEADDRUSE", ::WSAGetLastError());
}

int lastSocketError()
{
	return ::WSAGetLastError();
}

} // namespace webchat::platform
