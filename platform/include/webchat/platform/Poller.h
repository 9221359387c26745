//
// Poller.h
//
// The readiness interface an event loop waits on. Linux uses epoll
// (EpollPoller), Windows WSAPoll (WsaPollPoller); another OS adds its own
// implementation (kqueue) without touching the loops that use it (the
// engine's, the host's HttpGate).
//

#ifndef WEBCHAT_PLATFORM_POLLER_INCLUDED
#define WEBCHAT_PLATFORM_POLLER_INCLUDED

#include "webchat/platform/Socket.h"

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

	/// Level-triggered interest in socket; tag comes back with its events.
	/// Interest 0 still reports hang-up and error (as readable). Called on
	/// the thread that waits, or before it starts waiting.
	virtual void add(SocketHandle socket, int interest, void* tag) = 0;
	virtual void modify(SocketHandle socket, int interest, void* tag) = 0;
	/// Forgets socket (one not added is ignored); call before closing it.
	virtual void remove(SocketHandle socket) = 0;

	/// Waits up to timeoutMs (-1: forever) and fills at most maxEvents.
	virtual int wait(Event* events, int maxEvents, int timeoutMs) = 0;

	/// The poller for this platform.
	static std::unique_ptr<Poller> create();
};

} // namespace webchat::platform

#endif
