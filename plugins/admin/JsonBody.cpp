#include "JsonBody.h"

#include "ApiError.h"

#include "Poco/Exception.h"
#include "Poco/JSON/JSONException.h"
#include "Poco/JSON/Parser.h"

#include <cstring>

namespace webchat::admin {

namespace {

[[noreturn]] void invalid(const std::string& message)
{
	throw ApiError(400, "invalid_request", message);
}

} // namespace

JsonBody::JsonBody(Poco::JSON::Object::Ptr object):
	_object(std::move(object))
{
}

JsonBody JsonBody::parse(const std::string& text, std::initializer_list<const char*> allowed)
{
	Poco::Dynamic::Var parsed;
	try
	{
		Poco::JSON::Parser parser;
		parser.setDepth(MaxDepth);
		parser.setAllowComments(false);
		parser.setAllowNullByte(false);
		parsed = parser.parse(text);
	}
	catch (const Poco::Exception& exc)
	{
		throw ApiError(400, "invalid_json", "the body is not JSON: " + exc.message().substr(0, 200));
	}
	if (parsed.type() != typeid(Poco::JSON::Object::Ptr)) throw ApiError(400, "invalid_json", "the body must be a JSON object");
	auto object = parsed.extract<Poco::JSON::Object::Ptr>();
	for (const auto& member : *object)
	{
		bool known = false;
		for (const char* name : allowed) known = known || member.first == name;
		if (!known) invalid("unknown member \"" + member.first.substr(0, 64) + "\"");
	}
	return JsonBody(std::move(object));
}

std::optional<std::string> JsonBody::text(const char* name, std::size_t maxBytes) const
{
	if (!_object->has(name)) return std::nullopt;
	const Poco::Dynamic::Var value = _object->get(name);
	if (!value.isString()) invalid(std::string(name) + " must be a string");
	std::string result = value.extract<std::string>();
	if (result.size() > maxBytes) invalid(std::string(name) + " may have at most " + std::to_string(maxBytes) + " bytes");
	return result;
}

std::string JsonBody::requiredText(const char* name, std::size_t maxBytes) const
{
	auto value = text(name, maxBytes);
	if (!value) invalid(std::string(name) + " is missing");
	return std::move(*value);
}

std::optional<std::int64_t> JsonBody::integer(const char* name, std::int64_t min, std::int64_t max) const
{
	if (!_object->has(name)) return std::nullopt;
	const Poco::Dynamic::Var value = _object->get(name);
	if (!value.isInteger()) invalid(std::string(name) + " must be a whole number");
	std::int64_t number = 0;
	try
	{
		number = value.convert<Poco::Int64>();
	}
	catch (const Poco::Exception&)
	{
		invalid(std::string(name) + " is out of range");
	}
	if (number < min || number > max) invalid(std::string(name) + " must be from " + std::to_string(min) + " to " + std::to_string(max));
	return number;
}

} // namespace webchat::admin
