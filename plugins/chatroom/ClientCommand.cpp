#include "ClientCommand.h"

#include "MessageFrame.h"
#include "ModerationState.h"
#include "NameRules.h"

#include "webchat/engine/Utf8Validator.h"

#include "Poco/Exception.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"

#include <algorithm>

namespace webchat::chatroom {

namespace {

// Ids are JSON numbers in events: at most 2^53 stay exact in a browser.
constexpr std::int64_t maxJsonInteger = std::int64_t(1) << 53;

bool looksLikeObject(std::string_view frame)
{
	for (const char c : frame)
	{
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
		return c == '{';
	}
	return false;
}

// The object's field as a string; false when absent or of another kind.
bool stringField(const Poco::JSON::Object& object, const std::string& name, std::string& value)
{
	const Poco::Dynamic::Var field = object.get(name);
	if (field.isEmpty() || !field.isString()) return false;
	value = field.extract<std::string>();
	// The parser turns \u escapes into UTF-8 itself; make sure nothing that
	// is not UTF-8 (which a browser would treat as a broken connection) can
	// reach other clients.
	return ws::isValidUtf8(value);
}

// An integer field: absent (none), or a JSON integer within [min, max];
// anything else (a string, a fraction, a boolean, out of range) is a
// problem naming the field and its range.
std::optional<std::int64_t> integerField(const Poco::JSON::Object& object, const std::string& name, std::int64_t min, std::int64_t max, std::string& problem)
{
	const Poco::Dynamic::Var field = object.get(name);
	if (field.isEmpty()) return std::nullopt;
	const std::string range = "\"" + name + "\" must be a whole number from " + std::to_string(min) + " to " + std::to_string(max);
	if (!field.isInteger() || field.isBoolean())
	{
		problem = range;
		return std::nullopt;
	}
	try
	{
		const auto value = field.convert<Poco::Int64>();
		if (value >= min && value <= max) return value;
	}
	catch (const Poco::Exception&)
	{
		// Beyond 64 bits: out of range below.
	}
	problem = range;
	return std::nullopt;
}

// A string field that may be absent; a problem when present and not a
// UTF-8 string of at most maxBytes.
bool optionalString(const Poco::JSON::Object& object, const std::string& name, std::size_t maxBytes, std::string& value, std::string& problem)
{
	if (!object.has(name) || object.get(name).isEmpty()) return false;
	if (!stringField(object, name, value))
	{
		problem = "\"" + name + "\" must be a string";
		return false;
	}
	if (value.size() > maxBytes)
	{
		problem = "\"" + name + "\" may have at most " + std::to_string(maxBytes) + " bytes";
		return false;
	}
	return true;
}

} // namespace

ClientCommand ClientCommand::moderation(Kind kind, ModerationFields fields)
{
	ClientCommand command(kind, {});
	command._moderation = std::move(fields);
	return command;
}

ClientCommand ClientCommand::decoded(Kind kind, std::string value)
{
	ClientCommand command(kind, {});
	command._value = std::move(value);
	command._decoded = true;
	return command;
}

ClientCommand ClientCommand::parse(std::string_view frame)
{
	if (!looksLikeObject(frame)) return ClientCommand(Kind::Message, frame);
	// The page (JSON.stringify) and most clients send a plain message frame:
	// read without the parser, its text a slice of the frame when nothing in
	// it is escaped (no copy).
	std::string_view text;
	std::string decodedText;
	switch (MessageFrame::read(frame, text, decodedText))
	{
	case MessageFrame::Read::Slice:
		return ClientCommand(Kind::Message, text);
	case MessageFrame::Read::Decoded:
		return decoded(Kind::Message, std::move(decodedText));
	case MessageFrame::Read::NotPlain:
		break;
	}
	return parseGeneral(frame);
}

ClientCommand ClientCommand::parseGeneral(std::string_view frame)
{
	if (!looksLikeObject(frame)) return ClientCommand(Kind::Message, frame);
	Poco::JSON::Object::Ptr object;
	try
	{
		Poco::JSON::Parser parser;
		const Poco::Dynamic::Var parsed = parser.parse(std::string(frame));
		if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) return ClientCommand(Kind::Message, frame);
		object = parsed.extract<Poco::JSON::Object::Ptr>();
	}
	catch (const Poco::Exception&)
	{
		// "{not json" and friends: text like any other.
		return ClientCommand(Kind::Message, frame);
	}

	std::string type;
	if (!stringField(*object, "type", type)) return decoded(Kind::BadRequest, "a JSON object needs a \"type\": \"message\", \"nick\", \"typing\", \"history\" or \"auth\"");
	std::string value;
	if (type == "message")
	{
		if (!stringField(*object, "text", value)) return decoded(Kind::BadRequest, "a message needs a \"text\" string");
		return decoded(Kind::Message, std::move(value));
	}
	if (type == "nick")
	{
		if (!stringField(*object, "nick", value)) return decoded(Kind::BadRequest, "a nick change needs a \"nick\" string");
		return decoded(Kind::Nick, std::move(value));
	}
	if (type == "auth")
	{
		if (!stringField(*object, "token", value) || value.empty()) return decoded(Kind::BadRequest, "an auth frame needs a \"token\" string");
		return decoded(Kind::Auth, std::move(value));
	}
	if (type == "typing") return ClientCommand(Kind::Typing, {});
	if (type == "history") return parseHistory(*object);
	return parseModeration(type, *object);
}

