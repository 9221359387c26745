// The obvious UTF-8 decoder, written from RFC 3629's definition, for tests
// and fuzzers to compare the engine's DFA validator with. Header-only so the
// separate fuzz build can use it without the test support library.
#ifndef WEBCHAT_REFERENCEUTF8_INCLUDED
#define WEBCHAT_REFERENCEUTF8_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace webchat::test {

inline bool referenceUtf8(std::string_view s)
{
	std::size_t i = 0;
	while (i < s.size())
	{
		const auto b = static_cast<unsigned char>(s[i]);
		std::size_t len;
		std::uint32_t cp;
		if (b < 0x80) { len = 1; cp = b; }
		else if ((b & 0xE0) == 0xC0) { len = 2; cp = b & 0x1F; }
		else if ((b & 0xF0) == 0xE0) { len = 3; cp = b & 0x0F; }
		else if ((b & 0xF8) == 0xF0) { len = 4; cp = b & 0x07; }
		else return false;
		if (i + len > s.size()) return false;
		for (std::size_t k = 1; k < len; ++k)
		{
			const auto c = static_cast<unsigned char>(s[i + k]);
			if ((c & 0xC0) != 0x80) return false;
			cp = (cp << 6) | (c & 0x3F);
		}
		static const std::uint32_t minimum[] = {0, 0, 0x80, 0x800, 0x10000};
		if (cp < minimum[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
		i += len;
	}
	return true;
}

} // namespace webchat::test

#endif
