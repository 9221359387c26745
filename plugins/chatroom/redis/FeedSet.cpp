#include "redis/FeedSet.h"

#include "redis/KeySlot.h"

#include <algorithm>

namespace webchat::chatroom::redis {

FeedSet::FeedSet(std::string globalFeed, std::string wake):
	_global{std::move(globalFeed), ""},
	_wake{std::move(wake), "0-0"}
{
}

void FeedSet::watch(const std::string& room, const std::string& feed, const std::string& position)
{
	const auto [it, added] = _rooms.try_emplace(feed, RoomFeed{room, position, true});
	if (!added) it->second.fresh = true;
}

std::vector<std::string> FeedSet::keepOnly(const std::set<std::string>& loaded)
{
	std::vector<std::string> dropped;
	for (auto it = _rooms.begin(); it != _rooms.end();)
	{
		if (!it->second.fresh && loaded.count(it->second.room) == 0)
		{
			dropped.push_back(it->second.room);
			it = _rooms.erase(it);
			continue;
		}
		it->second.fresh = false;
		++it;
	}
	return dropped;
}

void FeedSet::advance(std::string_view stream, std::string_view id)
{
	if (stream == _global.key)
		_global.position.assign(id);
	else if (stream == _wake.key)
		_wake.position.assign(id);
	else if (const auto it = _rooms.find(stream); it != _rooms.end())
	{
		it->second.position.assign(id);
		if (_lastActive != stream) _lastActive.assign(stream);
	}
}

std::vector<std::string> FeedSet::rooms() const
{
	std::vector<std::string> result;
	result.reserve(_rooms.size());
	for (const auto& [feed, room] : _rooms) result.push_back(room.room);
	return result;
}

std::string FeedSet::position(std::string_view stream) const
{
	if (stream == _global.key) return _global.position;
	if (stream == _wake.key) return _wake.position;
	const auto it = _rooms.find(stream);
	return it == _rooms.end() ? std::string() : it->second.position;
}

std::vector<RedisLink::Command> FeedSet::reads(const Timing& timing, bool lastPassIdle) const
{
	// Every stream as (key, position), the global feed and the wake-up
	// stream first.
	std::vector<std::pair<const std::string*, const std::string*>> streams;
	streams.reserve(_rooms.size() + 2);
	streams.emplace_back(&_global.key, &_global.position);
	streams.emplace_back(&_wake.key, &_wake.position);
	for (const auto& [feed, room] : _rooms) streams.emplace_back(&feed, &room.position);
	const bool several = streams.size() > MaxStreamsPerRead;
	std::vector<RedisLink::Command> reads;
	for (std::size_t first = 0; first < streams.size(); first += MaxStreamsPerRead)
	{
		const std::size_t end = std::min(streams.size(), first + MaxStreamsPerRead);
		const auto perStream = std::max(MinCountPerStream, timing.count / static_cast<std::int64_t>(end - first));
		RedisLink::Command read{"XREAD", "COUNT", std::to_string(perStream)};
		if (!several)
			read << "BLOCK" << std::to_string(timing.blockMs);
		else if (first == 0 && lastPassIdle)
			read << "BLOCK" << std::to_string(timing.pollMs);
		read << "STREAMS";
		for (std::size_t i = first; i < end; ++i) read << *streams[i].first;
		for (std::size_t i = first; i < end; ++i) read << *streams[i].second;
		reads.push_back(std::move(read));
	}
	return reads;
}

RedisLink::Command FeedSet::wait(const Timing& timing) const
{
	const auto active = _rooms.find(_lastActive);
	const Stream& stream = active == _rooms.end() ? _wake : Stream{active->first, active->second.position};
	return RedisLink::Command{"XREAD", "COUNT", std::to_string(timing.count), "BLOCK", std::to_string(timing.pollMs), "STREAMS", stream.key,
		stream.position};
}

std::vector<RedisLink::Command> FeedSet::slotReads(const Timing& timing) const
{
	std::vector<RedisLink::Command> reads;
	// Every stream as (key, position), by slot.
	std::map<std::uint16_t, std::vector<std::pair<const std::string*, const std::string*>>> bySlot;
	for (const Stream* stream : {&_global, &_wake}) bySlot[keySlot(stream->key)].emplace_back(&stream->key, &stream->position);
	for (const auto& [feed, room] : _rooms) bySlot[keySlot(feed)].emplace_back(&feed, &room.position);
	for (const auto& [slot, streams] : bySlot)
	{
		const auto perStream = std::max(MinCountPerStream, timing.count / static_cast<std::int64_t>(streams.size()));
		RedisLink::Command read{"XREAD", "COUNT", std::to_string(perStream), "STREAMS"};
		for (const auto& stream : streams) read << *stream.first;
		for (const auto& stream : streams) read << *stream.second;
		reads.push_back(std::move(read));
	}
	return reads;
}

} // namespace webchat::chatroom::redis