ClientCommand ClientCommand::parseHistory(const Poco::JSON::Object& object)
{
	std::string problem;
	const auto before = integerField(object, "before", 1, maxJsonInteger, problem);
	if (!before) return decoded(Kind::BadRequest, "history: " + (problem.empty() ? std::string("needs \"before\", the id of the oldest message the client has") : problem));
	const auto limit = integerField(object, "limit", 1, maxJsonInteger, problem);
	if (!problem.empty()) return decoded(Kind::BadRequest, "history: " + problem);
	ClientCommand command(Kind::History, {});
	command._history.before = static_cast<std::uint64_t>(*before);
	command._history.limit = limit ? static_cast<std::size_t>(std::min<std::int64_t>(*limit, MaxHistoryPage)) : MaxHistoryPage;
	return command;
}

ClientCommand ClientCommand::parseModeration(const std::string& type, const Poco::JSON::Object& object)
{
	static const std::pair<const char*, Kind> kinds[] = {{"delete", Kind::Delete}, {"kick", Kind::Kick}, {"mute", Kind::Mute}, {"ban", Kind::Ban},
		{"unban", Kind::Unban}, {"slowmode", Kind::Slowmode}, {"topic", Kind::Topic}};
	Kind kind = Kind::BadRequest;
	for (const auto& [name, known] : kinds)
		if (type == name) kind = known;
	if (kind == Kind::BadRequest)
		return decoded(Kind::BadRequest, "unknown type; known are \"message\", \"nick\", \"typing\", \"history\", \"auth\" and, for moderators, \"delete\", \"kick\", \"mute\", \"ban\", \"unban\", \"slowmode\", \"topic\"");

	ModerationFields fields;
	std::string problem;
	const auto bad = [&](std::string what) { return decoded(Kind::BadRequest, type + ": " + std::move(what)); };
	const bool hasNick = optionalString(object, "nick", 4096, fields.nick, problem);
	if (!problem.empty()) return bad(problem);
	if (hasNick)
	{
		const std::string nickProblem = NameRules::checkNick(fields.nick);
		if (!nickProblem.empty()) return bad("\"nick\": " + nickProblem);
	}
	const bool hasAddress = optionalString(object, "address", ModerationLimits::MaxAddressBytes, fields.address, problem);
	if (!problem.empty()) return bad(problem);
	if (hasAddress)
	{
		const auto address = ModerationLimits::canonicalAddress(fields.address);
		if (!address) return bad("\"address\" must be an IPv4 or IPv6 address");
		fields.address = *address;
	}
	optionalString(object, "reason", ModerationLimits::MaxReasonBytes, fields.reason, problem);
	if (!problem.empty()) return bad(problem);

	switch (kind)
	{
	case Kind::Delete:
	{
		const auto id = integerField(object, "id", 1, maxJsonInteger, problem);
		if (!id) return bad(problem.empty() ? "needs \"id\", the message's id" : problem);
		fields.id = static_cast<std::uint64_t>(*id);
		break;
	}
	case Kind::Kick:
		if (!hasNick) return bad("needs \"nick\"");
		break;
	case Kind::Mute:
		fields.seconds = integerField(object, "seconds", 0, ModerationLimits::MaxMuteSeconds, problem);
		if (!problem.empty()) return bad(problem);
		if (!hasNick || !fields.seconds) return bad("needs \"nick\" and \"seconds\" (0 lifts a mute)");
		break;
	case Kind::Ban:
		fields.seconds = integerField(object, "seconds", 1, ModerationLimits::MaxBanSeconds, problem);
		if (!problem.empty()) return bad(problem);
		if (!hasNick && !hasAddress) return bad("needs \"nick\" or \"address\"");
		break;
	case Kind::Unban:
		if (hasNick == hasAddress) return bad("needs \"nick\" or \"address\", one of them");
		break;
	case Kind::Slowmode:
		fields.seconds = integerField(object, "seconds", 0, ModerationLimits::MaxSlowmodeSeconds, problem);
		if (!problem.empty()) return bad(problem);
		if (!fields.seconds) return bad("needs \"seconds\" (0 turns slow mode off)");
		break;
	case Kind::Topic:
		if (!object.has("text")) return bad("needs \"text\" (empty clears the topic)");
		optionalString(object, "text", ModerationLimits::MaxTopicBytes, fields.text, problem);
		if (!problem.empty()) return bad(problem);
		break;
	default:
		break;
	}
	return moderation(kind, std::move(fields));
}

} // namespace webchat::chatroom
