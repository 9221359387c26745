#include "ServerEvents.h"

#include "JsonWriter.h"
#include "auth/SignedIdentity.h"

#include <initializer_list>
#include <optional>

namespace webchat::chatroom {

namespace {

struct Field
{
	std::string_view name;
	std::string_view value;
};

// {"type":"<type>","<name>":"<value>",...} with ,"ts":<ts> last when given:
// the small events, whose fields are all strings but the time.
std::string event(std::string_view type, std::initializer_list<Field> fields, std::optional<std::int64_t> ts = std::nullopt)
{
	std::size_t size = 32 + type.size();
	for (const Field& field : fields) size += field.name.size() + field.value.size() + 8;
	std::string out;
	out.reserve(size);
	out.append("{\"type\":\"").append(type).append("\"");
	for (const Field& field : fields)
	{
		out.append(",\"").append(field.name).append("\":");
		JsonWriter::appendString(out, field.value);
	}
	if (ts)
	{
		out.append(",\"ts\":");
		JsonWriter::appendNumber(out, *ts);
	}
	out += '}';
	return out;
}

// Puts ,"verified":true before the ,"ts":<ts> that ends a small event.
void markVerified(std::string& event)
{
	event.insert(event.rfind(",\"ts\":"), ",\"verified\":true");
}

// ,"verified":true and ,"roles":[...] for what speaker has of them.
void appendIdentity(std::string& out, const Speaker& speaker)
{
	if (speaker.verified) out.append(",\"verified\":true");
	const auto roles = auth::roleNames(speaker.roles);
	if (roles.empty()) return;
	out.append(",\"roles\":[");
	for (std::size_t i = 0; i < roles.size(); ++i)
	{
		if (i != 0) out += ',';
		JsonWriter::appendString(out, roles[i]);
	}
	out += ']';
}

} // namespace

void ServerEvents::appendMessageTail(std::string& out, std::string_view escapedNick, const Sender& sender, std::string_view text, std::int64_t ts)
{
	out.append(",\"nick\":\"").append(escapedNick).append("\"");
	if (!sender.from.empty())
	{
		out.append(",\"from\":");
		JsonWriter::appendString(out, sender.from);
	}
	if (sender.verified) out.append(",\"verified\":true");
	out.append(",\"text\":\"");
	JsonWriter::appendEscaped(out, text);
	out.append("\",\"ts\":");
	JsonWriter::appendNumber(out, ts);
	out += '}';
}

void ServerEvents::appendMessageTail(std::string& out, std::string_view escapedNick, std::string_view text, std::int64_t ts)
{
	appendMessageTail(out, escapedNick, Sender{}, text, ts);
}

std::string ServerEvents::message(std::uint64_t id, std::string_view tail)
{
	std::string out;
	appendMessage(out, id, tail);
	return out;
}

void ServerEvents::appendMessage(std::string& out, std::uint64_t id, std::string_view tail)
{
	static constexpr std::string_view head = "{\"type\":\"message\",\"id\":";
	out.reserve(out.size() + head.size() + 20 + tail.size());
	out.append(head);
	JsonWriter::appendNumber(out, id);
	out.append(tail);
}

std::string ServerEvents::message(const HistoryStore::Message& message)
{
	if (!message.deletedBy.empty()) return tombstone(message.id, message.deletedBy);
	std::string tail;
	appendMessageTail(tail, JsonWriter::escaped(message.nick), Sender{message.from, message.verified}, message.text, message.ts);
	return ServerEvents::message(message.id, tail);
}

std::string ServerEvents::welcome(std::string_view room, std::string_view nick, const RoomState& state, const RoomState::Resume& resume,
	const Speaker& speaker, std::string_view token)
{
	std::size_t size = 192 + room.size() + nick.size() + state.epoch().size() + state.historyBytes() + token.size() + speaker.from.size();
	// Quotes and comma, and room for its index should it be verified.
	for (const auto& member : state.members()) size += member.shown.size() + 10;
	std::string out;
	out.reserve(size);
	out.append("{\"type\":\"welcome\",\"room\":");
	JsonWriter::appendString(out, room);
	out.append(",\"nick\":");
	JsonWriter::appendString(out, nick);
	appendIdentity(out, speaker);
	out.append(",\"users\":[");
	bool first = true;
	for (const auto& member : state.members())
	{
		if (!first) out += ',';
		first = false;
		JsonWriter::appendString(out, member.shown);
	}
	out += ']';
	if (state.anyVerified())
	{
		// Indexes, not nicks again: the welcome stays within the bound
		// ChatSettings::maxWelcomeBytes() checks.
		out.append(",\"verifiedIndexes\":[");
		first = true;
		for (std::size_t i = 0; i < state.members().size(); ++i)
		{
			if (!state.isVerified(state.members()[i].key)) continue;
			if (!first) out += ',';
			first = false;
			JsonWriter::appendNumber(out, std::uint64_t(i));
		}
		out += ']';
	}
	out.append(",\"history\":[");
	for (std::size_t i = resume.first; i < state.historyCount(); ++i)
	{
		if (i != resume.first) out += ',';
		out.append(state.historyJson(i));
	}
	out.append("],\"lastId\":");
	JsonWriter::appendNumber(out, state.lastId());
	out.append(",\"epoch\":");
	JsonWriter::appendString(out, state.epoch());
	if (!state.topic().empty())
	{
		out.append(",\"topic\":");
		JsonWriter::appendString(out, state.topic());
	}
	if (resume.gapFrom != 0)
	{
		out.append(",\"gap\":{\"from\":");
		JsonWriter::appendNumber(out, resume.gapFrom);
		out.append(",\"to\":");
		JsonWriter::appendNumber(out, resume.gapTo);
		out += '}';
	}
	if (resume.reset) out.append(",\"reset\":true");
	if (!token.empty())
	{
		out.append(",\"token\":");
		JsonWriter::appendString(out, token);
	}
	if (!speaker.from.empty())
	{
		out.append(",\"from\":");
		JsonWriter::appendString(out, speaker.from);
	}
	out += '}';
	return out;
}

std::string ServerEvents::join(std::string_view nick, std::int64_t ts, bool verified)
{
	std::string out = event("join", {{"nick", nick}}, ts);
	if (verified) markVerified(out);
	return out;
}

std::string ServerEvents::authenticated(const Speaker& speaker, std::int64_t expiresAt)
{
	std::string out = "{\"type\":\"authenticated\",\"from\":";
	JsonWriter::appendString(out, speaker.from);
	appendIdentity(out, speaker);
	out.append(",\"exp\":");
	JsonWriter::appendNumber(out, expiresAt);
	out += '}';
	return out;
}

std::string ServerEvents::leave(std::string_view nick, std::int64_t ts)
{
	return event("leave", {{"nick", nick}}, ts);
}

std::string ServerEvents::nick(std::string_view oldNick, std::string_view newNick, std::int64_t ts, bool verified)
{
	std::string out = event("nick", {{"old", oldNick}, {"nick", newNick}}, ts);
	if (verified) markVerified(out);
	return out;
}

std::string ServerEvents::error(std::string_view code, std::string_view message)
{
	return event("error", {{"code", code}, {"message", message}});
}

std::string ServerEvents::error(std::string_view code, std::string_view message, std::int64_t seconds)
{
	std::string out = error(code, message);
	out.pop_back();
	out.append(",\"seconds\":");
	JsonWriter::appendNumber(out, seconds);
	out += '}';
	return out;
}

std::string ServerEvents::history(const std::vector<std::string>& messages, bool more)
{
	std::size_t size = 48;
	for (const auto& message : messages) size += message.size() + 1;
	std::string out;
	out.reserve(size);
	out.append("{\"type\":\"history\",\"messages\":[");
	for (std::size_t i = 0; i < messages.size(); ++i)
	{
		if (i != 0) out += ',';
		out.append(messages[i]);
	}
	out.append("],\"more\":").append(more ? "true" : "false").append("}");
	return out;
}

std::string ServerEvents::typing(std::string_view nick)
{
	return event("typing", {{"nick", nick}});
}

namespace {

// {"type":"<type>","id":<id><between>"by":"<by>"}: a deletion and a tombstone.
std::string deletion(std::string_view type, std::uint64_t id, std::string_view between, std::string_view by)
{
	std::string out = "{\"type\":\"";
	out.append(type).append("\",\"id\":");
	JsonWriter::appendNumber(out, id);
	out.append(between).append("\"by\":");
	JsonWriter::appendString(out, by);
	out += '}';
	return out;
}

} // namespace

std::string ServerEvents::tombstone(std::uint64_t id, std::string_view by)
{
	return deletion("message", id, ",\"deleted\":true,", by);
}

std::string ServerEvents::deleted(std::uint64_t id, std::string_view by)
{
	return deletion("deleted", id, ",", by);
}

std::string ServerEvents::topic(std::string_view text, std::string_view by)
{
	return event("topic", {{"text", text}, {"by", by}});
}

std::string ServerEvents::kicked(std::string_view room, std::string_view by, std::string_view reason)
{
	return event("kicked", {{"room", room}, {"by", by}, {"reason", reason}});
}

} // namespace webchat::chatroom
