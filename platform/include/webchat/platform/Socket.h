//
// Socket.h
//
// The socket calls the engine and the host's HTTP gate make on their
// connections, one seam for every platform: the handle type, non-blocking
// reads and vectored writes, and the options and lifetime calls around them.
//
// The portable part is here. SocketIo.h, one per platform (the folder is
// chosen in CMake: platform/linux, platform/windows), gives the buffer-span
// type and the inline reads and writes, so the hot path stays one direct
// system call (recv and sendmsg on Linux, recv and WSASend on Windows): no
// call through a pointer, no copy of the spans. The rest is in the
// platform's Socket.cpp.
//

#ifndef WEBCHAT_PLATFORM_SOCKET_INCLUDED
#define WEBCHAT_PLATFORM_SOCKET_INCLUDED

#include "Poco/Net/Net.h" // first: SocketDefs.h needs the platform it sets
#include "Poco/Net/SocketDefs.h"

#include <cstddef>

namespace webchat::platform {

/// A socket as the OS names it: a descriptor on Linux, a SOCKET on Windows.
/// POCO's own type, so a POCO socket's sockfd() is one.
using SocketHandle = poco_socket_t;

/// No socket (-1 on Linux, INVALID_SOCKET on Windows).
constexpr SocketHandle invalidSocket = POCO_INVALID_SOCKET;

/// How a non-blocking call went.
enum class IoStatus
{
	Progress,    // bytes moved (acceptConnection: a connection taken)
	WouldBlock,  // nothing now: wait for readiness
	Interrupted, // a signal, or a connection gone before accept: try again
	EndOfStream, // receive and peek: the peer closed its side
	Failed       // anything else: lastSocketError() says what
};

} // namespace webchat::platform

// IoBuffer and the inline calls declared below.
#include "webchat/platform/SocketIo.h"

namespace webchat::platform {

// IoBuffer (SocketIo.h): one span of bytes to send, in the layout the
// platform's vectored send takes (iovec, WSABUF), so a queue gathers its
// spans straight into what the system call reads.

/// Points buffer at size bytes from data. A span longer than the platform
/// takes in one piece (4 GiB on Windows) is shortened: a send is partial
/// anyway.
inline void setBuffer(IoBuffer& buffer, const char* data, std::size_t size);
inline const char* bufferData(const IoBuffer& buffer);
inline std::size_t bufferSize(const IoBuffer& buffer);

/// Reads up to size bytes into buffer without blocking; received is set on
/// Progress.
inline IoStatus receive(SocketHandle socket, char* buffer, std::size_t size, std::size_t& received);

/// Sends the count spans in order as one write, without blocking and
/// without SIGPIPE; sent is set on Progress (possibly fewer bytes than all).
inline IoStatus sendBuffers(SocketHandle socket, const IoBuffer* buffers, int count, std::size_t& sent);

/// As receive, leaving the bytes in the socket (MSG_PEEK).
IoStatus peek(SocketHandle socket, char* buffer, std::size_t size, std::size_t& received);

/// Takes the next connection of a listening socket: non-blocking, not
/// inherited by child processes; its peer's address in address (length:
/// in, its size; out, what was filled).
IoStatus acceptConnection(SocketHandle listening, SocketHandle& accepted, sockaddr_storage& address, poco_socklen_t& length);

/// Blocking (POCO's sockets) or not (the event loops').
void setNonBlocking(SocketHandle socket, bool nonBlocking);

/// Sends small writes at once (no Nagle): the loops cork frames themselves.
void setNoDelay(SocketHandle socket);

/// Caps what the kernel buffers for sending (SO_SNDBUF).
void setSendBufferSize(SocketHandle socket, int bytes);

/// Makes the next close reset the connection (SO_LINGER 0): for a dead peer.
void setAbortiveClose(SocketHandle socket);

/// Sends FIN; reading goes on.
void shutdownSending(SocketHandle socket);

void closeSocket(SocketHandle socket);

/// A second handle to the same socket, for an owner of its own: the
/// socket stays open until both are closed. Not inherited by child
/// processes. Throws Poco::SystemException.
SocketHandle duplicateSocket(SocketHandle socket);

/// Sets up a socket that is about to be bound to listen: a restart is not
/// refused by connections of the last run in TIME_WAIT, and no other
/// socket may bind the same port meanwhile (Linux: SO_REUSEADDR, never
/// SO_REUSEPORT; Windows: SO_EXCLUSIVEADDRUSE, as its SO_REUSEADDR would
/// let another process take the port).
void prepareListening(SocketHandle socket);

/// The error of the calling thread's last failed socket call (errno,
/// WSAGetLastError()), for Poco::Error::getMessage().
int lastSocketError();

} // namespace webchat::platform

#endif
