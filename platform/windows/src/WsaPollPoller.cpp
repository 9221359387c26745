#include "webchat/platform/Poller.h"

#include "PollSet.h"

#include "Poco/Exception.h"

#include <winsock2.h>

namespace webchat::platform {

namespace {

// WSAPoll, level-triggered like the epoll poller: the set is handed to the
// kernel on every wait (PollSet keeps it). It costs time in the number of
// sockets per wait where epoll costs time in the ready ones; the loops'
// connections are spread over io_threads, each with a set of its own.
// (IOCP would scale further but turns readiness into completions: a
// different engine, not another Poller.)
class WsaPollPoller final: public Poller
{
public:
	WsaPollPoller():
		// POLLPRI is refused by WSAPoll: the normal-data flags only.
		_set(PollFlags{POLLRDNORM, POLLWRNORM, POLLHUP | POLLERR | POLLNVAL})
	{
	}

	void add(SocketHandle socket, int interest, void* tag) override
	{
		_set.add(socket, interest, tag);
	}

	void modify(SocketHandle socket, int interest, void* tag) override
	{
		_set.modify(socket, interest, tag);
	}

	void remove(SocketHandle socket) override
	{
		_set.remove(socket);
	}

	int wait(Event* events, int maxEvents, int timeoutMs) override
	{
		// WSAPoll refuses an empty set (WSAEINVAL); epoll_wait just waits.
		if (_set.size() == 0)
		{
			::Sleep(timeoutMs < 0 ? INFINITE : static_cast<DWORD>(timeoutMs));
			return 0;
		}
		const int n = ::WSAPoll(_set.data(), static_cast<ULONG>(_set.size()), timeoutMs);
		if (n < 0)
		{
			const int error = ::WSAGetLastError();
			if (error == WSAEINTR) return 0;
			throw Poco::SystemException("WSAPoll", error);
		}
		return n == 0 ? 0 : _set.collect(events, maxEvents);
	}

private:
	PollSet<WSAPOLLFD> _set;
};

} // namespace

std::unique_ptr<Poller> Poller::create()
{
	return std::make_unique<WsaPollPoller>();
}

} // namespace webchat::platform
