//
// Wakeup.h
//
// A descriptor a poller can wait on that another thread makes readable: how
// a thread wakes an event loop, or tells a poll()ing acceptor that work is
// queued. Linux uses an eventfd, Windows a loopback socket pair (WSAPoll
// and POCO's Socket::poll wait on sockets only).
//

#ifndef WEBCHAT_PLATFORM_WAKEUP_INCLUDED
#define WEBCHAT_PLATFORM_WAKEUP_INCLUDED

#include "webchat/platform/Socket.h"

namespace webchat::platform {

class Wakeup
{
public:
	Wakeup();
	~Wakeup();

	Wakeup(const Wakeup&) = delete;
	Wakeup& operator=(const Wakeup&) = delete;

	/// Readable from signal() until drain(); never blocks.
	SocketHandle fd() const { return _readEnd; }

	/// Makes fd() readable (any thread; several signals before a drain are one).
	void signal();

	/// Makes fd() not readable again.
	void drain();

private:
	SocketHandle _readEnd;   // what waits see
	SocketHandle _signalEnd; // what signal() writes to: the same eventfd on Linux
};

} // namespace webchat::platform

#endif
