#include "redis/RedisRooms.h"

#include "redis/FeedEntry.h"
#include "redis/RedisScripts.h"

#include "webchat/engine/Topic.h"

#include "Poco/Exception.h"
#include "Poco/NumberParser.h"
#include "Poco/Redis/Exception.h"

#include <algorithm>
#include <chrono>

namespace webchat::chatroom::redis {

namespace {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

enum ScriptIndex
{
	PostScript,
	JoinScript,
	LeaveScript,
	RenameScript,
	SyncScript
};

const char* const scriptSources[] = {Scripts::post, Scripts::join, Scripts::leave, Scripts::rename, Scripts::sync};

constexpr std::size_t maxBatch = 512;       // operations per pipeline
constexpr int feedBlockMs = 500;            // XREAD BLOCK: also how soon the reader sees a stop
constexpr std::int64_t feedCount = 1000;    // entries per XREAD
constexpr Milliseconds firstBackoff{100};
constexpr Milliseconds maxBackoff{5000};

const char* const forgetDeadMember = "if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end return 0";

// Error replies that say "not now" rather than "never": NOSCRIPT (a Redis
// that lost its scripts gets them again on reconnection), LOADING (a
// restarted Redis reading its data), BUSY, OOM, MISCONF (persistence
// failing), READONLY/MASTERDOWN/NOREPLICAS (a replica or failover),
// TRYAGAIN, CLUSTERDOWN.
bool isTransient(const std::string& error)
{
	for (const char* code : {"NOSCRIPT", "LOADING", "BUSY", "OOM", "MISCONF", "READONLY", "MASTERDOWN", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN"})
	{
		const std::size_t length = std::char_traits<char>::length(code);
		if (error.compare(0, length, code) == 0 && (error.size() == length || error[length] == ' ')) return true;
	}
	return false;
}

std::uint64_t parseId(const std::string& text)
{
	Poco::UInt64 value = 0;
	return Poco::NumberParser::tryParseUnsigned64(text, value) ? value : 0;
}

// "0-<id>": a room log's entry id.
std::uint64_t logEntryId(const std::string& streamId)
{
	return streamId.size() > 2 && streamId.compare(0, 2, "0-") == 0 ? parseId(streamId.substr(2)) : 0;
}

HistoryStore::Message logMessage(const std::string& streamId, const std::vector<std::pair<std::string, std::string>>& fields)
{
	HistoryStore::Message message;
	message.id = logEntryId(streamId);
	for (const auto& [name, value] : fields)
	{
		if (name == "nick")
			message.nick = value;
		else if (name == "text")
			message.text = value;
		else if (name == "ts")
		{
			Poco::Int64 ts = 0;
			if (Poco::NumberParser::tryParse64(value, ts)) message.ts = ts;
		}
	}
	return message;
}

} // namespace

RedisRooms::RedisRooms(Options options, Poco::Logger& logger):
	_options(std::move(options)),
	_instance(newEpoch()),
	_logger(logger),
	_writer(_options.address, Poco::Timespan(_options.timeoutMs * 1000), _options.credentials),
	_reader(_options.address, Poco::Timespan(_options.timeoutMs * 1000), _options.credentials),
	_query(_options.address, Poco::Timespan(_options.timeoutMs * 1000), _options.credentials)
{
}

RedisRooms::~RedisRooms()
{
	close();
}

std::string RedisRooms::describe() const
{
	return "redis at " + _options.address + ", namespace " + _options.ns + ", this instance " + _instance + ", " +
		(_options.logLength ? std::to_string(_options.logLength) : std::string("all")) + " messages kept per room";
}

std::string RedisRooms::key(const std::string& room, const char* part) const
{
	return _options.ns + ":room:" + room + ":" + part;
}

std::string RedisRooms::instanceKey(const std::string& instance) const
{
	return _options.ns + ":instance:" + instance;
}

// Starting ---------------------------------------------------------------------

void RedisRooms::attach(Sink& sink)
{
	_sink = &sink;
	_writerThread = std::thread([this] { writerLoop(); });
	_readerThread = std::thread([this] { readerLoop(); });
}

// Loading a room (an I/O thread, under the room's lock) -------------------------

HistoryStore::Room RedisRooms::loadRoom(const std::string& name, std::size_t maxMessages)
{
	std::lock_guard<std::mutex> lock(_queryMutex);
	// A room Redis does not know gets its epoch here, from whichever
	// instance loads it first.
	const auto replies = _query.pipeline({
		RedisLink::command({"HSETNX", key(name, "meta"), "epoch", newEpoch()}),
		RedisLink::command({"HGET", key(name, "meta"), "epoch"}),
		RedisLink::command({"HGET", key(name, "meta"), "seq"}),
		RedisLink::command({"XREVRANGE", key(name, "log"), "+", "-", "COUNT", std::to_string(std::max<std::size_t>(maxMessages, 1))}),
	});
	for (const auto& reply : replies)
		if (RedisLink::isError(reply)) throw Poco::Redis::RedisException(RedisLink::errorText(reply));
	Room room;
	room.epoch = RedisLink::bulk(replies[1]).value_or(newEpoch());
	room.lastId = parseId(RedisLink::bulk(replies[2]).value_or("0"));
	const auto& newest = RedisLink::array(replies[3]);
	if (!newest.isNull())
	{
		for (auto it = newest.begin(); it != newest.end(); ++it)
		{
			const auto entry = RedisLink::streamEntry(*it);
			room.recent.push_back(logMessage(entry.first, entry.second));
		}
	}
	std::reverse(room.recent.begin(), room.recent.end());
	if (!room.recent.empty()) room.lastId = std::max(room.lastId, room.recent.back().id);
	keepNewestRun(room, maxMessages);
	room.remoteMembers = remoteMembers(_query, name, true);
	return room;
}

std::map<std::string, std::string> RedisRooms::remoteMembers(RedisLink& link, const std::string& room, bool onlyLive)
{
	const std::string presence = key(room, "presence");
	std::map<std::string, std::string> members;
	const auto all = link.run(RedisLink::command({"HGETALL", presence}));
	const auto& pairs = RedisLink::array(all);
	if (pairs.isNull()) return members;
	for (auto it = pairs.begin(); it != pairs.end() && it + 1 != pairs.end(); it += 2)
	{
		std::string instance = RedisLink::bulk(*(it + 1)).value_or("");
		if (instance != _instance) members.emplace(RedisLink::bulk(*it).value_or(""), std::move(instance));
	}
	if (!onlyLive) return members;
	// Members of instances that stopped renewing their key are gone.
	std::vector<std::string> instances;
	for (const auto& member : members)
		if (std::find(instances.begin(), instances.end(), member.second) == instances.end()) instances.push_back(member.second);
	std::vector<RedisLink::Command> checks;
	for (const auto& instance : instances) checks.push_back(RedisLink::command({"EXISTS", instanceKey(instance)}));
	const auto alive = link.pipeline(checks);
	std::vector<RedisLink::Command> cleanups;
	for (std::size_t i = 0; i < instances.size(); ++i)
	{
		if (!RedisLink::isError(alive[i]) && RedisLink::integer(alive[i]) != 0) continue;
		for (auto member = members.begin(); member != members.end();)
		{
			if (member->second != instances[i])
			{
				++member;
				continue;
			}
			cleanups.push_back(RedisLink::command({"EVAL", forgetDeadMember, "1", presence, member->first, member->second}));
			member = members.erase(member);
		}
	}
	if (!cleanups.empty()) link.pipeline(cleanups);
	return members;
}

// What the rooms hand over (I/O threads) ------------------------------------------

SharedRooms::Posted RedisRooms::post(const std::string& room, const Position& seen, Message message)
{
	std::lock_guard<std::mutex> lock(_mutex);
	// Bounded whether Redis is away or only slower than the clients.
	if (_queuedPosts >= _options.queueLimit || _closed) return Posted::Refused;
	const bool up = _linkUp.load(std::memory_order_relaxed);
	Operation operation{Operation::Kind::Post, room,
		{std::to_string(++_postSequence), seen.epoch, std::to_string(seen.lastId), std::move(message.nick), std::move(message.text), std::to_string(message.ts)},
		nullptr};
	_operations.push_back(std::move(operation));
	++_queuedPosts;
	_wake.notify_one();
	return up ? Posted::Sent : Posted::Delayed;
}

void RedisRooms::enqueue(Operation operation)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_closed) return; // the writer is gone or going: nothing would send it
	_operations.push_back(std::move(operation));
	_wake.notify_one();
}

SharedRooms::Verdict RedisRooms::waitFor(Operation operation)
{
	if (!_linkUp.load(std::memory_order_relaxed)) return Verdict::Unavailable;
	operation.verdict = std::make_shared<std::promise<bool>>();
	auto verdict = operation.verdict->get_future();
	enqueue(std::move(operation));
	if (verdict.wait_for(Milliseconds(_options.timeoutMs)) != std::future_status::ready) return Verdict::Unavailable;
	return verdict.get() ? Verdict::Accepted : Verdict::Taken;
}

SharedRooms::Verdict RedisRooms::join(const std::string& room, const std::string& nick)
{
	return waitFor({Operation::Kind::Join, room, {nick}, nullptr});
}

SharedRooms::Verdict RedisRooms::rename(const std::string& room, const std::string& from, const std::string& to)
{
	return waitFor({Operation::Kind::Rename, room, {from, to}, nullptr});
}

void RedisRooms::leave(const std::string& room, const std::string& nick)
{
	enqueue({Operation::Kind::Leave, room, {nick}, nullptr});
}

std::size_t RedisRooms::queued() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _operations.size();
}

