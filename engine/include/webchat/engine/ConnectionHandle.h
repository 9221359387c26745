//
// ConnectionHandle.h
//
// A way to reach one connection from any thread: what a moderator's kick
// or an operator's request, running on another I/O thread or an HTTP
// thread, needs to close a member's connection. A Connection reference is
// only good on its own I/O thread while the connection lives; a handle is
// a value that can be kept and copied anywhere, and post() runs a task on
// the connection's thread only if that connection is still open there.
//
// Cost: nothing per message. Posting wakes the connection's loop; the loop
// finds the connection at the place in its list the connection had when
// the handle was made, and only if it moved since (another connection's
// close moves the last one into its place) by a scan of its live
// connections (post() is for rare actions, not for traffic). A handle is good while the engine that
// made it exists; a task posted after the engine stopped is dropped.
//

#ifndef WEBCHAT_ENGINE_CONNECTIONHANDLE_INCLUDED
#define WEBCHAT_ENGINE_CONNECTIONHANDLE_INCLUDED

#include <cstdint>
#include <functional>

namespace webchat::engine {

class Connection;
class EventLoop;
class LoopMember;

class ConnectionHandle
{
public:
	/// A handle that reaches nothing.
	ConnectionHandle() = default;

	/// The connection numbered serial on loop, as its loop knows it
	/// (Connection::handle() makes them).
	ConnectionHandle(EventLoop& loop, const LoopMember& target, std::uint64_t serial, std::uint32_t slot):
		_loop(&loop),
		_target(&target),
		_serial(serial),
		_slot(slot)
	{
	}

	bool empty() const { return _loop == nullptr; }

	/// Runs task on the connection's I/O thread with the connection, if it
	/// is still open when the loop gets to it; otherwise drops it. Any
	/// thread, the connection's own included (then the task runs later in
	/// the loop's iteration, never inside the caller).
	void post(std::function<void(Connection&)> task) const;

	/// Whether other's connection is served by the same I/O thread: tasks
	/// posted to the two then run in the order they were posted.
	bool sameLoopAs(const ConnectionHandle& other) const { return _loop == other._loop; }

	bool operator==(const ConnectionHandle& other) const { return _target == other._target && _serial == other._serial; }
	bool operator!=(const ConnectionHandle& other) const { return !(*this == other); }

private:
	EventLoop* _loop = nullptr;
	const LoopMember* _target = nullptr; // compared, never dereferenced off its thread
	std::uint64_t _serial = 0;
	std::uint32_t _slot = 0; // where the loop listed it when the handle was made: where to look first
};

} // namespace webchat::engine

#endif
