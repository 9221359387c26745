#include "JoinQueue.h"

#include <algorithm>

namespace webchat::chatroom {

JoinQueue::JoinQueue(std::size_t threads, std::size_t maxPending):
	_maxPending(std::max<std::size_t>(maxPending, 1))
{
	for (std::size_t i = 0; i < std::max<std::size_t>(threads, 1); ++i) _workers.push_back(std::make_unique<Worker>());
	for (auto& worker : _workers) _threads.emplace_back([this, &worker = *worker] { run(worker); });
}

JoinQueue::~JoinQueue()
{
	stop();
}

bool JoinQueue::submit(std::size_t affinity, std::function<void()> work)
{
	Worker& worker = *_workers[affinity % _workers.size()];
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopping || _pending >= _maxPending) return false;
		worker.queue.push_back(std::move(work));
		++_pending;
	}
	worker.ready.notify_one();
	return true;
}

void JoinQueue::stop()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
		for (auto& worker : _workers)
		{
			_pending -= worker->queue.size();
			worker->queue.clear();
		}
	}
	for (auto& worker : _workers) worker->ready.notify_all();
	for (auto& thread : _threads)
		if (thread.joinable()) thread.join();
}

std::size_t JoinQueue::pending() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _pending;
}

void JoinQueue::run(Worker& worker)
{
	std::unique_lock<std::mutex> lock(_mutex);
	for (;;)
	{
		worker.ready.wait(lock, [&] { return _stopping || !worker.queue.empty(); });
		if (_stopping) return;
		auto work = std::move(worker.queue.front());
		worker.queue.pop_front();
		lock.unlock();
		try
		{
			work();
		}
		catch (...)
		{
			// The work reports its own failures (ChatHandler::prepareJoin);
			// a thread of the pool must not end with one.
		}
		lock.lock();
		--_pending;
	}
}

} // namespace webchat::chatroom
