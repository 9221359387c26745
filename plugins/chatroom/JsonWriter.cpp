#include "JsonWriter.h"

#include <array>
#include <charconv>

namespace webchat::chatroom {

namespace {

// Per leading byte: 0 copied as is, 1 escaped, 2 the lead byte of a
// sequence that may need escaping (C2: C1 controls, E2: U+2028/U+2029).
constexpr std::array<std::uint8_t, 256> makeTable()
{
	std::array<std::uint8_t, 256> table{};
	for (int c = 0; c < 0x20; ++c) table[c] = 1;
	for (unsigned char c : {'"', '\\', '<', '>', '&', '\x7f'}) table[c] = 1;
	table[0xC2] = 2;
	table[0xE2] = 2;
	return table;
}

constexpr std::array<std::uint8_t, 256> table = makeTable();

void appendUnicodeEscape(std::string& out, unsigned code)
{
	static const char hex[] = "0123456789abcdef";
	const char escape[6] = {'\\', 'u', hex[(code >> 12) & 0xF], hex[(code >> 8) & 0xF], hex[(code >> 4) & 0xF], hex[code & 0xF]};
	out.append(escape, sizeof(escape));
}

void appendByteEscape(std::string& out, unsigned char c)
{
	switch (c)
	{
	case '"': out.append("\\\"", 2); break;
	case '\\': out.append("\\\\", 2); break;
	case '\n': out.append("\\n", 2); break;
	case '\r': out.append("\\r", 2); break;
	case '\t': out.append("\\t", 2); break;
	case '\b': out.append("\\b", 2); break;
	case '\f': out.append("\\f", 2); break;
	default: appendUnicodeEscape(out, c); break;
	}
}

template <class T>
void appendInteger(std::string& out, T value)
{
	char digits[24];
	const auto result = std::to_chars(digits, digits + sizeof(digits), value);
	out.append(digits, static_cast<std::size_t>(result.ptr - digits));
}

} // namespace

void JsonWriter::appendEscaped(std::string& out, std::string_view text)
{
	const char* const data = text.data();
	const std::size_t size = text.size();
	std::size_t runStart = 0;
	for (std::size_t i = 0; i < size; ++i)
	{
		const auto c = static_cast<unsigned char>(data[i]);
		const std::uint8_t kind = table[c];
		if (kind == 0) continue;
		if (kind == 2)
		{
			const auto next = i + 1 < size ? static_cast<unsigned char>(data[i + 1]) : 0;
			if (c == 0xC2 && next >= 0x80 && next <= 0x9F)
			{
				out.append(data + runStart, i - runStart);
				appendUnicodeEscape(out, next);
				runStart = i + 2;
				++i;
			}
			else if (c == 0xE2 && next == 0x80 && i + 2 < size &&
				(static_cast<unsigned char>(data[i + 2]) == 0xA8 || static_cast<unsigned char>(data[i + 2]) == 0xA9))
			{
				out.append(data + runStart, i - runStart);
				appendUnicodeEscape(out, static_cast<unsigned char>(data[i + 2]) == 0xA8 ? 0x2028 : 0x2029);
				runStart = i + 3;
				i += 2;
			}
			continue;
		}
		out.append(data + runStart, i - runStart);
		appendByteEscape(out, c);
		runStart = i + 1;
	}
	out.append(data + runStart, size - runStart);
}

void JsonWriter::appendString(std::string& out, std::string_view text)
{
	out += '"';
	appendEscaped(out, text);
	out += '"';
}

void JsonWriter::appendNumber(std::string& out, std::uint64_t value)
{
	appendInteger(out, value);
}

void JsonWriter::appendNumber(std::string& out, std::int64_t value)
{
	appendInteger(out, value);
}

std::string JsonWriter::escaped(std::string_view text)
{
	std::string out;
	out.reserve(text.size());
	appendEscaped(out, text);
	return out;
}

} // namespace webchat::chatroom
