#include "redis/RedisRooms.h"

namespace webchat::chatroom::redis {

RedisRooms::RedisRooms(Options options, Poco::Logger& logger):
	_options(std::move(options)),
	_instance(newEpoch()),
	_keys(_options.ns, _options.cluster()),
	_queries(_options, _instance),
	_writer(_options, _instance, logger),
	_feed(_options, _instance, logger),
	_notices(_options, _instance)
{
}

RedisRooms::~RedisRooms()
{
	close();
}

std::string RedisRooms::describe() const
{
	return "redis at " + _options.where() + ", namespace " + _options.ns + ", this instance " + _instance + ", " +
		(_options.logLength ? std::to_string(_options.logLength) : std::string("all")) + " messages kept per room";
}

void RedisRooms::attach(Sink& sink)
{
	_writer.start(sink);
	_feed.start(sink);
}

HistoryStore::Room RedisRooms::loadRoom(const std::string& name, std::size_t maxMessages)
{
	auto loaded = _queries.loadRoom(name, maxMessages);
	// The room's feed joins the feed reader's reads, from where it stood
	// before the load: nothing after the load is missed. The wake-up ends
	// the reader's blocking read so it takes the room at once (one more
	// round trip, once per room load).
	_feed.watch(name, loaded.feedPosition);
	try
	{
		_queries.wake(_keys.wake(_instance));
	}
	catch (const std::exception&)
	{
		// Redis failed since the load: the reader takes the room within its
		// block time all the same.
	}
	return std::move(loaded.room);
}

std::vector<HistoryStore::Message> RedisRooms::loadBefore(const std::string& name, std::uint64_t before, std::size_t limit)
{
	return _queries.loadBefore(name, before, limit);
}

SharedRooms::Posted RedisRooms::post(const std::string& room, const Position& seen, Message message)
{
	return _writer.post(room, seen, std::move(message));
}

SharedRooms::Verdict RedisRooms::join(const std::string& room, const Name& nick, const std::string& speaker)
{
	return _writer.join(room, nick, speaker);
}

SharedRooms::Verdict RedisRooms::rename(const std::string& room, const Name& from, const Name& to)
{
	return _writer.rename(room, from, to);
}

void RedisRooms::leave(const std::string& room, const Name& nick)
{
	_writer.leave(room, nick);
}

void RedisRooms::away(const std::string& room, const Name& nick, const std::string& speaker)
{
	_writer.away(room, nick, speaker);
}

void RedisRooms::typing(const std::string& room, const std::string& nick)
{
	_writer.typing(room, nick);
}

std::unique_ptr<ModerationStore> RedisRooms::moderationStore(Poco::Logger&)
{
	return std::make_unique<RedisModeration>(_options, _instance);
}

void RedisRooms::remove(const std::string& room, std::uint64_t id, const std::string& by)
{
	_notices.removeMessage(room, id, by);
}

void RedisRooms::kick(const std::string& room, const std::string& nick, const std::string& by, const std::string& reason)
{
	_notices.kick(room, nick, by, reason);
}

bool RedisRooms::flush()
{
	return _writer.flush();
}

void RedisRooms::close()
{
	// Both told at once: the reader ends within its blocking read while the
	// writer sends what is queued (up to redis_timeout_ms).
	_feed.requestStop();
	_writer.stop();
	_feed.stop();
}

void RedisRooms::writeMetrics(MetricsWriter& writer) const
{
	writer.gauge("webchat_redis_up", "1 while the shared backend (Redis) is reachable.", {}, linkUp() ? 1 : 0);
	writer.gauge("webchat_redis_queued", "Changes waiting to be sent to Redis.", {}, static_cast<double>(queued()));
	writer.counter("webchat_redis_messages_received_total", "Messages read from the feeds of the rooms loaded here.", {},
		static_cast<double>(_feed.messagesReceived()));
	writer.gauge("webchat_redis_rooms_read", "Rooms whose feeds this server reads (those with members here, and emptied ones for up to redis_idle_room_ms).",
		{}, static_cast<double>(_feed.roomsRead()));
}

} // namespace webchat::chatroom::redis
