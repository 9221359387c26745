//
// RedisNickReservations.h
//
// backend = redis: nick reservations in Redis, so every instance sharing it
// sees the same ones, across restarts of any of them. Keys (ns =
// redis_namespace):
//   ns:nick:<nick key>   the holder; expires by itself (PX) lifetimeMs
//                        after the holder's last claim
//   ns:nicks             sorted set of the reservation keys by last use,
//                        to drop the oldest beyond maxReservations
// A claim is one Lua script, so two instances claiming one nick at once
// are decided by Redis, one after the other.
//
// What claim() blocks on, on a join thread (JoinQueue.h): one
// mutex (other claims of this instance) and one round trip to Redis, a
// fraction of a millisecond, at most redis_timeout_ms when Redis stops
// answering (as a join to a shared room already waits for the nick's
// verdict). After a failure, claims answer Unavailable at once for a
// second instead of each waiting for the timeout again.
//

#ifndef WEBCHAT_CHATROOM_REDISNICKRESERVATIONS_INCLUDED
#define WEBCHAT_CHATROOM_REDISNICKRESERVATIONS_INCLUDED

#include "NickReservations.h"
#include "redis/RedisLink.h"
#include "redis/RedisOptions.h"

#include "Poco/Logger.h"

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

namespace webchat::chatroom::redis {

class RedisNickReservations final: public NickReservations
{
public:
	RedisNickReservations(const RedisOptions& options, std::int64_t lifetimeMs, std::size_t maxReservations, Poco::Logger& logger);

	Claim claim(const std::string& nickKey, const std::string& holder, std::int64_t nowMs) override;
	std::string describe() const override;

	/// KEYS: the nick's key, the sorted set. ARGV: holder, now (ms),
	/// lifetime (ms), max reservations. 1: granted, 0: another holder's.
	static const char* const ClaimScript;

private:
	const std::string _address;
	const std::string _nickPrefix;
	const std::string _byLastUse;
	const std::int64_t _lifetimeMs;
	const std::size_t _maxReservations;
	Poco::Logger& _logger;
	std::mutex _mutex;
	std::unique_ptr<Link> _link;
	std::chrono::steady_clock::time_point _failedAt; // the last failure (claims wait a second after it)
	bool _failing = false;
};

} // namespace webchat::chatroom::redis

#endif
