#include "redis/FeedReader.h"

#include "Clock.h"
#include "redis/FeedEntry.h"
#include "redis/RoomRecords.h"

#include "webchat/engine/Topic.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <set>

namespace webchat::chatroom::redis {

namespace {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

constexpr int feedBlockMs = 500;         // XREAD BLOCK: also how soon the thread sees a stop
constexpr std::int64_t feedCount = 1000; // entries per XREAD (FeedSet::Timing)
constexpr int feedPollMs = 10;           // with more rooms than one XREAD takes (FeedSet); a cluster's idle wait

// A typing notice older than this when read is dropped. Clients repeat
// theirs every 3 s while typing, and the page forgets one after 8 s.
constexpr std::int64_t TypingFreshMs = 5000;

// The time part of a stream entry id, "<ms>-<n>"; 0 if malformed.
std::int64_t entryTimeMs(std::string_view id)
{
	std::int64_t ms = 0;
	for (const char c : id)
	{
		if (c < '0' || c > '9' || ms > (INT64_MAX - 9) / 10) break;
		ms = ms * 10 + (c - '0');
	}
	return ms;
}

} // namespace

FeedReader::FeedReader(const RedisOptions& options, const std::string& instance, Poco::Logger& logger):
	_options(options),
	_keys(options.ns, options.cluster()),
	_instance(instance),
	_logger(logger),
	_link(options.link()),
	_streams(_keys.feed(), _keys.wake(instance)),
	_outage(LinkRole::FeedReader, options, instance, logger)
{
}

FeedReader::~FeedReader()
{
	stop();
}

void FeedReader::start(SharedRooms::Sink& sink)
{
	_sink = &sink;
	_thread = std::thread([this] { run(); });
}

void FeedReader::requestStop()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_stopping = true;
	_wake.notify_all();
}

void FeedReader::stop()
{
	requestStop();
	if (_thread.joinable()) _thread.join();
}

void FeedReader::watch(const std::string& room, const std::string& feedPosition)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_watched.emplace_back(room, feedPosition);
}

bool FeedReader::stopping()
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _stopping;
}

void FeedReader::run()
{
	auto nextCheck = Clock::now();
	const Milliseconds checkEvery(std::max<std::int64_t>(_options.presenceTtlMs / 2, 1));
	while (!stopping())
	{
		try
		{
			if (!_link->connected())
			{
				connect();
				// After an outage every instance's key may have expired: give
				// the live ones a full ttl to renew theirs before judging.
				nextCheck = Clock::now() + Milliseconds(_options.presenceTtlMs);
				_outage.connected();
			}
			readFeeds();
			if (Clock::now() >= nextCheck)
			{
				if (_options.idleRoomMs > 0) _sink->forgetRoomsEmptySince(Clock::now() - Milliseconds(_options.idleRoomMs));
				dropUnloaded();
				checkInstances();
				nextCheck = Clock::now() + checkEvery;
			}
		}
		catch (const std::exception& exc)
		{
			_link->disconnect();
			const auto backoff = _outage.failed(exc);
			std::unique_lock<std::mutex> lock(_mutex);
			_wake.wait_for(lock, backoff, [&] { return _stopping; });
		}
	}
	_link->disconnect();
}

void FeedReader::connect()
{
	_link->setTimeout(_options.timeout());
	_link->ensureConnected();
	if (_streams.globalPosition().empty())
	{
		// From here on: moderation before is in the records as loaded
		// (Moderation::load), the rooms' changes in their feeds (watch).
		_streams.setGlobalPosition(RedisLink::newestEntryId(_link->run(RedisLink::newestEntry(_keys.feed()))));
	}
	catchUp();
	_link->setTimeout(Poco::Timespan((_options.timeoutMs + feedBlockMs) * 1000));
}

void FeedReader::takeWatched()
{
	std::vector<std::pair<std::string, std::string>> watched;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		watched.swap(_watched);
	}
	for (const auto& [room, position] : watched) _streams.watch(room, _keys.feed(room), position);
	if (!watched.empty()) _roomsRead.store(_streams.size(), std::memory_order_relaxed);
}

