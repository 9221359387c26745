#include "RedisScripts.h"

// Every script that adds to a room's feed starts with this: feedAdd(key,
// window, fields...) appends an entry and trims the feed to the changes of
// the last window ms (by the entries' ids, which are this Redis's clock),
// and the key expires once nothing was added for that long. A feed is
// what instances read to follow the room; the log keeps the messages, so
// an instance further behind than the window fills them from there.
#define WEBCHAT_FEED_ADD \
	"local function feedAdd(key, window, ...)\n" \
	"  local now = redis.call('TIME')\n" \
	"  local oldest = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) - tonumber(window)\n" \
	"  redis.call('XADD', key, 'MINID', '~', string.format('%d', oldest), '*', ...)\n" \
	"  redis.call('PEXPIRE', key, window)\n" \
	"end\n"

namespace webchat::chatroom::redis {

const char* const Scripts::post = WEBCHAT_FEED_ADD R"lua(
local hw = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '0')
if tonumber(ARGV[2]) <= hw then return 0 end
redis.call('HSET', KEYS[3], ARGV[1], ARGV[2])
redis.call('PEXPIRE', KEYS[3], 86400000)
local epoch = redis.call('HGET', KEYS[1], 'epoch')
if not epoch then
  epoch = ARGV[3]
  redis.call('HSET', KEYS[1], 'epoch', epoch)
end
local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
-- Never behind what an instance has seen (Redis lost its data) nor the log.
if epoch == ARGV[3] and tonumber(ARGV[4]) > seq then seq = tonumber(ARGV[4]) end
local newest = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
if #newest > 0 then
  local logged = tonumber(string.sub(newest[1][1], 3))
  if logged > seq then seq = logged end
end
seq = seq + 1
redis.call('HSET', KEYS[1], 'seq', string.format('%d', seq))
local id = string.format('0-%d', seq)
if tonumber(ARGV[9]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[9], id, 'nick', ARGV[5], 'text', ARGV[6], 'ts', ARGV[7], 'from', ARGV[11], 'v', ARGV[12])
else
  redis.call('XADD', KEYS[2], id, 'nick', ARGV[5], 'text', ARGV[6], 'ts', ARGV[7], 'from', ARGV[11], 'v', ARGV[12])
end
feedAdd(KEYS[4], ARGV[10], 't', 'm', 'r', ARGV[8], 'i', ARGV[1], 'e', epoch,
  'id', string.format('%d', seq), 'nick', ARGV[5], 'text', ARGV[6], 'ts', ARGV[7], 'from', ARGV[11], 'v', ARGV[12])
return seq
)lua";

// A presence field's value is "<instance>\n<nick as shown>", and
// "\n<from>" after it while the member is away within its leave grace on
// that instance; its owner is the part before the first newline (nicks and
// public ids hold no control characters).

const char* const Scripts::join = WEBCHAT_FEED_ADD R"lua(
local held = redis.call('HGET', KEYS[1], ARGV[2])
local owner = held and string.match(held, '^[^\n]*')
if owner and owner ~= ARGV[1] and redis.call('EXISTS', ARGV[5] .. owner) == 1 then
  -- Held by a live instance: only its own speaker takes it over, and only
  -- while it is away there (its leave grace, see away).
  local awayFrom = string.match(held, '^[^\n]*\n[^\n]*\n(.+)$')
  if ARGV[7] == '' or awayFrom ~= ARGV[7] then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[1] .. '\n' .. ARGV[3])
feedAdd(KEYS[2], ARGV[6], 't', 'j', 'r', ARGV[4], 'i', ARGV[1], 'nick', ARGV[3])
return 1
)lua";

const char* const Scripts::away = R"lua(
local held = redis.call('HGET', KEYS[1], ARGV[2])
if not held or ARGV[3] == '' or string.match(held, '^[^\n]*') ~= ARGV[1] then return 0 end
redis.call('HSET', KEYS[1], ARGV[2], ARGV[1] .. '\n' .. string.match(held, '^[^\n]*\n([^\n]*)') .. '\n' .. ARGV[3])
return 1
)lua";

const char* const Scripts::leave = WEBCHAT_FEED_ADD R"lua(
local held = redis.call('HGET', KEYS[1], ARGV[2])
if not held or string.match(held, '^[^\n]*') ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[2])
feedAdd(KEYS[2], ARGV[5], 't', 'l', 'r', ARGV[4], 'i', ARGV[1], 'nick', ARGV[3])
return 1
)lua";

const char* const Scripts::rename = WEBCHAT_FEED_ADD R"lua(
if ARGV[4] ~= ARGV[2] then
  local held = redis.call('HGET', KEYS[1], ARGV[4])
  local owner = held and string.match(held, '^[^\n]*')
  if owner and redis.call('EXISTS', ARGV[7] .. owner) == 1 then return 0 end
  local mine = redis.call('HGET', KEYS[1], ARGV[2])
  if mine and string.match(mine, '^[^\n]*') == ARGV[1] then redis.call('HDEL', KEYS[1], ARGV[2]) end
end
redis.call('HSET', KEYS[1], ARGV[4], ARGV[1] .. '\n' .. ARGV[5])
feedAdd(KEYS[2], ARGV[8], 't', 'n', 'r', ARGV[6], 'i', ARGV[1], 'nick', ARGV[3], 'to', ARGV[5])
return 1
)lua";

const char* const Scripts::sync = WEBCHAT_FEED_ADD R"lua(
local mine = {}
for i = 5, #ARGV, 2 do mine[ARGV[i]] = true end
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.match(all[i + 1], '^[^\n]*') == ARGV[1] and not mine[all[i]] then redis.call('HDEL', KEYS[1], all[i]) end
end
local nicks = {}
for i = 5, #ARGV, 2 do
  local held = redis.call('HGET', KEYS[1], ARGV[i])
  local owner = held and string.match(held, '^[^\n]*')
  if (not owner) or owner == ARGV[1] or redis.call('EXISTS', ARGV[3] .. owner) == 0 then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[1] .. '\n' .. ARGV[i + 1])
  end
  -- Listed even when another instance took the nick meanwhile: the member
  -- is here all the same.
  table.insert(nicks, ARGV[i + 1])
end
feedAdd(KEYS[2], ARGV[4], 't', 's', 'r', ARGV[2], 'i', ARGV[1], 'nicks', table.concat(nicks, '\n'))
return 1
)lua";

const char* const Scripts::adopt = R"lua(
if redis.call('EXISTS', KEYS[5]) == 1 or redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
for i = 1, 4 do
  if redis.call('EXISTS', KEYS[i]) == 1 then redis.call('RENAME', KEYS[i], KEYS[i + 4]) end
end
redis.call('DEL', KEYS[9])
return 1
)lua";

const char* const Scripts::remove = WEBCHAT_FEED_ADD R"lua(
redis.call('XDEL', KEYS[1], '0-' .. ARGV[3])
redis.call('HSET', KEYS[2], ARGV[3], ARGV[4])
feedAdd(KEYS[3], ARGV[5], 't', 'd', 'r', ARGV[2], 'i', ARGV[1], 'id', ARGV[3], 'by', ARGV[4])
return 1
)lua";

#undef WEBCHAT_FEED_ADD

} // namespace webchat::chatroom::redis
