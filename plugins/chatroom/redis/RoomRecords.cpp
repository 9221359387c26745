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

std::vector<PresenceRecord> otherInstancesMembers(Link& link, const Keyspace& keys, const std::string& room, const std::string& self)
{
	std::vector<PresenceRecord> members;
	const auto pairs = RedisLink::array(link.run(RedisLink::command({"HGETALL", keys.presence(room)})));
	if (pairs.isNull()) return members;
	for (auto it = pairs.begin(); it != pairs.end() && it + 1 != pairs.end(); it += 2)
	{
		const std::string value = RedisLink::bulk(*(it + 1)).value_or("");
		const std::size_t newline = value.find('\n');
		if (newline == std::string::npos) continue; // not a record of this version
		std::string instance = value.substr(0, newline);
		// The nick, up to the away marker if there is one.
		const std::size_t nickEnd = value.find('\n', newline + 1);
		if (instance != self)
			members.push_back({RedisLink::bulk(*it).value_or(""), value.substr(newline + 1, nickEnd == std::string::npos ? std::string::npos : nickEnd - newline - 1),
				std::move(instance)});
	}
	return members;
}

std::map<std::string, std::string> byNick(const std::vector<PresenceRecord>& records)
{
	std::map<std::string, std::string> members;
	for (const auto& record : records) members.emplace(record.nick, record.instance);
	return members;
}

} // namespace webchat::chatroom::redis
