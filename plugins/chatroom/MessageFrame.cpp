#include "MessageFrame.h"

#include "webchat/engine/Utf8Validator.h"

#include <cstdint>
#include <cstring>

namespace webchat::chatroom {

namespace {

bool isJsonSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int hexValue(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

constexpr std::uint64_t Ones = 0x0101010101010101ull;
constexpr std::uint64_t HighBits = 0x8080808080808080ull;

// True when one of the 8 bytes at p ends a plain run of a string: '"',
// '\\' or a control character below 0x20 (the has-a-zero-byte and
// has-a-byte-below tests, exact about whether one exists).
bool hasStopByte8(const char* p)
{
	std::uint64_t v;
	std::memcpy(&v, p, sizeof v);
	const auto hasZeroByte = [](std::uint64_t x) { return (x - Ones) & ~x & HighBits; };
	return (hasZeroByte(v ^ (Ones * '"')) | hasZeroByte(v ^ (Ones * '\\')) | ((v - Ones * 0x20) & ~v & HighBits)) != 0;
}

void appendUtf8(std::string& out, std::uint32_t codePoint)
{
	if (codePoint < 0x80)
		out += static_cast<char>(codePoint);
	else if (codePoint < 0x800)
	{
		out += static_cast<char>(0xC0 | (codePoint >> 6));
		out += static_cast<char>(0x80 | (codePoint & 0x3F));
	}
	else if (codePoint < 0x10000)
	{
		out += static_cast<char>(0xE0 | (codePoint >> 12));
		out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (codePoint & 0x3F));
	}
	else
	{
		out += static_cast<char>(0xF0 | (codePoint >> 18));
		out += static_cast<char>(0x80 | ((codePoint >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((codePoint >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (codePoint & 0x3F));
	}
}

// A forward reader over the frame. Every method consumes what it expects and
// returns true, or returns false (the frame is then not plain).
class Reader
{
public:
	explicit Reader(std::string_view frame): _p(frame.data()), _end(frame.data() + frame.size()) {}

	void skipSpace()
	{
		while (_p != _end && isJsonSpace(*_p)) ++_p;
	}

	/// White space, then c.
	bool next(char c)
	{
		skipSpace();
		if (_p == _end || *_p != c) return false;
		++_p;
		return true;
	}

	bool atEnd()
	{
		skipSpace();
		return _p == _end;
	}

	enum class String
	{
		Bad,
		Plain,  // out views the frame
		Escaped // out views decoded
	};

	/// White space, then a JSON string. Escapes are decoded into decoded
	/// only when allowEscapes (keys and the type are read plain or not at
	/// all).
	String string(std::string_view& out, std::string& decoded, bool allowEscapes)
	{
		if (!next('"')) return String::Bad;
		const char* const start = _p;
		// Eight bytes at a time up to the word that ends the plain run.
		while (_end - _p >= 8 && !hasStopByte8(_p)) _p += 8;
		for (; _p != _end; ++_p)
		{
			const auto c = static_cast<unsigned char>(*_p);
			if (c == '"')
			{
				out = std::string_view(start, static_cast<std::size_t>(_p - start));
				++_p;
				return String::Plain;
			}
			if (c == '\\')
			{
				if (!allowEscapes) return String::Bad;
				decoded.assign(start, static_cast<std::size_t>(_p - start));
				if (!decodeRest(decoded)) return String::Bad;
				out = decoded;
				return String::Escaped;
			}
			if (c < 0x20) return String::Bad;
		}
		return String::Bad;
	}

private:
	// From a backslash to the closing quote, appending to out.
	bool decodeRest(std::string& out)
	{
		while (_p != _end)
		{
			const char c = *_p;
			if (c == '"')
			{
				++_p;
				return true;
			}
			if (static_cast<unsigned char>(c) < 0x20) return false;
			if (c != '\\')
			{
				// A run of plain bytes at once.
				const char* const run = _p;
				while (_p != _end && *_p != '"' && *_p != '\\' && static_cast<unsigned char>(*_p) >= 0x20) ++_p;
				out.append(run, static_cast<std::size_t>(_p - run));
				continue;
			}
			if (++_p == _end) return false;
			switch (*_p++)
			{
			case '"': out += '"'; break;
			case '\\': out += '\\'; break;
			case '/': out += '/'; break;
			case 'b': out += '\b'; break;
			case 'f': out += '\f'; break;
			case 'n': out += '\n'; break;
			case 'r': out += '\r'; break;
			case 't': out += '\t'; break;
			case 'u':
			{
				std::uint32_t codePoint = 0;
				if (!hex4(codePoint)) return false;
				if (codePoint >= 0xDC00 && codePoint <= 0xDFFF) return false; // a lone low surrogate
				if (codePoint >= 0xD800 && codePoint <= 0xDBFF)
				{
					// A high surrogate: only as the first of a pair.
					std::uint32_t low = 0;
					if (_end - _p < 2 || _p[0] != '\\' || _p[1] != 'u') return false;
					_p += 2;
					if (!hex4(low) || low < 0xDC00 || low > 0xDFFF) return false;
					codePoint = 0x10000 + ((codePoint - 0xD800) << 10) + (low - 0xDC00);
				}
				appendUtf8(out, codePoint);
				break;
			}
			default:
				return false;
			}
		}
		return false;
	}

	bool hex4(std::uint32_t& value)
	{
		if (_end - _p < 4) return false;
		value = 0;
		for (int i = 0; i < 4; ++i)
		{
			const int digit = hexValue(_p[i]);
			if (digit < 0) return false;
			value = value << 4 | static_cast<std::uint32_t>(digit);
		}
		_p += 4;
		return true;
	}

	const char* _p;
	const char* _end;
};

} // namespace

MessageFrame::Read MessageFrame::read(std::string_view frame, std::string_view& text, std::string& decoded)
{
	Reader in(frame);
	if (!in.next('{')) return Read::NotPlain;
	bool hasType = false;
	bool hasText = false;
	Read read = Read::NotPlain;
	std::string unused;
	do
	{
		std::string_view key;
		if (in.string(key, unused, false) != Reader::String::Plain || !in.next(':')) return Read::NotPlain;
		if (key == "type" && !hasType)
		{
			std::string_view type;
			if (in.string(type, unused, false) != Reader::String::Plain || type != "message") return Read::NotPlain;
			hasType = true;
		}
		else if (key == "text" && !hasText)
		{
			const Reader::String value = in.string(text, decoded, true);
			if (value == Reader::String::Bad) return Read::NotPlain;
			read = value == Reader::String::Plain ? Read::Slice : Read::Decoded;
			hasText = true;
		}
		else
		{
			// Another field, or one given twice: the parser's business.
			return Read::NotPlain;
		}
	} while (in.next(','));
	if (!hasType || !hasText || !in.next('}') || !in.atEnd()) return Read::NotPlain;
	// Decoded escapes are UTF-8 by construction; the rest is the frame's own
	// bytes, which the engine has validated, but this reader may be given
	// anything (tests, fuzzing): the parser's path refuses text that is not
	// UTF-8, so this one leaves it to the parser.
	if (!ws::isValidUtf8(text)) return Read::NotPlain;
	return read;
}

} // namespace webchat::chatroom
