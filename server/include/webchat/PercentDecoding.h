//
// PercentDecoding.h
//
// Percent-decoding (RFC 3986, section 2.1) of one component of a request
// target: a path segment, a query key or value. Strict and exactly once:
// every '%' must start two hex digits (either case), and the '%' that "%25"
// decodes to never starts another escape. A malformed escape is refused,
// never repaired or passed through.
//
// The result is raw bytes, any of 0x00-0xFF, whether they came raw or
// escaped. Which of them a component may hold is the caller's policy (a
// file name refuses NUL, control bytes and separators; a room name must be
// UTF-8), checked on the decoded bytes.
//
// Decode a component only after splitting the target on its raw
// delimiters ('/', '?', '&', '='): an encoded "%2F" must not become a
// separator. That is also why this is not Poco::URI::decode on a whole
// path; Poco's also reports a malformed escape by throwing, and a client's
// malformed URL is an ordinary refusal, not an exception.
//
// Header-only: plugins that link only the plugin interface use it too.
//

#ifndef WEBCHAT_PERCENTDECODING_INCLUDED
#define WEBCHAT_PERCENTDECODING_INCLUDED

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace webchat {

/// What a raw '+' in the encoded text stands for.
enum class PlusSign
{
	Literal, /// itself, as in a path (RFC 3986)
	Space    /// a space, as HTML forms and URLSearchParams encode query values
};

namespace percent_decoding_detail {

inline int hexValue(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

} // namespace percent_decoding_detail

/// Decodes the %XX escapes of encoded exactly once; a raw '+' as plus says.
/// Returns nothing if a '%' is not followed by two hex digits, at the end
/// of the text included. Every other byte is kept as it is.
inline std::optional<std::string> percentDecode(std::string_view encoded, PlusSign plus)
{
	using percent_decoding_detail::hexValue;
	std::string decoded;
	decoded.reserve(encoded.size());
	for (std::size_t i = 0; i < encoded.size(); ++i)
	{
		char c = encoded[i];
		if (c == '%')
		{
			if (encoded.size() - i < 3) return std::nullopt;
			const int high = hexValue(encoded[i + 1]);
			const int low = hexValue(encoded[i + 2]);
			if (high < 0 || low < 0) return std::nullopt;
			c = static_cast<char>(high * 16 + low);
			i += 2;
		}
		else if (c == '+' && plus == PlusSign::Space)
		{
			c = ' ';
		}
		decoded += c;
	}
	return decoded;
}

} // namespace webchat

#endif
