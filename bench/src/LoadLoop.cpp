#include "LoadLoop.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <unistd.h>

namespace webchat::bench {

namespace {

[[noreturn]] void fail(const char* what)
{
	throw std::runtime_error(std::string(what) + ": " + std::strerror(errno));
}

} // namespace

LoadLoop::LoadLoop(std::size_t scratchBytes):
	_events(1024),
	_scratch(scratchBytes)
{
	_epoll = ::epoll_create1(EPOLL_CLOEXEC);
	if (_epoll < 0) fail("epoll_create1");
}

LoadLoop::~LoadLoop()
{
	::close(_epoll);
}

void LoadLoop::watch(int fd, IoHandler& handler, std::uint32_t events)
{
	epoll_event event{};
	event.events = events;
	event.data.ptr = &handler;
	if (::epoll_ctl(_epoll, EPOLL_CTL_ADD, fd, &event) != 0) fail("epoll_ctl ADD");
}

void LoadLoop::change(int fd, IoHandler& handler, std::uint32_t events)
{
	epoll_event event{};
	event.events = events;
	event.data.ptr = &handler;
	if (::epoll_ctl(_epoll, EPOLL_CTL_MOD, fd, &event) != 0) fail("epoll_ctl MOD");
}

void LoadLoop::forget(int fd)
{
	// ENOENT/EBADF: never watched or already gone; nothing to undo.
	::epoll_ctl(_epoll, EPOLL_CTL_DEL, fd, nullptr);
}

int LoadLoop::poll(std::uint64_t timeoutNs)
{
	// epoll_pwait2: a nanosecond timeout, so paced sends leave on time
	// rather than up to a millisecond late.
	const timespec timeout{static_cast<time_t>(timeoutNs / NsPerSecond), static_cast<long>(timeoutNs % NsPerSecond)};
	const int count = ::epoll_pwait2(_epoll, _events.data(), static_cast<int>(_events.size()), &timeout, nullptr);
	if (count < 0)
	{
		if (errno == EINTR) return 0;
		fail("epoll_wait");
	}
	if (count == 0) return 0;
	const std::uint64_t start = nowNs();
	for (int i = 0; i < count; ++i)
	{
		static_cast<IoHandler*>(_events[i].data.ptr)->onEvents(_events[i].events);
		if (_between && (i + 1) % _betweenEvery == 0 && i + 1 < count) _between();
	}
	_maxDispatchNs = std::max(_maxDispatchNs, nowNs() - start);
	return count;
}

bool LoadLoop::run(std::uint64_t deadlineNs, const std::function<bool()>& done,
	const std::function<std::int64_t()>& tick)
{
	for (;;)
	{
		if (done()) return true;
		const std::uint64_t now = nowNs();
		if (now >= deadlineNs) return false;
		const std::int64_t wanted = tick ? tick() : -1;
		if (done()) return true;
		const std::uint64_t wait = wanted < 0 ? 10 * NsPerMs : static_cast<std::uint64_t>(wanted);
		poll(std::min(wait, deadlineNs - now));
	}
}

void LoadLoop::idleFor(std::uint64_t ns)
{
	run(nowNs() + ns, [] { return false; });
}

} // namespace webchat::bench
