#include "ClientCommand.h"

#include "webchat/engine/Utf8Validator.h"

#include "Poco/Exception.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"

namespace webchat::chatroom {

namespace {

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

// The page (JSON.stringify) and most clients send exactly
// {"type":"message","text":"..."}, usually with nothing escaped in the text.
// Then the text is a slice of the frame: no parser, no object, no copy (the
// parser costs about 1 µs per message). Anything else - other key order,
// spaces, an escape, a control character - takes the parser's path, so the
// result is the same either way.
bool plainMessageText(std::string_view frame, std::string_view& text)
{
	constexpr std::string_view head = R"({"type":"message","text":")";
	constexpr std::string_view tail = R"("})";
	if (frame.size() < head.size() + tail.size()) return false;
	if (frame.substr(0, head.size()) != head || frame.substr(frame.size() - tail.size()) != tail) return false;
	text = frame.substr(head.size(), frame.size() - head.size() - tail.size());
	for (const char c : text)
	{
		if (c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20) return false;
	}
	return ws::isValidUtf8(text);
}

} // namespace

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
	std::string_view text;
	if (plainMessageText(frame, text)) return ClientCommand(Kind::Message, text);

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
	if (!stringField(*object, "type", type)) return decoded(Kind::BadRequest, "a JSON object needs a \"type\": \"message\", \"nick\" or \"auth\"");
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
	return decoded(Kind::BadRequest, "unknown type; known are \"message\", \"nick\" and \"auth\"");
}

} // namespace webchat::chatroom
