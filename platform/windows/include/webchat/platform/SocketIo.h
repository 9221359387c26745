//
// SocketIo.h (Windows)
//
// The inline half of Socket.h: IoBuffer is WSABUF, receive is recv, a
// vectored send is one WSASend with several WSABUFs (Windows has no
// SIGPIPE; the sockets are non-blocking, so no MSG_DONTWAIT is needed).
// Included by Socket.h only.
//

#ifndef WEBCHAT_PLATFORM_SOCKETIO_INCLUDED
#define WEBCHAT_PLATFORM_SOCKETIO_INCLUDED

#include <climits>
#include <cstddef>
#include <winsock2.h>

namespace webchat::platform {

using IoBuffer = WSABUF;

namespace detail {

// After a failed call: what WSAGetLastError() says, as an IoStatus.
inline IoStatus failedStatus()
{
	const int error = ::WSAGetLastError();
	if (error == WSAEWOULDBLOCK) return IoStatus::WouldBlock;
	if (error == WSAEINTR) return IoStatus::Interrupted;
	return IoStatus::Failed;
}

// recv takes an int length.
inline int clampLength(std::size_t size)
{
	return size > static_cast<std::size_t>(INT_MAX) ? INT_MAX : static_cast<int>(size);
}

} // namespace detail

inline void setBuffer(IoBuffer& buffer, const char* data, std::size_t size)
{
	buffer.buf = const_cast<char*>(data);
	buffer.len = size > static_cast<std::size_t>(ULONG_MAX) ? ULONG_MAX : static_cast<ULONG>(size);
}

inline const char* bufferData(const IoBuffer& buffer)
{
	return buffer.buf;
}

inline std::size_t bufferSize(const IoBuffer& buffer)
{
	return buffer.len;
}

inline IoStatus receive(SocketHandle socket, char* buffer, std::size_t size, std::size_t& received)
{
	const int n = ::recv(socket, buffer, detail::clampLength(size), 0);
	if (n > 0)
	{
		received = static_cast<std::size_t>(n);
		return IoStatus::Progress;
	}
	return n == 0 ? IoStatus::EndOfStream : detail::failedStatus();
}

inline IoStatus sendBuffers(SocketHandle socket, const IoBuffer* buffers, int count, std::size_t& sent)
{
	DWORD n = 0;
	// Without an OVERLAPPED: a plain non-blocking send that takes what fits.
	if (::WSASend(socket, const_cast<IoBuffer*>(buffers), static_cast<DWORD>(count), &n, 0, nullptr, nullptr) != 0)
		return detail::failedStatus();
	sent = n;
	return IoStatus::Progress;
}

} // namespace webchat::platform

#endif
