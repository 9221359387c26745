#include "webchat/platform/Poller.h"

#include "Poco/Exception.h"

#include <cerrno>
#include <sys/epoll.h>
#include <unistd.h>
#include <vector>

namespace webchat::platform {

namespace {

class EpollPoller final: public Poller
{
public:
	EpollPoller():
		_fd(::epoll_create1(EPOLL_CLOEXEC))
	{
		if (_fd < 0) throw Poco::SystemException("epoll_create1", errno);
	}

	~EpollPoller() override
	{
		::close(_fd);
	}

	void add(SocketHandle fd, int interest, void* tag) override
	{
		control(EPOLL_CTL_ADD, fd, interest, tag);
	}

	void modify(SocketHandle fd, int interest, void* tag) override
	{
		control(EPOLL_CTL_MOD, fd, interest, tag);
	}

	void remove(SocketHandle fd) override
	{
		::epoll_ctl(_fd, EPOLL_CTL_DEL, fd, nullptr);
	}

	int wait(Event* events, int maxEvents, int timeoutMs) override
	{
		if (static_cast<int>(_ready.size()) < maxEvents) _ready.resize(maxEvents);
		const int n = ::epoll_wait(_fd, _ready.data(), maxEvents, timeoutMs);
		if (n < 0)
		{
			if (errno == EINTR) return 0;
			throw Poco::SystemException("epoll_wait", errno);
		}
		for (int i = 0; i < n; ++i)
		{
			const auto flags = _ready[i].events;
			events[i].tag = _ready[i].data.ptr;
			events[i].readable = (flags & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0;
			events[i].writable = (flags & EPOLLOUT) != 0;
		}
		return n;
	}

private:
	void control(int op, SocketHandle fd, int interest, void* tag)
	{
		epoll_event event{};
		event.events = ((interest & Read) ? EPOLLIN : 0u) | ((interest & Write) ? EPOLLOUT : 0u);
		event.data.ptr = tag;
		if (::epoll_ctl(_fd, op, fd, &event) != 0) throw Poco::SystemException("epoll_ctl", errno);
	}

	int _fd;
	std::vector<epoll_event> _ready;
};

} // namespace

std::unique_ptr<Poller> Poller::create()
{
	return std::make_unique<EpollPoller>();
}

} // namespace webchat::platform
