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
	if (!stringField(*object, "type", type)) return decoded(Kind::BadRequest, "a JSON object needs a \"type\": \"message\" or \"nick\"");
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
	return decoded(Kind::BadRequest, "unknown type; known are \"message\" and \"nick\"");
}

} // namespace webchat::chatroom
