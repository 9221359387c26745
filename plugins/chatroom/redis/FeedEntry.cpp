#include "FeedEntry.h"

#include <charconv>

namespace webchat::chatroom::redis {

namespace {

const std::string_view* field(const FeedEntry::Fields& fields, std::string_view name)
{
	for (const auto& [key, value] : fields)
		if (key == name) return &value;
	return nullptr;
}

// A decimal number as the scripts write it (digits, '-' for a negative
// one), nothing before or after.
template <class Number>
bool parseNumber(std::string_view text, Number& value)
{
	const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
	return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

std::vector<std::string> splitLines(std::string_view text)
{
	std::vector<std::string> lines;
	std::size_t start = 0;
	while (start < text.size())
	{
		std::size_t end = text.find('\n', start);
		if (end == std::string::npos) end = text.size();
		lines.emplace_back(text.substr(start, end - start));
		start = end + 1;
	}
	return lines;
}

} // namespace

FeedEntry FeedEntry::parse(const Fields& fields)
{
	FeedEntry entry;
	const std::string_view* type = field(fields, "t");
	const std::string_view* room = field(fields, "r");
	const std::string_view* instance = field(fields, "i");
	if (!type || !room || !instance || type->size() != 1) return entry;
	entry.room = *room;
	entry.instance = *instance;
	const std::string_view* nick = field(fields, "nick");
	switch ((*type)[0])
	{
	case 'm':
	{
		const std::string_view* epoch = field(fields, "e");
		const std::string_view* id = field(fields, "id");
		const std::string_view* text = field(fields, "text");
		const std::string_view* ts = field(fields, "ts");
		Poco::UInt64 parsedId = 0;
		Poco::Int64 parsedTs = 0;
		if (!epoch || !id || !nick || !text || !ts || !parseNumber(*id, parsedId) || parsedId == 0 ||
			!parseNumber(*ts, parsedTs))
			return entry;
		entry.epoch = *epoch;
		entry.message.id = parsedId;
		entry.message.ts = parsedTs;
		entry.message.nick = *nick;
		entry.message.text = *text;
		// Absent in entries of instances that predate speaker ids.
		if (const std::string_view* from = field(fields, "from")) entry.message.from = *from;
		if (const std::string_view* verified = field(fields, "v")) entry.message.verified = *verified == "1";
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
		const std::string_view* to = field(fields, "to");
		if (!nick || !to) return entry;
		entry.message.nick = *nick;
		entry.newNick = *to;
		entry.kind = Kind::Rename;
		break;
	}
	case 'd':
	{
		const std::string_view* id = field(fields, "id");
		const std::string_view* by = field(fields, "by");
		Poco::UInt64 parsedId = 0;
		if (!id || !by || !parseNumber(*id, parsedId) || parsedId == 0) return entry;
		entry.message.id = parsedId;
		entry.by = *by;
		entry.kind = Kind::Delete;
		break;
	}
	case 'k':
	{
		const std::string_view* by = field(fields, "by");
		const std::string_view* reason = field(fields, "reason");
		if (!nick || !by || !reason) return entry;
		entry.message.nick = *nick;
		entry.by = *by;
		entry.reason = *reason;
		entry.kind = Kind::Kick;
		break;
	}
	case 'o':
	{
		const std::string_view* text = field(fields, "text");
		const std::string_view* by = field(fields, "by");
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
		const std::string_view* nicks = field(fields, "nicks");
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
