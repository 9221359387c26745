#include "webchat/engine/AddressBuckets.h"

#include <algorithm>

namespace webchat::engine {

AddressBuckets::AddressBuckets(double ratePerSecond, double burst):
	_rate(ratePerSecond),
	_burst(burst)
{
}

bool AddressBuckets::tryTake(const std::string& address, std::int64_t nowMs, std::int64_t* retryAfterMs)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (nowMs >= _nextSweepMs) forgetFull(nowMs);
	auto [it, added] = _buckets.try_emplace(address, _rate, _burst);
	if (it->second.tryTake(nowMs)) return true;
	if (retryAfterMs) *retryAfterMs = it->second.msUntilAvailable(nowMs);
	return false;
}

std::size_t AddressBuckets::size() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _buckets.size();
}

void AddressBuckets::forgetFull(std::int64_t nowMs)
{
	// A sweep per second at most: cost linear in addresses active lately.
	for (auto it = _buckets.begin(); it != _buckets.end();)
		it = it->second.full(nowMs) ? _buckets.erase(it) : std::next(it);
	_nextSweepMs = nowMs + 1000;
}

} // namespace webchat::engine