void FeedReader::readFeeds()
{
	// The hot path: every change of the rooms loaded here, walked in the
	// connection's buffer (RespReader), each entry parsed into what it
	// carries.
	takeWatched();
	const FeedSet::Timing timing{feedCount, feedBlockMs, feedPollMs};
	std::size_t entries = 0;
	engine::PublishScope scope;
	const RespReader::EntryVisitor visit = [this](std::string_view stream, std::string_view id, const FeedEntry::Fields& fields) {
		// The wake-up stream's entries only end the blocking read.
		if (!_streams.isWake(stream)) handle(id, fields);
		_streams.advance(stream, id);
	};
	if (_keys.cluster())
	{
		// One XREAD per slot, every node's at once, none blocking: a
		// blocking read names one slot's streams and would hold back the
		// others. So after an idle pass the reader waits up to feedPollMs
		// on one stream (FeedSet::wait: the room that was busy last, or its
		// wake-up stream), then reads every slot with a room loaded here,
		// one pipeline per node. Measured (redis 7.0, 3 masters + 3
		// replicas on this 2-core machine, one member per room, 10 s
		// idle, two runs): ~60 passes a second; webchatd 0.5-0.6 % of a
		// core watching 100 rooms, 3.1-3.4 % watching 1,000 (~0.6 us per
		// XREAD), the six redis-servers together 2.6 % and 6.1-6.9 %
		// (1.4-2.1 % with no room). One busy room (100 clients, 10
		// senders): 12.8 k messages/s, 197 ns of webchatd CPU per delivery,
		// against 11.1 k and 274 ns with one Redis in the same run. A
		// message of a room other than the one waited on waits up to
		// feedPollMs more than with one Redis; under traffic the passes
		// follow each other without a wait. Per-node blocking reads would
		// need a connection and a thread per slot read: not worth it at
		// these figures.
		if (_lastPassIdle) entries += _link->readStreams(_streams.wait(timing), visit);
		// Built after the wait: its entries moved the positions.
		entries += _link->readStreams(_streams.slotReads(timing), visit);
	}
	else
	{
		// One pass: one XREAD, or several with many rooms (FeedSet).
		for (const auto& read : _streams.reads(timing, _lastPassIdle)) entries += _link->readStreams(read, visit);
	}
	_lastPassIdle = entries == 0;
}

void FeedReader::dropUnloaded()
{
	std::set<std::string> loaded;
	for (auto& [room, members] : _sink->localMembers()) loaded.insert(room);
	_streams.keepOnly(loaded);
	_roomsRead.store(_streams.size(), std::memory_order_relaxed);
}

