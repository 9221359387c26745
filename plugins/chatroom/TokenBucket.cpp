#include "TokenBucket.h"

#include <algorithm>

namespace webchat::chatroom {

TokenBucket::TokenBucket(double ratePerSecond, double burst):
	_ratePerMs(ratePerSecond / 1000.0),
	_burst(burst),
	_tokens(burst)
{
}

void TokenBucket::refill(std::int64_t nowMs)
{
	if (!_started)
	{
		_started = true;
		_lastMs = nowMs;
		return;
	}
	// A clock that went backwards refills nothing.
	if (nowMs <= _lastMs) return;
	_tokens = std::min(_burst, _tokens + static_cast<double>(nowMs - _lastMs) * _ratePerMs);
	_lastMs = nowMs;
}

bool TokenBucket::available(std::int64_t nowMs)
{
	refill(nowMs);
	return _tokens >= 1.0 - 1e-9; // rounding of the refills must not cost a token
}

bool TokenBucket::tryTake(std::int64_t nowMs)
{
	if (!available(nowMs)) return false;
	_tokens -= 1.0;
	return true;
}

} // namespace webchat::chatroom
