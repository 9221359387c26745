// AdoptedSocket on Windows: a loopback TCP pair (no socketpair there), made
// with POCO; each side keeps a duplicate of its end, so the POCO sockets may go.
#include "AdoptedSocket.h"

#include "webchat/platform/Poller.h"
#include "webchat/platform/Socket.h"

#include "Poco/Exception.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/StreamSocket.h"

namespace webchat::test {

AdoptedSocket::AdoptedSocket(engine::Engine& engine, const std::string& response, std::unique_ptr<engine::Session> session)
{
	Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
	Poco::Net::StreamSocket client(listener.address());
	Poco::Net::StreamSocket server = listener.acceptConnection();
	_fd = platform::duplicateSocket(client.impl()->sockfd());
	const platform::SocketHandle engineEnd = platform::duplicateSocket(server.impl()->sockfd());
	const std::string peer = "adopted";
	if (!engine.admit(peer))
	{
		platform::closeSocket(engineEnd);
		throw Poco::IllegalStateException("the engine admits no more connections");
	}
	engine.adopt(engineEnd, response, std::string(), std::move(session), peer);
}

AdoptedSocket::~AdoptedSocket()
{
	platform::closeSocket(_fd);
}

std::string AdoptedSocket::read(std::size_t size, int timeoutMs)
{
	const platform::SocketHandle fd = _fd;
	std::string bytes;
	auto poller = platform::Poller::create();
	int tag = 0;
	poller->add(fd, platform::Poller::Read, &tag);
	while (bytes.size() < size)
	{
		platform::Poller::Event event;
		if (poller->wait(&event, 1, timeoutMs) <= 0) break;
		char buffer[4096];
		std::size_t n = 0;
		platform::setNonBlocking(fd, true);
		if (platform::receive(fd, buffer, std::min(sizeof(buffer), size - bytes.size()), n) != platform::IoStatus::Progress) break;
		bytes.append(buffer, n);
	}
	poller->remove(fd);
	return bytes;
}

std::size_t AdoptedSocket::writeSome(std::string_view bytes)
{
	const platform::SocketHandle fd = _fd;
	platform::setNonBlocking(fd, true);
	platform::IoBuffer buffer;
	platform::setBuffer(buffer, bytes.data(), bytes.size());
	std::size_t sent = 0;
	return platform::sendBuffers(fd, &buffer, 1, sent) == platform::IoStatus::Progress ? sent : 0;
}

} // namespace webchat::test
