//
// Poller.h
//
// The readiness interface an event loop waits on. Linux uses epoll
// (EpollPoller); another OS adds its own implementation (kqueue,
// WSAPoll) without touching the loops that use it (the engine's, the
// host's HttpGate).
//

#ifndef WEBCHAT_PLATFORM_POLLER_INCLUDED
#define WEBCHAT_PLATFORM_POLLER_INCLUDED

#include <memory>

namespace webchat::platform {

class Poller
{
public:
	enum Interest { Read = 1, Write = 2 };

	struct Event
	{
		void* tag = nullptr;
		bool readable = false; // also set on hang-up and error, so the read reports them
		bool writable = false;
	};

	virtual ~Poller() = default;

	/// Level-triggered interest in fd; tag comes back with its events.
	virtual void add(int fd, int interest, void* tag) = 0;
	virtual void modify(int fd, int interest, void* tag) = 0;
	virtual void remove(int fd) = 0;

	/// Waits up to timeoutMs (-1: forever) and fills at most maxEvents.
	virtual int wait(Event* events, int maxEvents, int timeoutMs) = 0;

	/// The poller for this platform.
	static std::unique_ptr<Poller> create();
};

} // namespace webchat::platform

#endif