void FeedReader::handle(std::string_view id, const FeedEntry::Fields& fields)
{
	const FeedEntry entry = FeedEntry::parse(fields);
	using Kind = FeedEntry::Kind;
	if (entry.kind == Kind::Message)
	{
		_messagesReceived.store(_messagesReceived.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
		deliverInOrder(entry.room, entry.epoch, entry.message);
		return;
	}
	// This instance's own presence changes were applied when they happened.
	if (entry.kind == Kind::Unknown || entry.instance == _instance) return;
	switch (entry.kind)
	{
	case Kind::Delete:
		_sink->removed(entry.room, entry.message.id, entry.by);
		return;
	case Kind::Kick:
		_sink->kicked(entry.room, entry.message.nick, entry.by, entry.reason);
		return;
	case Kind::Topic:
		_sink->topicChanged(entry.room, entry.message.text, entry.by);
		return;
	case Kind::Moderation:
		_sink->moderationChanged();
		return;
	case Kind::Typing:
		// Caught up after an outage, or read behind a long backlog, a notice
		// is stale: members would see someone typing who stopped long ago.
		if (wallClockMs() - entryTimeMs(id) <= TypingFreshMs) _sink->typing(entry.room, entry.message.nick);
		return;
	default:
		break;
	}
	SharedRooms::Presence change;
	change.instance = entry.instance;
	change.nick = entry.message.nick;
	switch (entry.kind)
	{
	case Kind::Join:
		change.kind = SharedRooms::Presence::Kind::Join;
		break;
	case Kind::Leave:
		change.kind = SharedRooms::Presence::Kind::Leave;
		break;
	case Kind::Rename:
		change.kind = SharedRooms::Presence::Kind::Rename;
		change.newNick = entry.newNick;
		break;
	case Kind::Sync:
		change.kind = SharedRooms::Presence::Kind::Replace;
		change.nicks = entry.nicks;
		break;
	default:
		return;
	}
	_sink->presence(entry.room, change);
}

void FeedReader::deliverInOrder(const std::string& room, const std::string& epoch, const HistoryStore::Message& message)
{
	const auto position = _sink->position(room);
	if (!position) return; // not loaded here: its first join reads the log
	if (position->epoch != epoch)
	{
		// A copy with no messages takes the epoch the first post stored;
		// one with messages loads the room again.
		if (position->lastId == 0 && fillFrom(room, epoch, 1, message.id - 1))
			_sink->message(room, epoch, message);
		else
			_sink->reload(room);
		return;
	}
	if (message.id <= position->lastId) return; // delivered already (caught up from the log)
	if (message.id > position->lastId + 1 && !fillFrom(room, epoch, position->lastId + 1, message.id - 1))
	{
		_sink->reload(room);
		return;
	}
	_sink->message(room, epoch, message);
}

bool FeedReader::fillFrom(const std::string& room, const std::string& epoch, std::uint64_t first, std::uint64_t last)
{
	if (first > last) return true;
	const auto entries = RedisLink::array(_link->run(RedisLink::command({"XRANGE", _keys.log(room), "0-" + std::to_string(first), "0-" + std::to_string(last)})));
	std::uint64_t expected = first;
	if (!entries.isNull())
	{
		for (auto it = entries.begin(); it != entries.end(); ++it)
		{
			const HistoryStore::Message message = logMessage(*it);
			if (message.id != expected) return false; // trimmed away
			_sink->message(room, epoch, message);
			++expected;
		}
	}
	return expected == last + 1;
}

void FeedReader::catchUp()
{
	engine::PublishScope scope;
	for (const auto& [room, members] : _sink->localMembers())
	{
		const auto position = _sink->position(room);
		if (!position) continue;
		const auto replies = _link->pipeline({
			RedisLink::command({"HGET", _keys.meta(room), "epoch"}),
			RedisLink::command({"HGET", _keys.meta(room), "seq"}),
		});
		const auto epoch = RedisLink::bulk(replies[0]);
		const std::uint64_t seq = parseCounter(RedisLink::bulk(replies[1]).value_or("0"));
		if (epoch && *epoch != position->epoch && position->lastId != 0)
			_sink->reload(room);
		else if (epoch && seq > position->lastId && !fillFrom(room, *epoch, position->lastId + 1, seq))
			_sink->reload(room);
		// As Redis has them: an instance whose key expired during the outage
		// may be renewing it right now; checkInstances() judges later.
		_sink->remoteMembers(room, byNick(otherInstancesMembers(*_link, _keys, room, _instance)));
	}
}

void FeedReader::checkInstances()
{
	const auto instances = _sink->remoteInstances();
	if (instances.empty()) return;
	std::vector<RedisLink::Command> checks;
	for (const auto& instance : instances) checks.push_back(RedisLink::command({"EXISTS", _keys.instance(instance)}));
	const auto replies = _link->pipeline(checks);
	for (std::size_t i = 0; i < instances.size(); ++i)
	{
		if (RedisLink::isError(replies[i]) || RedisLink::integer(replies[i]) != 0) continue;
		_logger.notice("instance " + instances[i] + " stopped renewing its presence: its members leave");
		_sink->instanceGone(instances[i]);
	}
}

} // namespace webchat::chatroom::redis
