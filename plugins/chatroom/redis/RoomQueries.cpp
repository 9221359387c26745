#include "redis/RoomQueries.h"

#include "redis/RedisScripts.h"
#include "redis/RoomRecords.h"

#include "Poco/Redis/Exception.h"

#include <algorithm>
#include <vector>

namespace webchat::chatroom::redis {

namespace {

// Forgets the nick of key ARGV[1] in a presence hash if the instance
// ARGV[2] still holds it (it may have joined again meanwhile).
const char* const forgetDeadMember =
	"local held = redis.call('HGET', KEYS[1], ARGV[1]) "
	"if held and string.match(held, '^[^\\n]*') == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

// The tombstones of a room's deleted hash (HGETALL: id, by, id, by...) with
// ids from lowest to highest, in place of the logged messages of those ids
// or beside them; then all in id order.
void placeTombstones(std::vector<HistoryStore::Message>& messages, const RedisLink::Reply& deletedReply, std::uint64_t lowest, std::uint64_t highest)
{
	const auto deleted = RedisLink::array(deletedReply);
	if (!deleted.isNull())
	{
		for (std::size_t i = 0; i + 1 < deleted.size(); i += 2)
		{
			const std::uint64_t id = parseCounter(RedisLink::bulk(*(deleted.begin() + i)).value_or("0"));
			if (id < lowest || id > highest) continue;
			HistoryStore::Message tombstone;
			tombstone.id = id;
			tombstone.deletedBy = RedisLink::bulk(*(deleted.begin() + i + 1)).value_or("");
			const auto logged = std::find_if(messages.begin(), messages.end(), [&](const auto& message) { return message.id == id; });
			if (logged != messages.end())
				*logged = std::move(tombstone);
			else
				messages.push_back(std::move(tombstone));
		}
	}
	std::sort(messages.begin(), messages.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
}

} // namespace

RoomQueries::RoomQueries(const RedisOptions& options, const std::string& instance):
	_keys(options.ns, options.cluster()),
	_instance(instance),
	_link(options.link())
{
}

RoomQueries::Loaded RoomQueries::loadRoom(const std::string& name, std::size_t maxMessages)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const std::string meta = _keys.meta(name);
	// The keys of before the hash tags first (once; one Redis only: in a
	// Redis Cluster they are in other slots, and no deployment had them
	// there); then the feed's newest entry: Redis runs one connection's
	// commands in order (one slot, one node in a cluster), so what the
	// room's state below lacks comes after it.
	std::vector<RedisLink::Command> commands;
	if (!_keys.cluster())
	{
		RedisLink::Command adopt{"EVAL", Scripts::adopt, "9"};
		for (const char* part : {"meta", "log", "senders", "deleted"}) adopt << _keys.untagged(name, part);
		adopt << meta << _keys.log(name) << _keys.senders(name) << _keys.deleted(name) << _keys.untagged(name, "presence");
		commands.push_back(std::move(adopt));
	}
	const std::size_t first = commands.size(); // the replies below, from here
	commands.insert(commands.end(), {
		RedisLink::newestEntry(_keys.feed(name)),
		RedisLink::command({"HSETNX", meta, "epoch", HistoryStore::newEpoch()}),
		RedisLink::command({"HGET", meta, "epoch"}),
		RedisLink::command({"HGET", meta, "seq"}),
		RedisLink::command({"XREVRANGE", _keys.log(name), "+", "-", "COUNT", std::to_string(std::max<std::size_t>(maxMessages, 1))}),
		RedisLink::command({"HGETALL", _keys.deleted(name)}),
	});
	const auto all = _link->pipeline(commands);
	for (const auto& reply : all)
		if (RedisLink::isError(reply)) throw Poco::Redis::RedisException(RedisLink::errorText(reply));
	const std::vector<RedisLink::Reply> replies(all.begin() + static_cast<std::ptrdiff_t>(first), all.end());
	Loaded loaded;
	loaded.feedPosition = RedisLink::newestEntryId(replies[0]);
	HistoryStore::Room& room = loaded.room;
	room.epoch = RedisLink::bulk(replies[2]).value_or(HistoryStore::newEpoch());
	room.lastId = parseCounter(RedisLink::bulk(replies[3]).value_or("0"));
	const auto newest = RedisLink::array(replies[4]);
	if (!newest.isNull())
	{
		for (auto it = newest.begin(); it != newest.end(); ++it) room.recent.push_back(logMessage(*it));
	}
	if (!room.recent.empty()) room.lastId = std::max(room.lastId, room.recent.front().id);
	// Deleted messages left the log (XDEL): their tombstones take their
	// places, so the newest run stays unbroken.
	const std::uint64_t oldest = room.lastId > maxMessages ? room.lastId - maxMessages + 1 : 1;
	placeTombstones(room.recent, replies[5], oldest, room.lastId);
	HistoryStore::keepNewestRun(room, maxMessages);
	room.remoteMembers = liveOtherMembers(name);
	return loaded;
}

void RoomQueries::wake(const std::string& key)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto replies = _link->pipeline({
		RedisLink::command({"XADD", key, "MAXLEN", "1", "*", "t", "w"}),
		RedisLink::command({"PEXPIRE", key, "86400000"}),
	});
	for (const auto& reply : replies)
		if (RedisLink::isError(reply)) throw Poco::Redis::RedisException(RedisLink::errorText(reply));
}

