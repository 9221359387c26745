//
// TokenBucket.h
//
// A rate limit: up to `burst` at once, refilled at `rate` per second (per
// connection, or per address through AddressBuckets). The time is passed in (milliseconds of a steady clock), so
// tests drive it without sleeping.
//

#ifndef WEBCHAT_ENGINE_TOKENBUCKET_INCLUDED
#define WEBCHAT_ENGINE_TOKENBUCKET_INCLUDED

#include <cstdint>

namespace webchat::engine {

class TokenBucket
{
public:
	/// Starts full.
	TokenBucket(double ratePerSecond, double burst);

	/// Takes one token if there is one.
	bool tryTake(std::int64_t nowMs);

	/// Whether tryTake(nowMs) would succeed, taking nothing.
	bool available(std::int64_t nowMs);

	/// How long until a token is back (0 when one is there).
	std::int64_t msUntilAvailable(std::int64_t nowMs);

	/// Full again: as good as a new bucket.
	bool full(std::int64_t nowMs);

private:
	void refill(std::int64_t nowMs);

	double _ratePerMs;
	double _burst;
	double _tokens;
	std::int64_t _lastMs = 0;
	bool _started = false;
};

} // namespace webchat::engine

#endif
