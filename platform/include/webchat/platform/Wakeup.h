//
// Wakeup.h
//
// A descriptor a poller can wait on that another thread makes readable: how
// a thread wakes an event loop, or tells a poll()ing acceptor that work is
// queued. Linux uses an eventfd; another OS a socket pair.
//

#ifndef WEBCHAT_PLATFORM_WAKEUP_INCLUDED
#define WEBCHAT_PLATFORM_WAKEUP_INCLUDED

namespace webchat::platform {

class Wakeup
{
public:
	Wakeup();
	~Wakeup();

	Wakeup(const Wakeup&) = delete;
	Wakeup& operator=(const Wakeup&) = delete;

	/// Readable from signal() until drain(); never blocks.
	int fd() const { return _fd; }

	/// Makes fd() readable (any thread; several signals before a drain are one).
	void signal();

	/// Makes fd() not readable again.
	void drain();

private:
	int _fd;
};

} // namespace webchat::platform

#endif