RedisLink::Command RedisRooms::build(const Operation& operation) const
{
	const std::string feedCap = std::to_string(_options.feedLength);
	const std::string prefix = _options.ns + ":instance:";
	const auto& a = operation.args;
	RedisLink::Command command;
	switch (operation.kind)
	{
	case Operation::Kind::Post:
		command << "EVALSHA" << _scriptIds[PostScript] << "4" << key(operation.room, "meta") << key(operation.room, "log") << key(operation.room, "senders")
				<< (_options.ns + ":feed") << _instance << a[0] << a[1] << a[2] << a[3] << a[4] << a[5] << operation.room
				<< std::to_string(_options.logLength) << feedCap;
		break;
	case Operation::Kind::Join:
		command << "EVALSHA" << _scriptIds[JoinScript] << "2" << key(operation.room, "presence") << (_options.ns + ":feed") << _instance << a[0]
				<< operation.room << prefix << feedCap;
		break;
	case Operation::Kind::Leave:
		command << "EVALSHA" << _scriptIds[LeaveScript] << "2" << key(operation.room, "presence") << (_options.ns + ":feed") << _instance << a[0]
				<< operation.room << feedCap;
		break;
	case Operation::Kind::Rename:
		command << "EVALSHA" << _scriptIds[RenameScript] << "2" << key(operation.room, "presence") << (_options.ns + ":feed") << _instance << a[0]
				<< a[1] << operation.room << prefix << feedCap;
		break;
	case Operation::Kind::Sync:
		command << "EVALSHA" << _scriptIds[SyncScript] << "2" << key(operation.room, "presence") << (_options.ns + ":feed") << _instance
				<< operation.room << prefix << feedCap;
		for (const auto& nick : a) command << nick;
		break;
	}
	return command;
}

