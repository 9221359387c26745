#include "NameRules.h"

#include <cstdint>

namespace webchat::chatroom {

namespace {

constexpr char32_t Invalid = 0xFFFFFFFF;

// Decodes the code point at text[i] and advances i; Invalid for bytes that
// are not UTF-8 (callers normally pass validated text, this is defence).
char32_t decode(std::string_view text, std::size_t& i)
{
	const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
	const unsigned char lead = byte(i);
	if (lead < 0x80)
	{
		++i;
		return lead;
	}
	std::size_t extra;
	char32_t minimum; // smaller is an overlong form
	if ((lead & 0xE0) == 0xC0)
	{
		extra = 1;
		minimum = 0x80;
	}
	else if ((lead & 0xF0) == 0xE0)
	{
		extra = 2;
		minimum = 0x800;
	}
	else if ((lead & 0xF8) == 0xF0)
	{
		extra = 3;
		minimum = 0x10000;
	}
	else
	{
		return Invalid;
	}
	char32_t code = lead & (0x7F >> (extra + 1));
	if (i + extra >= text.size()) return Invalid; // cut off
	for (std::size_t k = 1; k <= extra; ++k)
	{
		const unsigned char next = byte(i + k);
		if ((next & 0xC0) != 0x80) return Invalid;
		code = (code << 6) | (next & 0x3F);
	}
	if (code < minimum || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return Invalid;
	i += extra + 1;
	return code;
}

bool isControl(char32_t c)
{
	return c < 0x20 || (c >= 0x7F && c <= 0x9F);
}

bool isForbiddenFormat(char32_t c)
{
	return c == 0x2028 || c == 0x2029 || (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) || c == 0xFEFF;
}

// Unicode's space separators (general category Zs).
bool isSpace(char32_t c)
{
	return c == 0x20 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x202F || c == 0x205F || c == 0x3000;
}

} // namespace

std::string NameRules::checkRoom(std::string_view name)
{
	return check(name, MaxRoomLength, false, "a room name");
}

std::string NameRules::checkNick(std::string_view name)
{
	return check(name, MaxNickLength, true, "a nick");
}

std::size_t NameRules::length(std::string_view utf8)
{
	std::size_t count = 0;
	for (const char c : utf8)
	{
		if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
	}
	return count;
}

std::string NameRules::check(std::string_view name, std::size_t maxLength, bool slashAllowed, const char* what)
{
	const std::string subject(what);
	if (name.empty()) return subject + " must not be empty";
	std::size_t count = 0;
	char32_t first = 0;
	char32_t last = 0;
	for (std::size_t i = 0; i < name.size();)
	{
		const char32_t c = decode(name, i);
		if (c == Invalid) return subject + " must be valid UTF-8";
		if (isControl(c)) return subject + " must not contain control characters";
		if (isForbiddenFormat(c)) return subject + " must not contain line separators, bidirectional controls or byte order marks";
		if (c == '/' && !slashAllowed) return subject + " must not contain '/'";
		if (count == 0) first = c;
		last = c;
		++count;
	}
	if (count > maxLength) return subject + " must be at most " + std::to_string(maxLength) + " characters long";
	if (isSpace(first) || isSpace(last)) return subject + " must not start or end with a space";
	return {};
}

} // namespace webchat::chatroom
