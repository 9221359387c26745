#include "redis/ChangeWriter.h"

#include "redis/RedisScripts.h"

#include "Poco/Redis/Exception.h"

#include <algorithm>
#include <chrono>

namespace webchat::chatroom::redis {

namespace {

using Clock = std::chrono::steady_clock;
using Milliseconds = std::chrono::milliseconds;

constexpr std::size_t maxBatch = 512; // changes per pipeline

// Error codes that say "not now" rather than "never": NOSCRIPT (a Redis
// that lost its scripts gets them again on reconnection), LOADING (a
// restarted Redis reading its data), BUSY, OOM, MISCONF (persistence
// failing), READONLY/MASTERDOWN/NOREPLICAS (a replica or failover),
// TRYAGAIN, CLUSTERDOWN.
bool isTransient(const std::string& errorCode)
{
	for (const char* code : {"NOSCRIPT", "LOADING", "BUSY", "OOM", "MISCONF", "READONLY", "MASTERDOWN", "NOREPLICAS", "TRYAGAIN", "CLUSTERDOWN"})
		if (errorCode == code) return true;
	return false;
}

} // namespace

ChangeWriter::ChangeWriter(const RedisOptions& options, const std::string& instance, Poco::Logger& logger):
	_options(options),
	_keys(options.ns, options.cluster()),
	_instance(instance),
	_feedWindow(std::to_string(options.feedWindowMs)),
	_logCap(std::to_string(options.logLength)),
	_logger(logger),
	_link(options.link()),
	_outage(LinkRole::Writer, options, instance, logger)
{
}

ChangeWriter::~ChangeWriter()
{
	stop();
}

void ChangeWriter::start(SharedRooms::Sink& sink)
{
	_sink = &sink;
	_thread = std::thread([this] { run(); });
}

// What the rooms hand over (I/O threads) ----------------------------------------

SharedRooms::Posted ChangeWriter::post(const std::string& room, const SharedRooms::Position& seen, HistoryStore::Message message)
{
	// Made before taking the mutex: under it, a number and a move.
	Queued queued{Post{room, 0, seen, std::move(message)}, nullptr};
	std::lock_guard<std::mutex> lock(_mutex);
	// Bounded whether Redis is away or only slower than the clients.
	if (_queuedPosts >= _options.queueLimit || _closed) return SharedRooms::Posted::Refused;
	std::get<Post>(queued.change).sequence = ++_postSequence;
	_queue.push_back(std::move(queued));
	++_queuedPosts;
	_wake.notify_one();
	return linkUp() ? SharedRooms::Posted::Sent : SharedRooms::Posted::Delayed;
}

bool ChangeWriter::enqueue(Queued queued, Lateness lateness)
{
	std::lock_guard<std::mutex> lock(_mutex);
	if (_closed) return false; // the thread is gone or going: nothing would send it
	if (lateness == Lateness::Pointless && (!linkUp() || _queue.size() >= _options.queueLimit)) return false;
	_queue.push_back(std::move(queued));
	_wake.notify_one();
	return true;
}

SharedRooms::Verdict ChangeWriter::decide(Change change)
{
	if (!linkUp()) return SharedRooms::Verdict::Unavailable;
	auto verdict = std::make_shared<std::promise<bool>>();
	auto answer = verdict->get_future();
	if (!enqueue({std::move(change), std::move(verdict)})) return SharedRooms::Verdict::Unavailable;
	if (answer.wait_for(Milliseconds(_options.timeoutMs)) != std::future_status::ready) return SharedRooms::Verdict::Unavailable;
	return answer.get() ? SharedRooms::Verdict::Accepted : SharedRooms::Verdict::Taken;
}

SharedRooms::Verdict ChangeWriter::join(const std::string& room, const Name& nick, const std::string& speaker)
{
	return decide(Join{room, nick, speaker});
}

SharedRooms::Verdict ChangeWriter::rename(const std::string& room, const Name& from, const Name& to)
{
	return decide(Rename{room, from, to});
}

void ChangeWriter::leave(const std::string& room, const Name& nick)
{
	enqueue({Leave{room, nick}, nullptr});
}

void ChangeWriter::away(const std::string& room, const Name& nick, const std::string& speaker)
{
	enqueue({Away{room, nick, speaker}, nullptr});
}

void ChangeWriter::typing(const std::string& room, const std::string& nick)
{
	enqueue({Typing{room, nick}, nullptr}, Lateness::Pointless);
}

std::size_t ChangeWriter::queued() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _queue.size();
}