// The writer thread ---------------------------------------------------------------

void RedisRooms::writerLoop()
{
	auto backoff = firstBackoff;
	auto nextRenewal = Clock::now();
	auto stopDeadline = Clock::time_point::max();
	const Milliseconds renewal(std::max<std::int64_t>(_options.presenceTtlMs / 3, 1));
	for (;;)
	{
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_wake.wait_until(lock, nextRenewal, [&] { return _closed || !_operations.empty(); });
			if (_closed)
			{
				if (stopDeadline == Clock::time_point::max()) stopDeadline = Clock::now() + Milliseconds(_options.timeoutMs);
				if (_operations.empty() || Clock::now() >= stopDeadline) break;
			}
		}
		try
		{
			if (!_writer.connected())
			{
				connectWriter();
				backoff = firstBackoff;
				nextRenewal = Clock::now() + renewal;
				queueResync();
			}
			if (Clock::now() >= nextRenewal)
			{
				_writer.run(RedisLink::command({"SET", instanceKey(_instance), "1", "PX", std::to_string(_options.presenceTtlMs)}));
				nextRenewal = Clock::now() + renewal;
			}
			// Back to the renewal between batches: under a steady stream of
			// posts the presence key must not expire.
			while (Clock::now() < nextRenewal && writeBatch())
			{
			}
		}
		catch (const std::exception& exc)
		{
			_writer.disconnect();
			_linkUp.store(false, std::memory_order_relaxed);
			linkFailed("writer", exc);
			std::unique_lock<std::mutex> lock(_mutex);
			_wake.wait_for(lock, backoff, [&] { return _closed; });
			backoff = std::min(backoff * 2, maxBackoff);
			nextRenewal = Clock::now();
		}
	}
	std::size_t unsent = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		unsent = _queuedPosts;
		for (auto& operation : _operations)
			if (operation.verdict) operation.verdict->set_value(false);
		_operations.clear();
	}
	if (unsent) _logger.error("redis " + _options.address + " unreachable at shutdown: " + std::to_string(unsent) + " queued messages were not sent");
	// Other instances drop this one's members at their next check.
	try
	{
		if (_writer.connected()) _writer.run(RedisLink::command({"DEL", instanceKey(_instance)}));
	}
	catch (const std::exception&)
	{
	}
	_writer.disconnect();
}

