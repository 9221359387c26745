//
// JoinQueue.h
//
// Where joins wait for what may block: the nick's reservation and, with
// rooms shared through Redis, the nick's claim across instances and a
// room's first load are network round trips (bounded by redis_timeout_ms,
// seconds when Redis is slow or gone). Done on an I/O thread, they would
// stall every other connection of that thread; so a join's blocking half
// runs here, on a few threads of the chat room's own (join_threads), and
// its other half, in memory, back on the connection's I/O thread
// (ChatHandler::joinRoom). At most max_pending_joins wait; a join beyond
// is refused at once (unavailable) rather than queued without bound.
//
// The joins of one room go to one thread (by the room's key) and are
// handed back in the order they came, so a room's joins complete in that
// order (a member who joined first is announced to the next). Tasks posted
// to one I/O thread run in order, so a join handed to the same I/O thread
// as the room's previous one goes at once; one for another I/O thread
// waits until the previous is through there (JoinDone), or that thread
// could run it first. With one I/O thread joins never wait on each other.
// Joins of different rooms run side by side; a room slow to load holds
// back only the rooms that share its thread.
//
// A JoinTicket is what the two halves share: the worker fills it and hands
// it back through the connection's handle; the connection's close may come
// first, and whichever of the two finds the ticket in the other's hands
// undoes what the join took (ChatHandler::abandonJoin).
//

#ifndef WEBCHAT_CHATROOM_JOINQUEUE_INCLUDED
#define WEBCHAT_CHATROOM_JOINQUEUE_INCLUDED

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace webchat::chatroom {

class JoinTicket
{
public:
	enum class State
	{
		Working,   // the worker has it
		Ready,     // done, on its way back to the connection's thread
		Cancelled, // the connection closed: nobody completes the join
		Completed  // the connection's thread took it
	};

	/// The worker is done: true (now Ready) unless the connection closed
	/// meanwhile (then the worker undoes the join).
	bool finishWork()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_state == State::Cancelled) return false;
		_state = State::Ready;
		return true;
	}

	/// The connection's thread takes it: true unless cancelled.
	bool complete()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_state != State::Ready) return false;
		_state = State::Completed;
		return true;
	}

	/// The connection closed; returns the state it found: Ready means the
	/// caller undoes the join, Working that the worker will.
	State cancel()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const State found = _state;
		if (_state == State::Working || _state == State::Ready) _state = State::Cancelled;
		return found;
	}

private:
	std::mutex _mutex;
	State _state = State::Working;
};

/// A join's completion, signalled by whichever thread finishes it (its
/// connection's, or the join thread undoing it): what the room's next join
/// for another I/O thread waits for.
class JoinDone
{
public:
	void signal()
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			_done = true;
		}
		_signal.notify_all();
	}

	bool done() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _done;
	}

	/// Waits for signal(), at most timeout; false when it timed out.
	bool wait(std::chrono::milliseconds timeout)
	{
		std::unique_lock<std::mutex> lock(_mutex);
		return _signal.wait_for(lock, timeout, [this] { return _done; });
	}

private:
	mutable std::mutex _mutex;
	std::condition_variable _signal;
	bool _done = false;
};

class JoinQueue
{
public:
	JoinQueue(std::size_t threads, std::size_t maxPending);
	~JoinQueue();

	JoinQueue(const JoinQueue&) = delete;
	JoinQueue& operator=(const JoinQueue&) = delete;

	/// Queues work on the thread of affinity (a room's key's hash): works
	/// of one affinity run one at a time, in order. False when
	/// max_pending_joins wait already, or after stop().
	bool submit(std::size_t affinity, std::function<void()> work);

	/// Drops what waits (nothing of it was taken yet) and waits for the
	/// work in progress (bounded by the backends' timeouts). Idempotent.
	void stop();

	/// Joins waiting or in progress.
	std::size_t pending() const;

private:
	struct Worker
	{
		std::deque<std::function<void()>> queue;
		std::condition_variable ready;
	};

	void run(Worker& worker);

	const std::size_t _maxPending;
	mutable std::mutex _mutex;
	std::vector<std::unique_ptr<Worker>> _workers;
	std::size_t _pending = 0; // queued or running, over all workers
	bool _stopping = false;
	std::vector<std::thread> _threads;
};

} // namespace webchat::chatroom

#endif