bool ChangeWriter::flush()
{
	const auto deadline = Clock::now() + Milliseconds(_options.timeoutMs);
	std::unique_lock<std::mutex> lock(_mutex);
	return _wake.wait_until(lock, deadline, [&] { return _queue.empty(); });
}

void ChangeWriter::requestStop()
{
	std::lock_guard<std::mutex> lock(_mutex);
	_closed = true;
	_wake.notify_all();
}

void ChangeWriter::stop()
{
	requestStop();
	if (_thread.joinable()) _thread.join();
}

// The script calls ------------------------------------------------------------------

const std::string& ChangeWriter::roomOf(const Change& change)
{
	return std::visit([](const auto& typed) -> const std::string& { return typed.room; }, change);
}

RedisLink::Command ChangeWriter::script(Script which, const char* keyCount) const
{
	RedisLink::Command command;
	command << "EVALSHA" << _scriptIds[which] << keyCount;
	return command;
}

RedisLink::Command ChangeWriter::command(const Change& change) const
{
	return std::visit([this](const auto& typed) { return command(typed); }, change);
}

RedisLink::Command ChangeWriter::command(const Post& post) const
{
	auto command = script(PostScript, "4");
	command << _keys.meta(post.room) << _keys.log(post.room) << _keys.senders(post.room) << _keys.feed(post.room) << _instance << std::to_string(post.sequence)
			<< post.seen.epoch << std::to_string(post.seen.lastId) << post.message.nick << post.message.text << std::to_string(post.message.ts)
			<< post.room << _logCap << _feedWindow << post.message.from << (post.message.verified ? "1" : "0");
	return command;
}

RedisLink::Command ChangeWriter::command(const Join& join) const
{
	auto command = script(JoinScript, "2");
	command << _keys.presence(join.room) << _keys.feed(join.room) << _instance << join.nick.key << join.nick.shown << join.room << _keys.instancePrefix(join.room) << _feedWindow << join.speaker;
	return command;
}

RedisLink::Command ChangeWriter::command(const Away& away) const
{
	auto command = script(AwayScript, "1");
	command << _keys.presence(away.room) << _instance << away.nick.key << away.speaker;
	return command;
}

RedisLink::Command ChangeWriter::command(const Typing& typing) const
{
	RedisLink::Command command;
	// Not trimmed: the scripts' entries (messages, joins, leaves...) trim
	// the feed to its window by Redis's clock and set its expiry.
	command << "XADD" << _keys.feed(typing.room) << "*" << "t" << "y" << "r" << typing.room << "i" << _instance << "nick" << typing.nick;
	return command;
}

RedisLink::Command ChangeWriter::command(const Leave& leave) const
{
	auto command = script(LeaveScript, "2");
	command << _keys.presence(leave.room) << _keys.feed(leave.room) << _instance << leave.nick.key << leave.nick.shown << leave.room << _feedWindow;
	return command;
}

RedisLink::Command ChangeWriter::command(const Rename& rename) const
{
	auto command = script(RenameScript, "2");
	command << _keys.presence(rename.room) << _keys.feed(rename.room) << _instance << rename.from.key << rename.from.shown << rename.to.key << rename.to.shown << rename.room
			<< _keys.instancePrefix(rename.room) << _feedWindow;
	return command;
}