void RedisRooms::connectWriter()
{
	_writer.ensureConnected();
	std::vector<RedisLink::Command> loads;
	for (const char* source : scriptSources) loads.push_back(RedisLink::command({"SCRIPT", "LOAD", source}));
	const auto replies = _writer.pipeline(loads);
	for (std::size_t i = 0; i < replies.size(); ++i)
	{
		if (RedisLink::isError(replies[i])) throw Poco::Redis::RedisException("SCRIPT LOAD: " + RedisLink::errorText(replies[i]));
		_scriptIds[i] = RedisLink::bulk(replies[i]).value_or("");
	}
	_writer.run(RedisLink::command({"SET", instanceKey(_instance), "1", "PX", std::to_string(_options.presenceTtlMs)}));
	_linkUp.store(true, std::memory_order_relaxed);
	std::lock_guard<std::mutex> lock(_logMutex);
	if (_outageLogged)
	{
		_outageLogged = false;
		_logger.notice("redis " + _options.address + " is reachable again: sending what was queued, catching up the rooms");
	}
	else
	{
		_logger.information("redis " + _options.address + " connected (instance " + _instance + ")");
	}
}

void RedisRooms::queueResync()
{
	// This instance's members, registered again: joins while Redis was
	// unreachable were not, leaves may not have been.
	const auto rooms = _sink->localMembers();
	for (const auto& [room, nicks] : rooms) enqueue({Operation::Kind::Sync, room, nicks, nullptr});
}

bool RedisRooms::writeBatch()
{
	std::vector<RedisLink::Command> commands;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const std::size_t count = std::min(_operations.size(), maxBatch);
		for (std::size_t i = 0; i < count; ++i) commands.push_back(build(_operations[i]));
	}
	if (commands.empty()) return false;
	// The operations stay queued until their replies are read: should the
	// connection fail, they are sent again (a post only once, see post's
	// sequence).
	const auto replies = _writer.pipeline(commands);
	std::string retryLater;
	std::lock_guard<std::mutex> lock(_mutex);
	for (const auto& reply : replies)
	{
		if (RedisLink::isError(reply) && isTransient(RedisLink::errorText(reply)))
		{
			// Redis cannot take it now (loading its data, out of memory, its
			// disk full, a lost script cache...): this and what follows stay
			// queued and are sent again after the backoff, never dropped.
			retryLater = RedisLink::errorText(reply);
			break;
		}
		Operation& operation = _operations.front();
		bool accepted = false;
		if (RedisLink::isError(reply))
			_logger.error("redis: " + operation.room + ": " + RedisLink::errorText(reply) + " (dropped)");
		else
			accepted = RedisLink::integer(reply) != 0;
		if (operation.verdict) operation.verdict->set_value(accepted);
		if (operation.kind == Operation::Kind::Post) --_queuedPosts;
		_operations.pop_front();
	}
	if (!retryLater.empty()) throw Poco::Redis::RedisException(retryLater);
	if (_operations.empty()) _wake.notify_all(); // flush()
	return true;
}