std::vector<HistoryStore::Message> RoomQueries::loadBefore(const std::string& name, std::uint64_t before, std::size_t limit)
{
	if (limit == 0 || before <= 1) return {};
	std::vector<RedisLink::Reply> replies;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		// Entry ids are 0-<message id>: "(" makes the end exclusive.
		replies = _link->pipeline({
			RedisLink::command({"XREVRANGE", _keys.log(name), "(0-" + std::to_string(before), "-", "COUNT", std::to_string(limit)}),
			RedisLink::command({"HGETALL", _keys.deleted(name)}),
		});
	}
	for (const auto& reply : replies)
		if (RedisLink::isError(reply)) throw Poco::Redis::RedisException(RedisLink::errorText(reply));
	std::vector<HistoryStore::Message> messages;
	const auto logged = RedisLink::array(replies[0]);
	if (!logged.isNull())
		for (auto it = logged.begin(); it != logged.end(); ++it) messages.push_back(logMessage(*it));
	// Deleted messages left the log: their tombstones fill their places
	// among the ids the log's entries span (all the older ones when the log
	// had fewer than limit), and the newest limit of both are kept.
	const std::uint64_t lowest = messages.size() == limit ? messages.back().id : 1;
	placeTombstones(messages, replies[1], lowest, before - 1);
	if (messages.size() > limit) messages.erase(messages.begin(), messages.end() - static_cast<std::ptrdiff_t>(limit));
	return messages;
}

std::map<std::string, std::string> RoomQueries::liveOtherMembers(const std::string& room)
{
	auto members = otherInstancesMembers(*_link, _keys, room, _instance);
	if (members.empty()) return {};
	std::vector<std::string> instances;
	for (const auto& member : members)
		if (std::find(instances.begin(), instances.end(), member.instance) == instances.end()) instances.push_back(member.instance);
	std::vector<RedisLink::Command> checks;
	for (const auto& instance : instances) checks.push_back(RedisLink::command({"EXISTS", _keys.instance(instance)}));
	const auto alive = _link->pipeline(checks);
	std::vector<RedisLink::Command> cleanups;
	const std::string presence = _keys.presence(room);
	for (std::size_t i = 0; i < instances.size(); ++i)
	{
		if (!RedisLink::isError(alive[i]) && RedisLink::integer(alive[i]) != 0) continue;
		for (auto member = members.begin(); member != members.end();)
		{
			if (member->instance != instances[i])
			{
				++member;
				continue;
			}
			cleanups.push_back(RedisLink::command({"EVAL", forgetDeadMember, "1", presence, member->key, member->instance}));
			member = members.erase(member);
		}
	}
	if (!cleanups.empty()) _link->pipeline(cleanups);
	return byNick(members);
}

} // namespace webchat::chatroom::redis