RedisLink::Command ChangeWriter::command(const Sync& sync) const
{
	auto command = script(SyncScript, "2");
	command << _keys.presence(sync.room) << _keys.feed(sync.room) << _instance << sync.room << _keys.instancePrefix(sync.room) << _feedWindow;
	for (const auto& nick : sync.nicks) command << nick.key << nick.shown;
	return command;
}

// The thread --------------------------------------------------------------------------

void ChangeWriter::run()
{
	auto nextRenewal = Clock::now();
	auto stopDeadline = Clock::time_point::max();
	const Milliseconds renewal(std::max<std::int64_t>(_options.presenceTtlMs / 3, 1));
	for (;;)
	{
		{
			std::unique_lock<std::mutex> lock(_mutex);
			_wake.wait_until(lock, nextRenewal, [&] { return _closed || !_queue.empty(); });
			if (_closed)
			{
				if (stopDeadline == Clock::time_point::max()) stopDeadline = Clock::now() + Milliseconds(_options.timeoutMs);
				if (_queue.empty() || Clock::now() >= stopDeadline) break;
			}
		}
		try
		{
			if (!_link->connected())
			{
				connect();
				nextRenewal = Clock::now() + renewal;
				queueResync();
			}
			if (Clock::now() >= nextRenewal)
			{
				renewPresence();
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
			_link->disconnect();
			_linkUp.store(false, std::memory_order_relaxed);
			const auto backoff = _outage.failed(exc);
			std::unique_lock<std::mutex> lock(_mutex);
			// Typing notices are not sent again: after the outage they would
			// be late, hence wrong. (Unanswered, they may have reached Redis.)
			_queue.erase(std::remove_if(_queue.begin(), _queue.end(), [](const Queued& queued) { return std::holds_alternative<Typing>(queued.change); }),
				_queue.end());
			_wake.wait_for(lock, backoff, [&] { return _closed; });
			nextRenewal = Clock::now();
		}
	}
	finish();
}

void ChangeWriter::connect()
{
	_link->ensureConnected();
	// A restarted Redis has forgotten the scripts. In Script's order.
	std::vector<RedisLink::Command> loads;
	for (const char* source : {Scripts::post, Scripts::join, Scripts::leave, Scripts::rename, Scripts::sync, Scripts::away})
		loads.push_back(RedisLink::command({"SCRIPT", "LOAD", source}));
	const auto replies = _link->pipeline(loads);
	for (std::size_t i = 0; i < replies.size(); ++i)
	{
		if (RedisLink::isError(replies[i])) throw Poco::Redis::RedisException("SCRIPT LOAD: " + RedisLink::errorText(replies[i]));
		_scriptIds[i] = RedisLink::bulk(replies[i]).value_or("");
	}
	renewPresence();
	_linkUp.store(true, std::memory_order_relaxed);
	_outage.connected();
}

RedisLink::Command ChangeWriter::alive(const std::string& key) const
{
	return RedisLink::command({"SET", key, "1", "PX", std::to_string(_options.presenceTtlMs)});
}

void ChangeWriter::renewPresence()
{
	if (!_keys.cluster())
	{
		_link->run(alive(_keys.instance(_instance)));
		return;
	}
	// In a Redis Cluster also the copy in the slot of each room with members
	// here, which the room's scripts check (Keyspace::instancePrefix).
	std::vector<RedisLink::Command> renewals{alive(_keys.instance(_instance))};
	_roomsAlive.clear();
	for (const auto& [room, nicks] : _sink->localMembers())
	{
		renewals.push_back(alive(_keys.instancePrefix(room) + _instance));
		_roomsAlive.push_back(room);
	}
	for (const auto& reply : _link->pipeline(renewals))
		if (RedisLink::isError(reply)) throw Poco::Redis::RedisException(RedisLink::errorText(reply));
}

void ChangeWriter::queueResync()
{
	// This instance's members, registered again: joins while Redis was
	// unreachable were not, leaves may not have been.
	for (auto& [room, nicks] : _sink->localMembers()) enqueue({Sync{room, std::move(nicks)}, nullptr});
}

bool ChangeWriter::writeBatch()
{
	// The front of the queue, built outside the mutex: only this thread
	// removes changes, and the rooms' push_back moves no element of a
	// deque, so these stay where they are meanwhile.
	std::vector<const Queued*> batch;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const std::size_t count = std::min(_queue.size(), maxBatch);
		batch.reserve(count);
		for (std::size_t i = 0; i < count; ++i) batch.push_back(&_queue[i]);
	}
	if (batch.empty()) return false;
	std::vector<RedisLink::Command> commands;
	commands.reserve(batch.size());
	std::vector<std::size_t> replyOf; // each change's reply in replies
	replyOf.reserve(batch.size());
	for (const Queued* queued : batch)
	{
		// In a Redis Cluster, a room whose scripts are to judge this
		// instance's claim to a nick needs this instance's key in its slot
		// first (Keyspace::instancePrefix; renewPresence() keeps it).
		if (_keys.cluster() && (std::holds_alternative<Join>(queued->change) || std::holds_alternative<Rename>(queued->change)
								   || std::holds_alternative<Sync>(queued->change)))
		{
			const std::string& room = roomOf(queued->change);
			commands.push_back(alive(_keys.instancePrefix(room) + _instance));
			// Deleted at stop with the others.
			if (std::find(_roomsAlive.begin(), _roomsAlive.end(), room) == _roomsAlive.end()) _roomsAlive.push_back(room);
		}
		replyOf.push_back(commands.size());
		commands.push_back(command(queued->change));
	}
	// The changes stay queued until their replies are read: should the
	// connection fail, they are sent again (a post only once, see Post's
	// sequence).
	const auto replies = _link->pipeline(commands);
	std::string retryLater;
	std::lock_guard<std::mutex> lock(_mutex);
	for (const std::size_t at : replyOf)
	{
		const auto& reply = replies[at];
		if (RedisLink::isError(reply) && isTransient(RedisLink::errorCode(reply)))
		{
			// Redis cannot take it now (loading its data, out of memory, its
			// disk full, a lost script cache...): this and what follows stay
			// queued and are sent again after the backoff, never dropped.
			retryLater = RedisLink::errorText(reply);
			break;
		}
		Queued& queued = _queue.front();
		bool accepted = false;
		if (RedisLink::isError(reply))
		{
			_logger.error("redis: " + roomOf(queued.change) + ": " + RedisLink::errorText(reply) + " (dropped)");
		}
		else if (queued.verdict)
		{
			accepted = RedisLink::integer(reply) != 0; // the other changes' replies are not read (a typing notice's is the entry id)
		}
		if (queued.verdict) queued.verdict->set_value(accepted);
		if (std::holds_alternative<Post>(queued.change)) --_queuedPosts;
		_queue.pop_front();
	}
	if (!retryLater.empty()) throw Poco::Redis::RedisException(retryLater);
	if (_queue.empty()) _wake.notify_all(); // flush()
	return true;
}

void ChangeWriter::finish()
{
	std::size_t unsent = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		unsent = _queuedPosts;
		for (auto& queued : _queue)
			if (queued.verdict) queued.verdict->set_value(false);
		_queue.clear();
		_queuedPosts = 0;
	}
	if (unsent) _logger.error("redis " + _options.where() + " unreachable at shutdown: " + std::to_string(unsent) + " queued messages were not sent");
	// Other instances drop this instance's members at their next check.
	try
	{
		if (_link->connected())
		{
			std::vector<RedisLink::Command> removals{RedisLink::command({"DEL", _keys.instance(_instance)})};
			for (const auto& room : _roomsAlive) removals.push_back(RedisLink::command({"DEL", _keys.instancePrefix(room) + _instance}));
			_link->pipeline(removals);
		}
	}
	catch (const std::exception&)
	{
		// Redis went away meanwhile: the key expires on its own.
	}
	_link->disconnect();
	_wake.notify_all(); // flush(): nothing is queued any more
}

} // namespace webchat::chatroom::redis
