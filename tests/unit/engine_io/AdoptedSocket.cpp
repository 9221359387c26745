#include "AdoptedSocket.h"

#include "Poco/Exception.h"

#include <cerrno>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace webchat::test {

AdoptedSocket::AdoptedSocket(engine::Engine& engine, const std::string& response, std::unique_ptr<engine::Session> session)
{
	int fds[2];
	if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) throw Poco::SystemException("socketpair", errno);
	_fd = fds[0];
	const std::string peer = "adopted";
	if (!engine.admit(peer))
	{
		::close(fds[1]);
		throw Poco::IllegalStateException("the engine admits no more connections");
	}
	engine.adopt(fds[1], response, std::string(), std::move(session), peer);
}

AdoptedSocket::~AdoptedSocket()
{
	::close(_fd);
}

std::string AdoptedSocket::read(std::size_t size, int timeoutMs)
{
	std::string bytes;
	while (bytes.size() < size)
	{
		pollfd readable{_fd, POLLIN, 0};
		if (::poll(&readable, 1, timeoutMs) <= 0) break;
		char buffer[4096];
		const ssize_t n = ::recv(_fd, buffer, std::min(sizeof(buffer), size - bytes.size()), 0);
		if (n <= 0) break;
		bytes.append(buffer, static_cast<std::size_t>(n));
	}
	return bytes;
}

std::size_t AdoptedSocket::writeSome(std::string_view bytes)
{
	const ssize_t n = ::send(_fd, bytes.data(), bytes.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
	return n > 0 ? static_cast<std::size_t>(n) : 0;
}

} // namespace webchat::test