void RedisRooms::linkFailed(const char* who, const std::exception& reason)
{
	const auto* poco = dynamic_cast<const Poco::Exception*>(&reason);
	const std::string why = poco ? poco->displayText() : std::string(reason.what());
	std::lock_guard<std::mutex> lock(_logMutex);
	// Once per outage and thread: the writer's state is what clients see.
	if (std::string(who) == "writer")
	{
		if (_outageLogged) return;
		_outageLogged = true;
		_logger.error("redis " + _options.address + " unreachable (" + why + "); serving local clients, queuing their messages (up to " +
			std::to_string(_options.queueLimit) + "), retrying with backoff");
	}
	else
	{
		if (_readerOutageLogged) return;
		_readerOutageLogged = true;
		_logger.warning("redis " + _options.address + ": the feed reader lost its connection (" + why + "); reconnecting with backoff");
	}
}

bool RedisRooms::flush()
{
	const auto deadline = Clock::now() + Milliseconds(_options.timeoutMs);
	std::unique_lock<std::mutex> lock(_mutex);
	return _wake.wait_until(lock, deadline, [&] { return _operations.empty(); });
}

void RedisRooms::close()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed) return;
		_closed = true;
		_wake.notify_all();
	}
	if (_writerThread.joinable()) _writerThread.join();
	if (_readerThread.joinable()) _readerThread.join();
}

// The reader thread ---------------------------------------------------------------

void RedisRooms::readerLoop()
{
	auto backoff = firstBackoff;
	auto nextCheck = Clock::now();
	const Milliseconds checkEvery(std::max<std::int64_t>(_options.presenceTtlMs / 2, 1));
	for (;;)
	{
		{
			std::lock_guard<std::mutex> lock(_mutex);
			if (_closed) break;
		}
		try
		{
			if (!_reader.connected())
			{
				connectReader();
				backoff = firstBackoff;
				// After an outage every instance's key may have expired: give
				// the live ones a full ttl to renew theirs before judging.
				nextCheck = Clock::now() + Milliseconds(_options.presenceTtlMs);
				std::lock_guard<std::mutex> lock(_logMutex);
				if (_readerOutageLogged) _logger.notice("redis " + _options.address + ": the feed reader is connected again; rooms caught up");
				_readerOutageLogged = false;
			}
			readFeed();
			if (Clock::now() >= nextCheck)
			{
				checkInstances();
				nextCheck = Clock::now() + checkEvery;
			}
		}
		catch (const std::exception& exc)
		{
			_reader.disconnect();
			linkFailed("reader", exc);
			std::unique_lock<std::mutex> lock(_mutex);
			_wake.wait_for(lock, backoff, [&] { return _closed; });
			backoff = std::min(backoff * 2, maxBackoff);
		}
	}
	_reader.disconnect();
}

void RedisRooms::connectReader()
{
	_reader.setTimeout(Poco::Timespan(_options.timeoutMs * 1000));
	_reader.ensureConnected();
	if (_feedPosition.empty())
	{
		// From here on: the rooms loaded before are caught up from their logs.
		const auto newest = RedisLink::array(_reader.run(RedisLink::command({"XREVRANGE", _options.ns + ":feed", "+", "-", "COUNT", "1"})));
		_feedPosition = newest.isNull() || newest.size() == 0 ? "0-0" : RedisLink::streamEntry(*newest.begin()).first;
	}
	catchUp();
	_reader.setTimeout(Poco::Timespan((_options.timeoutMs + feedBlockMs) * 1000));
}

void RedisRooms::readFeed()
{
	const auto reply = _reader.run(RedisLink::command(
		{"XREAD", "COUNT", std::to_string(feedCount), "BLOCK", std::to_string(feedBlockMs), "STREAMS", _options.ns + ":feed", _feedPosition}));
	const auto& streams = RedisLink::array(reply);
	if (streams.isNull()) return; // nothing within the block time
	// One batch per room per read, not one per message: the I/O threads
	// then write each client once for the lot.
	engine::PublishScope scope;
	for (auto stream = streams.begin(); stream != streams.end(); ++stream)
	{
		const auto& pair = RedisLink::array(*stream);
		if (pair.isNull() || pair.size() != 2) continue;
		const auto& entries = RedisLink::array(*(pair.begin() + 1));
		if (entries.isNull()) continue;
		for (auto it = entries.begin(); it != entries.end(); ++it)
		{
			const auto entry = RedisLink::streamEntry(*it);
			handle(entry.second);
			_feedPosition = entry.first;
		}
	}
}

