//
// SocketPair.h
//
// Two connected TCP sockets over loopback, for the platform tests: made
// with POCO, so the same on every platform; the handles stay POCO's.
//

#ifndef WEBCHAT_TEST_SOCKETPAIR_INCLUDED
#define WEBCHAT_TEST_SOCKETPAIR_INCLUDED

#include "webchat/platform/Poller.h"
#include "webchat/platform/Socket.h"

#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Net/StreamSocket.h"

namespace webchat::test {

struct SocketPair
{
	SocketPair():
		listener(Poco::Net::SocketAddress("127.0.0.1", 0))
	{
		client.connect(listener.address());
		server = listener.acceptConnection();
	}

	platform::SocketHandle clientHandle() const { return client.impl()->sockfd(); }
	platform::SocketHandle serverHandle() const { return server.impl()->sockfd(); }

	Poco::Net::ServerSocket listener;
	Poco::Net::StreamSocket client;
	Poco::Net::StreamSocket server;
};

/// Whether socket becomes readable within timeoutMs, by a Poller of its own.
inline bool becomesReadable(platform::SocketHandle socket, int timeoutMs)
{
	auto poller = platform::Poller::create();
	int tag = 0;
	poller->add(socket, platform::Poller::Read, &tag);
	platform::Poller::Event event;
	const int n = poller->wait(&event, 1, timeoutMs);
	poller->remove(socket);
	return n == 1 && event.tag == &tag && event.readable;
}

} // namespace webchat::test

#endif
