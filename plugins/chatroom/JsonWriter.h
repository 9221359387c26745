//
// JsonWriter.h
//
// Appends JSON strings and numbers to a buffer. Hand-written rather than
// Poco::JSON::Stringifier: every chat message is serialised once on the hot
// path, and this is a table lookup per byte plus bulk copies of the runs
// that need no escaping, with no streams, Var or allocations of its own.
//
// The input is valid UTF-8 (the engine validates text frames; everything
// else comes from the server). Escaped, so the output is safe as JSON and
// inside an HTML <script> or a JavaScript string:
//   \" \\                  for the quote and the backslash
//   \n \r \t \b \f \u00XX   for U+0000-U+001F and U+007F
//   \u0080-\u009f           for the C1 controls (invisible)
//   \u003c \u003e \u0026    for < > & (no "</script>" in a page)
//   \u2028 \u2029           for the line breaks of JavaScript
//

#ifndef WEBCHAT_CHATROOM_JSONWRITER_INCLUDED
#define WEBCHAT_CHATROOM_JSONWRITER_INCLUDED

#include <cstdint>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class JsonWriter
{
public:
	/// Appends text escaped for the inside of a JSON string (no quotes).
	static void appendEscaped(std::string& out, std::string_view text);

	/// Appends text as a quoted JSON string.
	static void appendString(std::string& out, std::string_view text);

	static void appendNumber(std::string& out, std::uint64_t value);
	static void appendNumber(std::string& out, std::int64_t value);

	/// text escaped, without quotes.
	static std::string escaped(std::string_view text);

	/// The longest escape of one byte of input ("<" becomes 6 bytes).
	static constexpr std::size_t MaxExpansion = 6;
};

} // namespace webchat::chatroom

#endif
