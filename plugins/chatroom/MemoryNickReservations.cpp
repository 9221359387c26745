#include "MemoryNickReservations.h"

#include <algorithm>

namespace webchat::chatroom {

MemoryNickReservations::MemoryNickReservations(std::int64_t lifetimeMs, std::size_t maxReservations):
	_lifetimeMs(lifetimeMs),
	_maxReservations(std::max<std::size_t>(maxReservations, 1))
{
}

NickReservations::Claim MemoryNickReservations::claim(const std::string& nickKey, const std::string& holder, std::int64_t nowMs)
{
	std::lock_guard<std::mutex> lock(_mutex);
	dropOldest(nowMs, _maxReservations);
	auto found = _byNick.find(nickKey);
	if (found != _byNick.end())
	{
		if (found->second.holder != holder) return Claim::Reserved;
		_byLastUse.erase({found->second.lastUsedMs, nickKey});
		found->second.lastUsedMs = nowMs;
		_byLastUse.emplace(nowMs, nickKey);
		return Claim::Granted;
	}
	dropOldest(nowMs, _maxReservations - 1);
	_byNick.emplace(nickKey, Reservation{holder, nowMs});
	_byLastUse.emplace(nowMs, nickKey);
	return Claim::Granted;
}

void MemoryNickReservations::dropOldest(std::int64_t nowMs, std::size_t keep)
{
	while (!_byLastUse.empty())
	{
		const auto oldest = _byLastUse.begin();
		const bool expired = oldest->first + _lifetimeMs <= nowMs;
		if (!expired && _byLastUse.size() <= keep) break;
		_byNick.erase(oldest->second);
		_byLastUse.erase(oldest);
	}
}

std::size_t MemoryNickReservations::size() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _byNick.size();
}

std::string MemoryNickReservations::describe() const
{
	return "in memory (lost at a restart), " + describeLimits(_lifetimeMs, _maxReservations);
}

} // namespace webchat::chatroom
