#include "FeedEntry.h"

#include "Poco/NumberParser.h"

namespace webchat::chatroom::redis {

namespace {

const std::string* field(const std::vector<std::pair<std::string, std::string>>& fields, const char* name)
{
	for (const auto& [key, value] : fields)
		if (key == name) return &value;
	return nullptr;
}

std::vector<std::string> splitLines(const std::string& text)
{
	std::vector<std::string> lines;
	std::size_t start = 0;
	while (start < text.size())
	{
		std::size_t end = text.find('\n', start);
		if (end == std::string::npos) end = text.size();
		lines.push_back(text.substr(start, end - start));
		start = end + 1;
	}
	return lines;
}

} // namespace

FeedEntry FeedEntry::parse(const std::vector<std::pair<std::string, std::string>>& fields)
{
	FeedEntry entry;
	const std::string* type = field(fields, "t");
	const std::string* room = field(fields, "r");
	const std::string* instance = field(fields, "i");
	if (!type || !room || !instance || type->size() != 1) return entry;
	entry.room = *room;
	entry.instance = *instance;
	const std::string* nick = field(fields, "nick");
	switch ((*type)[0])
	{
	case 'm':
	{
		const std::string* epoch = field(fields, "e");
		const std::string* id = field(fields, "id");
		const std::string* text = field(fields, "text");
		const std::string* ts = field(fields, "ts");
		Poco::UInt64 parsedId = 0;
		Poco::Int64 parsedTs = 0;
		if (!epoch || !id || !nick || !text || !ts || !Poco::NumberParser::tryParseUnsigned64(*id, parsedId) || parsedId == 0 ||
			!Poco::NumberParser::tryParse64(*ts, parsedTs))
			return entry;
		entry.epoch = *epoch;
		entry.message.id = parsedId;
		entry.message.ts = parsedTs;
		entry.message.nick = *nick;
		entry.message.text = *text;
		// Absent in entries of instances that predate speaker ids.
		if (const std::string* from = field(fields, "from")) entry.message.from = *from;
		if (const std::string* verified = field(fields, "v")) entry.message.verified = *verified == "1";
		entry.kind = Kind::Message;
		break;
	}
	case 'j':
	case 'l':
	case 'y':
		if (!nick) return entry;
		entry.message.nick = *nick;
		entry.kind = (*type)[0] == 'j' ? Kind::Join : (*type)[0] == 'l' ? Kind::Leave : Kind::Typing;
		break;
	case 'n':
	{
		const std::string* to = field(fields, "to");
		if (!nick || !to) return entry;
		entry.message.nick = *nick;
		entry.newNick = *to;
		entry.kind = Kind::Rename;
		break;
	}
	case 'd':
	{
		const std::string* id = field(fields, "id");
		const std::string* by = field(fields, "by");
		Poco::UInt64 parsedId = 0;
		if (!id || !by || !Poco::NumberParser::tryParseUnsigned64(*id, parsedId) || parsedId == 0) return entry;
		entry.message.id = parsedId;
		entry.by = *by;
		entry.kind = Kind::Delete;
		break;
	}
	case 'k':
	{
		const std::string* by = field(fields, "by");
		const std::string* reason = field(fields, "reason");
		if (!nick || !by || !reason) return entry;
		entry.message.nick = *nick;
		entry.by = *by;
		entry.reason = *reason;
		entry.kind = Kind::Kick;
		break;
	}
	case 'o':
	{
		const std::string* text = field(fields, "text");
		const std::string* by = field(fields, "by");
		if (!text || !by) return entry;
		entry.message.text = *text;
		entry.by = *by;
		entry.kind = Kind::Topic;
		break;
	}
	case 'x':
		entry.kind = Kind::Moderation;
		break;
	case 's':
	{
		const std::string* nicks = field(fields, "nicks");
		if (!nicks) return entry;
		entry.nicks = splitLines(*nicks);
		entry.kind = Kind::Sync;
		break;
	}
	default:
		break;
	}
	return entry;
}

} // namespace webchat::chatroom::redis
