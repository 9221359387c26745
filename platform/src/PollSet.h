//
// PollSet.h
//
// (Platform internals.) The bookkeeping of a Poller over a poll()-style
// call, which takes an array of {socket, events, revents} each time rather
// than keeping a set in the kernel as epoll does: the array itself, each
// socket's tag and place in it, and the translation of revents into
// Poller::Events with the readiness semantics of EpollPoller (level-
// triggered; hang-up, error and an invalid socket report readable, also
// with interest 0).
//
// Windows' WsaPollPoller uses it over WSAPOLLFD and WSAPoll; the unit tests
// use the same code over struct pollfd and poll(2), so its logic is tested
// on Linux. Not thread-safe: one loop thread owns it, as it owns its Poller.
//

#ifndef WEBCHAT_PLATFORM_POLLSET_INCLUDED
#define WEBCHAT_PLATFORM_POLLSET_INCLUDED

#include "webchat/platform/Poller.h"

#include "Poco/Exception.h"

#include <cstddef>
#include <unordered_map>
#include <vector>

namespace webchat::platform {

/// The platform's poll flags: what to ask for and what comes back.
struct PollFlags
{
	short read;   // asked for with Poller::Read; reported as readable
	short write;  // asked for with Poller::Write; reported as writable
	short hangup; // reported only (hang-up, error, invalid): readable
};

/// PollFd: the platform's struct with fd, events and revents members.
template <class PollFd>
class PollSet
{
public:
	explicit PollSet(PollFlags flags):
		_flags(flags)
	{
	}

	/// Throws Poco::ExistsException if socket is in the set already.
	void add(SocketHandle socket, int interest, void* tag)
	{
		if (_index.count(socket) != 0) throw Poco::ExistsException("socket already polled");
		PollFd entry{};
		entry.fd = socket;
		entry.events = eventsFor(interest);
		_index.emplace(socket, _fds.size());
		_fds.push_back(entry);
		_tags.push_back(tag);
	}

	/// Throws Poco::NotFoundException if socket is not in the set.
	void modify(SocketHandle socket, int interest, void* tag)
	{
		const auto found = _index.find(socket);
		if (found == _index.end()) throw Poco::NotFoundException("socket not polled");
		_fds[found->second].events = eventsFor(interest);
		_tags[found->second] = tag;
	}

	/// Forgets socket; one not in the set is ignored.
	void remove(SocketHandle socket)
	{
		const auto found = _index.find(socket);
		if (found == _index.end()) return;
		// Swap-remove: the last entry takes the freed place.
		const std::size_t slot = found->second;
		const std::size_t last = _fds.size() - 1;
		if (slot != last)
		{
			_fds[slot] = _fds[last];
			_tags[slot] = _tags[last];
			_index[_fds[slot].fd] = slot;
		}
		_fds.pop_back();
		_tags.pop_back();
		_index.erase(found);
	}

	/// The array to poll, and its length.
	PollFd* data() { return _fds.data(); }
	std::size_t size() const { return _fds.size(); }

	/// After a poll: the ready entries' events, at most maxEvents. The scan
	/// starts where the last one that filled maxEvents stopped, so sockets
	/// late in the array are not starved while earlier ones stay ready
	/// (level-triggered: what is left is reported by the next poll).
	int collect(Poller::Event* events, int maxEvents)
	{
		const std::size_t count = _fds.size();
		if (_next >= count) _next = 0;
		int n = 0;
		for (std::size_t step = 0; step < count && n < maxEvents; ++step)
		{
			const std::size_t i = (_next + step) % count;
			const short ready = _fds[i].revents;
			if (ready == 0) continue;
			events[n].tag = _tags[i];
			events[n].readable = (ready & (_flags.read | _flags.hangup)) != 0;
			events[n].writable = (ready & _flags.write) != 0;
			++n;
			if (n == maxEvents) _next = i + 1;
		}
		return n;
	}

private:
	short eventsFor(int interest) const
	{
		return static_cast<short>(((interest & Poller::Read) ? _flags.read : 0) | ((interest & Poller::Write) ? _flags.write : 0));
	}

	const PollFlags _flags;
	std::vector<PollFd> _fds;
	std::vector<void*> _tags; // beside _fds, same order
	std::unordered_map<SocketHandle, std::size_t> _index;
	std::size_t _next = 0;
};

} // namespace webchat::platform

#endif
