#include "DelayedTasks.h"

#include "Clock.h"

#include <chrono>

namespace webchat::chatroom {

void DelayedTasks::schedule(std::int64_t atMs, std::function<void()> task)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_stopped) return;
	_tasks.emplace(atMs, std::move(task));
	if (!_thread.joinable()) _thread = std::thread([this] { run(); });
	_changed.notify_one();
}

void DelayedTasks::stop()
{
	std::thread thread;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopped = true;
		_tasks.clear();
		thread = std::move(_thread);
		_changed.notify_one();
	}
	if (thread.joinable()) thread.join();
}

std::size_t DelayedTasks::pending() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _tasks.size();
}

void DelayedTasks::run()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (!_stopped)
	{
		if (_tasks.empty())
		{
			_changed.wait(lock);
			continue;
		}
		const std::int64_t wait = _tasks.begin()->first - steadyMs();
		if (wait > 0)
		{
			_changed.wait_for(lock, std::chrono::milliseconds(wait));
			continue;
		}
		auto task = std::move(_tasks.begin()->second);
		_tasks.erase(_tasks.begin());
		lock.unlock();
		task();
		lock.lock();
	}
}

} // namespace webchat::chatroom
