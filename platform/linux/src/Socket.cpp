#include "webchat/platform/Socket.h"

#include "Poco/Exception.h"

#include <cerrno>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <unistd.h>

namespace webchat::platform {

IoStatus peek(SocketHandle socket, char* buffer, std::size_t size, std::size_t& received)
{
	const ssize_t n = ::recv(socket, buffer, size, MSG_PEEK);
	if (n > 0)
	{
		received = static_cast<std::size_t>(n);
		return IoStatus::Progress;
	}
	return n == 0 ? IoStatus::EndOfStream : detail::failedStatus();
}

IoStatus acceptConnection(SocketHandle listening, SocketHandle& accepted, sockaddr_storage& address, poco_socklen_t& length)
{
	accepted = ::accept4(listening, reinterpret_cast<sockaddr*>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (accepted >= 0) return IoStatus::Progress;
	// A connection reset while it waited in the backlog: the next one.
	if (errno == ECONNABORTED) return IoStatus::Interrupted;
	return detail::failedStatus();
}

void setNonBlocking(SocketHandle socket, bool nonBlocking)
{
	const int flags = ::fcntl(socket, F_GETFL, 0);
	if (flags >= 0) ::fcntl(socket, F_SETFL, nonBlocking ? (flags | O_NONBLOCK) : (flags & ~O_NONBLOCK));
}

void setNoDelay(SocketHandle socket)
{
	const int one = 1;
	::setsockopt(socket, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

void setSendBufferSize(SocketHandle socket, int bytes)
{
	::setsockopt(socket, SOL_SOCKET, SO_SNDBUF, &bytes, sizeof(bytes));
}

void setAbortiveClose(SocketHandle socket)
{
	const linger reset{1, 0};
	::setsockopt(socket, SOL_SOCKET, SO_LINGER, &reset, sizeof(reset));
}

void shutdownSending(SocketHandle socket)
{
	::shutdown(socket, SHUT_WR);
}

void closeSocket(SocketHandle socket)
{
	::close(socket);
}

SocketHandle duplicateSocket(SocketHandle socket)
{
	const int copy = ::fcntl(socket, F_DUPFD_CLOEXEC, 0);
	if (copy < 0) throw Poco::SystemException("dup", errno);
	return copy;
}

void prepareListening(SocketHandle socket)
{
	const int one = 1;
	if (::setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0) throw Poco::SystemException("SO_REUSEADDR", errno);
}

int lastSocketError()
{
	return errno;
}

} // namespace webchat::platform
