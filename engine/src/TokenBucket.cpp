#include "webchat/engine/TokenBucket.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdint>

namespace webchat::engine {

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

std::int64_t TokenBucket::msUntilAvailable(std::int64_t nowMs)
{
	if (available(nowMs)) return 0;
	if (_ratePerMs <= 0) return INT64_MAX;
	return static_cast<std::int64_t>(std::ceil((1.0 - _tokens) / _ratePerMs));
}

bool TokenBucket::full(std::int64_t nowMs)
{
	refill(nowMs);
	return _tokens >= _burst - 1e-9;
}

bool TokenBucket::tryTake(std::int64_t nowMs)
{
	if (!available(nowMs)) return false;
	_tokens -= 1.0;
	return true;
}

} // namespace webchat::engine
