//
// SocketIo.h (Linux)
//
// The inline half of Socket.h: IoBuffer is iovec, receive is recv(2), a
// vectored send is one sendmsg(2) with MSG_NOSIGNAL | MSG_DONTWAIT.
// Included by Socket.h only.
//

#ifndef WEBCHAT_PLATFORM_SOCKETIO_INCLUDED
#define WEBCHAT_PLATFORM_SOCKETIO_INCLUDED

#include <cerrno>
#include <cstddef>
#include <sys/socket.h>
#include <sys/uio.h>

namespace webchat::platform {

using IoBuffer = iovec;

namespace detail {

// After a failed call: what errno says, as an IoStatus.
inline IoStatus failedStatus()
{
	if (errno == EAGAIN || errno == EWOULDBLOCK) return IoStatus::WouldBlock;
	if (errno == EINTR) return IoStatus::Interrupted;
	return IoStatus::Failed;
}

} // namespace detail

inline void setBuffer(IoBuffer& buffer, const char* data, std::size_t size)
{
	buffer.iov_base = const_cast<char*>(data);
	buffer.iov_len = size;
}

inline const char* bufferData(const IoBuffer& buffer)
{
	return static_cast<const char*>(buffer.iov_base);
}

inline std::size_t bufferSize(const IoBuffer& buffer)
{
	return buffer.iov_len;
}

inline IoStatus receive(SocketHandle socket, char* buffer, std::size_t size, std::size_t& received)
{
	const ssize_t n = ::recv(socket, buffer, size, 0);
	if (n > 0)
	{
		received = static_cast<std::size_t>(n);
		return IoStatus::Progress;
	}
	return n == 0 ? IoStatus::EndOfStream : detail::failedStatus();
}

inline IoStatus sendBuffers(SocketHandle socket, const IoBuffer* buffers, int count, std::size_t& sent)
{
	msghdr message{};
	message.msg_iov = const_cast<IoBuffer*>(buffers);
	message.msg_iovlen = static_cast<std::size_t>(count);
	const ssize_t n = ::sendmsg(socket, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n < 0) return detail::failedStatus();
	sent = static_cast<std::size_t>(n);
	return IoStatus::Progress;
}

} // namespace webchat::platform

#endif
