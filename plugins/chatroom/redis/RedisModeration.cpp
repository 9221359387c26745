#include "redis/RedisModeration.h"

#include "JsonWriter.h"
#include "redis/RedisScripts.h"

#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "Poco/NumberParser.h"
#include "Poco/Redis/Exception.h"

namespace webchat::chatroom::redis {

namespace {

// {"name":"value",...,"name":number}: what a hash field holds.
class Record
{
public:
	Record& text(const char* name, std::string_view value)
	{
		field(name);
		JsonWriter::appendString(_out, value);
		return *this;
	}

	Record& number(const char* name, std::int64_t value)
	{
		field(name);
		JsonWriter::appendNumber(_out, value);
		return *this;
	}

	std::string done() { return _out + '}'; }

private:
	void field(const char* name)
	{
		_out += _out.size() > 1 ? "," : "";
		JsonWriter::appendString(_out, name);
		_out += ':';
	}

	std::string _out = "{";
};

Poco::JSON::Object::Ptr parseRecord(const std::string& json)
{
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

// A hash's field/value pairs.
std::vector<std::pair<std::string, std::string>> pairsOf(const RedisLink::Reply& reply)
{
	std::vector<std::pair<std::string, std::string>> pairs;
	const auto all = RedisLink::array(reply);
	if (all.isNull()) return pairs;
	for (std::size_t i = 0; i + 1 < all.size(); i += 2)
		pairs.emplace_back(RedisLink::bulk(*(all.begin() + i)).value_or(""), RedisLink::bulk(*(all.begin() + i + 1)).value_or(""));
	return pairs;
}

void check(const std::vector<RedisLink::Reply>& replies)
{
	for (const auto& reply : replies)
		if (RedisLink::isError(reply)) throw Poco::Redis::RedisException(RedisLink::errorText(reply));
}

std::string muteField(const std::string& room, const std::string& nickKey)
{
	return room + "\n" + nickKey;
}

} // namespace

RedisModeration::RedisModeration(const RedisOptions& options, const std::string& instance):
	_keys(options.ns, options.cluster()),
	_instance(instance),
	_feedCap(std::to_string(options.feedLength)),
	_feedWindow(std::to_string(options.feedWindowMs)),
	_link(options.link())
{
}

void RedisModeration::apply(std::vector<RedisLink::Command> commands, const std::string& feed, const std::string& room, char type,
	std::initializer_list<std::string_view> fields)
{
	// The global feed keeps its last redis_feed_length entries. A room's
	// (a kick) is not trimmed here: the room's scripts trim it to its window
	// by Redis's clock and set its expiry (RedisScripts).
	RedisLink::Command notice{"XADD", feed};
	if (feed == _keys.feed()) notice << "MAXLEN" << "~" << _feedCap;
	notice << "*" << "t" << std::string_view(&type, 1) << "r" << room << "i" << _instance;
	for (const auto field : fields) notice << field;
	commands.push_back(std::move(notice));
	std::lock_guard<std::mutex> lock(_mutex);
	// Within MULTI: the change and its notice, or neither.
	commands.insert(commands.begin(), RedisLink::command({"MULTI"}));
	commands.push_back(RedisLink::command({"EXEC"}));
	check(_link->pipeline(commands));
}

ModerationStore::Records RedisModeration::load()
{
	std::vector<RedisLink::Reply> replies;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		replies = _link->pipeline({RedisLink::command({"HGETALL", _keys.bans()}), RedisLink::command({"HGETALL", _keys.mutes()}),
			RedisLink::command({"HGETALL", _keys.rules()})});
	}
	check(replies);
	Records records;
	for (const auto& [id, json] : pairsOf(replies[0]))
	{
		const auto record = parseRecord(json);
		Ban ban;
		ban.id = Poco::NumberParser::parseUnsigned64(id);
		ban.room = record->getValue<std::string>("room");
		ban.nick = record->getValue<std::string>("nick");
		ban.nickKey = record->getValue<std::string>("nickKey");
		ban.holder = record->getValue<std::string>("holder");
		ban.address = record->getValue<std::string>("address");
		ban.untilMs = record->getValue<Poco::Int64>("untilMs");
		ban.reason = record->getValue<std::string>("reason");
		ban.by = record->getValue<std::string>("by");
		records.bans.push_back(std::move(ban));
	}
	for (const auto& [key, json] : pairsOf(replies[1]))
	{
		const auto record = parseRecord(json);
		records.mutes.push_back(Mute{record->getValue<std::string>("room"), record->getValue<std::string>("nick"), record->getValue<std::string>("nickKey"),
			record->getValue<std::string>("holder"), record->getValue<Poco::Int64>("untilMs"), record->getValue<std::string>("by")});
	}
	for (const auto& [room, json] : pairsOf(replies[2]))
	{
		const auto record = parseRecord(json);
		records.rooms[room] = RoomRules{record->getValue<Poco::Int64>("slowmode"), record->getValue<std::string>("topic"), record->getValue<std::string>("topicBy")};
	}
	return records;
}

std::uint64_t RedisModeration::addBan(const Ban& ban)
{
	std::int64_t id = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		id = RedisLink::integer(_link->run(RedisLink::command({"INCR", _keys.lastBanId()})));
	}
	Ban numbered = ban;
	numbered.id = static_cast<std::uint64_t>(id);
	updateBan(numbered);
	return numbered.id;
}

