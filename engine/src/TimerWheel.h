//
// TimerWheel.h
//
// When an event loop next looks at each of its connections: a hashed timing
// wheel (Varghese & Lauck, the scheme of Linux's timer wheel) of intrusive
// lists. Every operation is O(1) and allocates nothing; expiring visits only
// the slots time has passed and, in them, the nodes hashed there.
//
// Why a wheel and not one FIFO list per kind of timeout (ping interval, pong
// timeout, close timeout, frame timeout: each a constant per engine, so each
// list would stay ordered by insertion): a connection then needs a node per
// kind (four links and more per connection, against the 400 bytes it may
// cost in all), setDeadline() takes any time and would need a heap besides,
// and a FIFO of "silent since" stays ordered only if every read moves the
// connection to the tail. With one node per connection, armed for the
// earliest of its deadlines, the wheel takes any time, and reads move
// nothing: a connection heard from since it was armed is found not due when
// its node fires and is re-armed then (EventLoop::tick).
//
// Slots are one tick (250 ms) wide, the granularity every timeout had when
// the loop visited every connection each tick, and 512 of them cover 128 s:
// the default timeouts (5-45 s) land in their slot's first round. A node due
// further ahead waits in its slot for its round, skipped by the rounds
// before it.
//

#ifndef WEBCHAT_ENGINE_TIMERWHEEL_INCLUDED
#define WEBCHAT_ENGINE_TIMERWHEEL_INCLUDED

#include "webchat/engine/TimerNode.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace webchat::engine {

class TimerWheel
{
public:
	static constexpr std::int64_t slotMs = 250;
	static constexpr std::size_t slotCount = 512;

	/// An empty wheel whose time starts at nowMs.
	explicit TimerWheel(std::int64_t nowMs);
	TimerWheel(const TimerWheel&) = delete;
	TimerWheel& operator=(const TimerWheel&) = delete;

	/// Arms node for dueMs, in place of any earlier arming. A time already
	/// past is due at the next expire().
	void arm(TimerNode& node, std::int64_t dueMs);

	/// Arms node for dueMs unless it is already armed for then or earlier:
	/// for a deadline that may have come closer.
	void armBy(TimerNode& node, std::int64_t dueMs)
	{
		if (!node.armed() || dueMs < node.dueMs) arm(node, dueMs);
	}

	/// Disarms node (nothing if it is not armed).
	void cancel(TimerNode& node);

	/// Disarms every node due at nowMs or before and appends it to due, in
	/// no particular order. Touches only the wheel: what due's owners do
	/// afterwards (re-arm, cancel others) is safe.
	void expire(std::int64_t nowMs, std::vector<TimerNode*>& due);

	/// Nodes armed.
	std::size_t size() const { return _size; }

private:
	static void unlink(TimerNode& node);

	std::vector<TimerNode> _heads; // one list per slot, each circular through its head
	std::int64_t _cursor;          // the slot (ms / slotMs) expire() starts at: the last it reached
	std::size_t _size = 0;
};

} // namespace webchat::engine

#endif
