//
// TokenBucket.h
//
// A per-connection rate limit: up to `burst` at once, refilled at `rate`
// per second. The time is passed in (milliseconds of a steady clock), so
// tests drive it without sleeping.
//

#ifndef WEBCHAT_CHATROOM_TOKENBUCKET_INCLUDED
#define WEBCHAT_CHATROOM_TOKENBUCKET_INCLUDED

#include <cstdint>

namespace webchat::chatroom {

class TokenBucket
{
public:
	/// Starts full.
	TokenBucket(double ratePerSecond, double burst);

	/// Takes one token if there is one.
	bool tryTake(std::int64_t nowMs);

	/// Whether tryTake(nowMs) would succeed, taking nothing.
	bool available(std::int64_t nowMs);

private:
	void refill(std::int64_t nowMs);

	double _ratePerMs;
	double _burst;
	double _tokens;
	std::int64_t _lastMs = 0;
	bool _started = false;
};

} // namespace webchat::chatroom

#endif
