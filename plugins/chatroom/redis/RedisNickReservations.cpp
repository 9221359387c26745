#include "redis/RedisNickReservations.h"

#include "redis/Keyspace.h"

#include "webchat/ErrorText.h"

#include <algorithm>

namespace webchat::chatroom::redis {

namespace {

constexpr auto QuietAfterFailure = std::chrono::seconds(1);

} // namespace

// A key in the sorted set whose own key expired is stale: dropped with the
// expired scores before counting. Trimming deletes keys the script was not
// given (KEYS): fine on one Redis, and in a Redis Cluster too, where every
// reservation's key carries the deployment's hash tag (Keyspace.h): one slot.
const char* const RedisNickReservations::ClaimScript = R"lua(
local held = redis.call('GET', KEYS[1])
if held and held ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], KEYS[1])
if not held then
	redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', tonumber(ARGV[2]) - tonumber(ARGV[3]))
	local excess = redis.call('ZCARD', KEYS[2]) - tonumber(ARGV[4])
	if excess > 0 then
		for _, key in ipairs(redis.call('ZRANGE', KEYS[2], 0, excess - 1)) do redis.call('DEL', key) end
		redis.call('ZREMRANGEBYRANK', KEYS[2], 0, excess - 1)
	end
end
return 1
)lua";

RedisNickReservations::RedisNickReservations(const RedisOptions& options, std::int64_t lifetimeMs, std::size_t maxReservations, Poco::Logger& logger):
	_address(options.where()),
	_nickPrefix(Keyspace(options.ns, options.cluster()).nickPrefix()),
	_byLastUse(Keyspace(options.ns, options.cluster()).nicksByLastUse()),
	_lifetimeMs(lifetimeMs),
	_maxReservations(std::max<std::size_t>(maxReservations, 1)),
	_logger(logger),
	_link(options.link())
{
}

NickReservations::Claim RedisNickReservations::claim(const std::string& nickKey, const std::string& holder, std::int64_t nowMs)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_failing && std::chrono::steady_clock::now() - _failedAt < QuietAfterFailure) return Claim::Unavailable;
	try
	{
		const auto reply = _link->run(RedisLink::command({"EVAL", ClaimScript, "2", _nickPrefix + nickKey, _byLastUse, holder, std::to_string(nowMs),
			std::to_string(_lifetimeMs), std::to_string(_maxReservations)}));
		if (_failing) _logger.information("nick reservations: Redis at " + _address + " answers again");
		_failing = false;
		return RedisLink::integer(reply) == 1 ? Claim::Granted : Claim::Reserved;
	}
	catch (const std::exception& exc)
	{
		_link->disconnect();
		if (!_failing) _logger.error("nick reservations: Redis at " + _address + " fails (" + webchat::describe(exc) + "); nicks are let in unreserved until it is back");
		_failing = true;
		_failedAt = std::chrono::steady_clock::now();
		return Claim::Unavailable;
	}
}

std::string RedisNickReservations::describe() const
{
	return "in Redis at " + _address + " (" + _nickPrefix + "*), " + describeLimits(_lifetimeMs, _maxReservations);
}

} // namespace webchat::chatroom::redis
