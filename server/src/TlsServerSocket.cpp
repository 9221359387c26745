#include "TlsServerSocket.h"

#include "TlsStreamSocketImpl.h"

#include "Poco/Net/ServerSocketImpl.h"

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

namespace webchat {

namespace {

class TlsServerSocketImpl final: public Poco::Net::ServerSocketImpl
{
public:
	TlsServerSocketImpl(const Poco::Net::ServerSocket& listening, Poco::Net::Context::Ptr context):
		_context(std::move(context))
	{
		// A descriptor of its own, closed with this object; the listening
		// socket itself stays with the Listener (and a reload's successor).
		const int fd = ::fcntl(listening.impl()->sockfd(), F_DUPFD_CLOEXEC, 0);
		if (fd < 0) error(errno);
		reset(fd);
	}

	Poco::Net::SocketImpl* acceptConnection(Poco::Net::SocketAddress& clientAddr) override
	{
		sockaddr_storage address{};
		socklen_t length = sizeof(address);
		int fd;
		do
		{
			length = sizeof(address);
			fd = ::accept4(sockfd(), reinterpret_cast<sockaddr*>(&address), &length, SOCK_CLOEXEC);
		}
		while (fd < 0 && errno == EINTR);
		if (fd < 0) error(errno);
		try
		{
			clientAddr = Poco::Net::SocketAddress(reinterpret_cast<const sockaddr*>(&address), length);
		}
		catch (...)
		{
			::close(fd);
			throw;
		}
		// Owns fd from here, also when it throws.
		return new TlsStreamSocketImpl(fd, _context);
	}

private:
	Poco::Net::Context::Ptr _context;
};

} // namespace

TlsServerSocket::TlsServerSocket(const Poco::Net::ServerSocket& listening, Poco::Net::Context::Ptr context):
	ServerSocket(new TlsServerSocketImpl(listening, std::move(context)), true)
{
}

} // namespace webchat
