#include "redis/RoomRecords.h"

#include "Poco/NumberParser.h"

namespace webchat::chatroom::redis {

std::uint64_t parseCounter(const std::string& text)
{
	Poco::UInt64 value = 0;
	return Poco::NumberParser::tryParseUnsigned64(text, value) ? value : 0;
}

HistoryStore::Message logMessage(const RedisLink::Reply& entry)
{
	const auto [streamId, fields] = RedisLink::streamEntry(entry);
	HistoryStore::Message message;
	// "0-<id>": the log's entry ids are the message ids.
	if (streamId.size() > 2 && streamId.compare(0, 2, "0-") == 0) message.id = parseCounter(streamId.substr(2));
	for (const auto& [name, value] : fields)
	{
		if (name == "nick")
			message.nick = value;
		else if (name == "text")
			message.text = value;
		else if (name == "from")
			message.from = value;
		else if (name == "v")
			message.verified = value == "1";
		else if (name == "ts")
		{
			Poco::Int64 ts = 0;
			if (Poco::NumberParser::tryParse64(value, ts)) message.ts = ts;
		}
	}
	return message;
}

std::map<std::string, std::string> otherInstancesMembers(RedisLink& link, const Keyspace& keys, const std::string& room, const std::string& self)
{
	std::map<std::string, std::string> members;
	const auto pairs = RedisLink::array(link.run(RedisLink::command({"HGETALL", keys.presence(room)})));
	if (pairs.isNull()) return members;
	for (auto it = pairs.begin(); it != pairs.end() && it + 1 != pairs.end(); it += 2)
	{
		std::string instance = RedisLink::bulk(*(it + 1)).value_or("");
		if (instance != self) members.emplace(RedisLink::bulk(*it).value_or(""), std::move(instance));
	}
	return members;
}

} // namespace webchat::chatroom::redis
