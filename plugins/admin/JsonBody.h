//
// JsonBody.h
//
// An operator API request's body: one JSON object of known members, each
// of a known type and bounded size, parsed with a bounded depth. Anything
// else is an ApiError (400 invalid_json for what does not parse, 400
// invalid_request for a member that is unknown, missing, of another type
// or out of range); the size of the whole body is AdminHandler's to bound
// before this sees it.
//

#ifndef WEBCHAT_ADMIN_JSONBODY_INCLUDED
#define WEBCHAT_ADMIN_JSONBODY_INCLUDED

#include "Poco/JSON/Object.h"

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>

namespace webchat::admin {

class JsonBody
{
public:
	/// Nesting allowed: the bodies are flat objects; a little room for a
	/// client that sends an unknown member holding an object, which is then
	/// refused by name rather than by depth.
	static constexpr std::size_t MaxDepth = 4;

	/// text must be one object whose members are all among allowed.
	static JsonBody parse(const std::string& text, std::initializer_list<const char*> allowed);

	/// A string member of at most maxBytes (UTF-8 bytes); none when absent.
	std::optional<std::string> text(const char* name, std::size_t maxBytes) const;
	std::string requiredText(const char* name, std::size_t maxBytes) const;

	/// An integer member from min to max; none when absent.
	std::optional<std::int64_t> integer(const char* name, std::int64_t min, std::int64_t max) const;

private:
	explicit JsonBody(Poco::JSON::Object::Ptr object);

	Poco::JSON::Object::Ptr _object;
};

} // namespace webchat::admin

#endif
