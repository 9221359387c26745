#include "FloodGuard.h"

namespace webchat::chatroom {

FloodGuard::FloodGuard(std::size_t limit, std::int64_t windowMs):
	_limit(limit == 0 ? 1 : limit),
	_windowMs(windowMs)
{
}

bool FloodGuard::refuse(std::int64_t nowMs)
{
	if (_times.size() < _limit)
	{
		_times.push_back(nowMs);
		return _times.size() == _limit && nowMs - _times.front() < _windowMs;
	}
	// Full: _times[_next] is the oldest refusal, which this one replaces;
	// the one after it is then the oldest of the last _limit.
	const std::int64_t oldest = _limit == 1 ? nowMs : _times[(_next + 1) % _limit];
	_times[_next] = nowMs;
	_next = (_next + 1) % _limit;
	return nowMs - oldest < _windowMs;
}

} // namespace webchat::chatroom
