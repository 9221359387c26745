//
// AddressBuckets.h
//
// A budget per client address, across all of its connections: one token
// bucket per address (webchat::addressKey: an IPv4 address or an IPv6 /64),
// so reconnecting or opening more connections earns a client nothing.
// Buckets that are full again are forgotten (a new one would be full too),
// so the table holds only addresses active within the last burst / rate
// seconds. Thread-safe: one small lock per take, never per delivery.
//

#ifndef WEBCHAT_ENGINE_ADDRESSBUCKETS_INCLUDED
#define WEBCHAT_ENGINE_ADDRESSBUCKETS_INCLUDED

#include "webchat/engine/TokenBucket.h"

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

namespace webchat::engine {

class AddressBuckets
{
public:
	AddressBuckets(double ratePerSecond, double burst);

	/// Takes one token of address's bucket. When there is none, false, and
	/// retryAfterMs (if given) says when one is back.
	bool tryTake(const std::string& address, std::int64_t nowMs, std::int64_t* retryAfterMs = nullptr);

	/// Addresses with a bucket that is not full (for tests and metrics).
	std::size_t size() const;

private:
	void forgetFull(std::int64_t nowMs);

	const double _rate;
	const double _burst;
	mutable std::mutex _mutex;
	std::unordered_map<std::string, TokenBucket> _buckets;
	std::int64_t _nextSweepMs = 0;
};

} // namespace webchat::engine

#endif