void RedisModeration::updateBan(const Ban& ban)
{
	const std::string json = Record()
		.text("room", ban.room)
		.text("nick", ban.nick)
		.text("nickKey", ban.nickKey)
		.text("holder", ban.holder)
		.text("address", ban.address)
		.number("untilMs", ban.untilMs)
		.text("reason", ban.reason)
		.text("by", ban.by)
		.done();
	apply({RedisLink::command({"HSET", _keys.bans(), std::to_string(ban.id), json})}, _keys.feed(), ban.room, 'x');
}

void RedisModeration::removeBan(std::uint64_t id)
{
	apply({RedisLink::command({"HDEL", _keys.bans(), std::to_string(id)})}, _keys.feed(), "", 'x');
}

void RedisModeration::saveMute(const Mute& mute)
{
	const std::string json = Record()
		.text("room", mute.room)
		.text("nick", mute.nick)
		.text("nickKey", mute.nickKey)
		.text("holder", mute.holder)
		.number("untilMs", mute.untilMs)
		.text("by", mute.by)
		.done();
	apply({RedisLink::command({"HSET", _keys.mutes(), muteField(mute.room, mute.nickKey), json})}, _keys.feed(), mute.room, 'x');
}

void RedisModeration::removeMute(const std::string& room, const std::string& nickKey)
{
	apply({RedisLink::command({"HDEL", _keys.mutes(), muteField(room, nickKey)})}, _keys.feed(), room, 'x');
}

void RedisModeration::saveRules(const std::string& room, const RoomRules& rules)
{
	RedisLink::Command change = rules.empty()
		? RedisLink::command({"HDEL", _keys.rules(), room})
		: RedisLink::command({"HSET", _keys.rules(), room, Record().number("slowmode", rules.slowmodeSeconds).text("topic", rules.topic).text("topicBy", rules.topicBy).done()});
	apply({std::move(change)}, _keys.feed(), room, 'o', {"text", rules.topic, "by", rules.topicBy});
}

void RedisModeration::removeMessage(const std::string& room, std::uint64_t id, const std::string& by)
{
	std::lock_guard<std::mutex> lock(_mutex);
	_link->run(RedisLink::command({"EVAL", Scripts::remove, "3", _keys.log(room), _keys.deleted(room), _keys.feed(room), _instance, room, std::to_string(id), by,
		_feedWindow}));
}

void RedisModeration::kick(const std::string& room, const std::string& nick, const std::string& by, const std::string& reason)
{
	apply({}, _keys.feed(room), room, 'k', {"nick", nick, "by", by, "reason", reason});
}

} // namespace webchat::chatroom::redis
