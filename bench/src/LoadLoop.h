//
// LoadLoop.h
//
// The benchmark's only thread: one epoll instance over non-blocking sockets
// (level-triggered), so the whole client side runs on one core and can be
// pinned away from the server's.
//

#ifndef WEBCHAT_BENCH_LOADLOOP_INCLUDED
#define WEBCHAT_BENCH_LOADLOOP_INCLUDED

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <sys/epoll.h>
#include <vector>

namespace webchat::bench {

/// Steady clock in nanoseconds: the timestamps carried in payloads.
inline std::uint64_t nowNs()
{
	return static_cast<std::uint64_t>(
		std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

constexpr std::uint64_t NsPerMs = 1000000;
constexpr std::uint64_t NsPerSecond = 1000000000;

inline std::uint64_t secondsToNs(double seconds)
{
	return seconds <= 0 ? 0 : static_cast<std::uint64_t>(seconds * 1e9);
}

class IoHandler
{
public:
	virtual void onEvents(std::uint32_t events) = 0;

protected:
	~IoHandler() = default;
};

class LoadLoop
{
public:
	/// scratchBytes: the one receive buffer every socket reads into.
	explicit LoadLoop(std::size_t scratchBytes = 256 * 1024);
	~LoadLoop();

	LoadLoop(const LoadLoop&) = delete;
	LoadLoop& operator=(const LoadLoop&) = delete;

	void watch(int fd, IoHandler& handler, std::uint32_t events);
	void change(int fd, IoHandler& handler, std::uint32_t events);
	void forget(int fd);

	/// Waits up to timeoutNs for readiness and dispatches what is ready.
	/// Handlers must stay alive while the loop runs (closed connections just
	/// ignore late events). Returns the number of events.
	int poll(std::uint64_t timeoutNs);

	/// Polls until done() holds (returns true) or the deadline (steady ns)
	/// passes (returns false). Before each round tick() may do its periodic
	/// work and returns how many ns the loop may sleep (negative: 10 ms).
	bool run(std::uint64_t deadlineNs, const std::function<bool()>& done,
		const std::function<std::int64_t()>& tick = {});

	/// Runs for a while, serving the sockets (answering pings, noticing closes).
	void idleFor(std::uint64_t ns);

	/// Called after every `every` events within a round (empty: never), so
	/// time-critical work such as paced sends need not wait for a round of
	/// up to 1024 events to finish.
	void setBetweenEvents(std::function<void()> hook, int every = 64)
	{
		_between = std::move(hook);
		_betweenEvery = every;
	}

	/// The longest time one round spent dispatching events (steady ns), since
	/// the last reset: how long the loop was deaf to everything else.
	std::uint64_t maxDispatchNs() const { return _maxDispatchNs; }
	void resetMaxDispatch() { _maxDispatchNs = 0; }

	char* scratch() { return _scratch.data(); }
	std::size_t scratchSize() const { return _scratch.size(); }

private:
	int _epoll = -1;
	std::vector<epoll_event> _events;
	std::vector<char> _scratch;
	std::uint64_t _maxDispatchNs = 0;
	std::function<void()> _between;
	int _betweenEvery = 64;
};

} // namespace webchat::bench

#endif
