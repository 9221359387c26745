//
// DelayedTasks.h
//
// Tasks run at a time of the steady clock (Clock.h's steadyMs()), in time
// order, on one thread of their own, started by the first schedule(): what
// a member's leave grace needs once its connection, and with it the
// connection's deadline, is gone. A task runs outside the lock, so it may
// schedule another. stop() runs nothing more: tasks still pending are
// dropped, and a task running then is waited for.
//

#ifndef WEBCHAT_CHATROOM_DELAYEDTASKS_INCLUDED
#define WEBCHAT_CHATROOM_DELAYEDTASKS_INCLUDED

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace webchat::chatroom {

class DelayedTasks
{
public:
	DelayedTasks() = default;
	DelayedTasks(const DelayedTasks&) = delete;
	DelayedTasks& operator=(const DelayedTasks&) = delete;
	~DelayedTasks() { stop(); }

	/// Runs task once steadyMs() reaches atMs (any thread); after stop(),
	/// never.
	void schedule(std::int64_t atMs, std::function<void()> task);

	/// Drops what is pending and joins the thread (not from a task).
	/// Idempotent.
	void stop();

	/// Tasks waiting (for tests).
	std::size_t pending() const;

private:
	void run();

	mutable std::mutex _mutex;
	std::condition_variable _changed;
	std::multimap<std::int64_t, std::function<void()>> _tasks;
	bool _stopped = false;
	std::thread _thread;
};

} // namespace webchat::chatroom

#endif