void RedisRooms::handle(const std::vector<std::pair<std::string, std::string>>& fields)
{
	const FeedEntry entry = FeedEntry::parse(fields);
	using Kind = FeedEntry::Kind;
	if (entry.kind == Kind::Message)
	{
		deliverInOrder(entry.room, entry.epoch, entry.message);
		return;
	}
	// This instance's own presence changes were applied when they happened.
	if (entry.kind == Kind::Unknown || entry.instance == _instance) return;
	Presence change;
	change.instance = entry.instance;
	change.nick = entry.message.nick;
	switch (entry.kind)
	{
	case Kind::Join:
		change.kind = Presence::Kind::Join;
		break;
	case Kind::Leave:
		change.kind = Presence::Kind::Leave;
		break;
	case Kind::Rename:
		change.kind = Presence::Kind::Rename;
		change.newNick = entry.newNick;
		break;
	case Kind::Sync:
		change.kind = Presence::Kind::Replace;
		change.nicks = entry.nicks;
		break;
	default:
		return;
	}
	_sink->presence(entry.room, change);
}

void RedisRooms::deliverInOrder(const std::string& room, const std::string& epoch, const Message& message)
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

bool RedisRooms::fillFrom(const std::string& room, const std::string& epoch, std::uint64_t first, std::uint64_t last)
{
	if (first > last) return true;
	const auto reply = _reader.run(RedisLink::command({"XRANGE", key(room, "log"), "0-" + std::to_string(first), "0-" + std::to_string(last)}));
	const auto& entries = RedisLink::array(reply);
	std::uint64_t expected = first;
	if (!entries.isNull())
	{
		for (auto it = entries.begin(); it != entries.end(); ++it)
		{
			const auto entry = RedisLink::streamEntry(*it);
			const Message message = logMessage(entry.first, entry.second);
			if (message.id != expected) return false; // trimmed away
			_sink->message(room, epoch, message);
			++expected;
		}
	}
	return expected == last + 1;
}

void RedisRooms::catchUp()
{
	engine::PublishScope scope;
	for (const auto& [room, members] : _sink->localMembers())
	{
		const auto position = _sink->position(room);
		if (!position) continue;
		const auto replies = _reader.pipeline({
			RedisLink::command({"HGET", key(room, "meta"), "epoch"}),
			RedisLink::command({"HGET", key(room, "meta"), "seq"}),
		});
		const auto epoch = RedisLink::bulk(replies[0]);
		const std::uint64_t seq = parseId(RedisLink::bulk(replies[1]).value_or("0"));
		if (epoch && *epoch != position->epoch && position->lastId != 0)
			_sink->reload(room);
		else if (epoch && seq > position->lastId && !fillFrom(room, *epoch, position->lastId + 1, seq))
			_sink->reload(room);
		// As Redis has them: an instance whose key expired during the outage
		// may be renewing it right now; checkInstances() judges later.
		_sink->remoteMembers(room, remoteMembers(_reader, room, false));
	}
}

void RedisRooms::checkInstances()
{
	const auto instances = _sink->remoteInstances();
	if (instances.empty()) return;
	std::vector<RedisLink::Command> checks;
	for (const auto& instance : instances) checks.push_back(RedisLink::command({"EXISTS", instanceKey(instance)}));
	const auto replies = _reader.pipeline(checks);
	for (std::size_t i = 0; i < instances.size(); ++i)
	{
		if (RedisLink::isError(replies[i]) || RedisLink::integer(replies[i]) != 0) continue;
		_logger.notice("instance " + instances[i] + " stopped renewing its presence: its members leave");
		_sink->instanceGone(instances[i]);
	}
}

} // namespace webchat::chatroom::redis
