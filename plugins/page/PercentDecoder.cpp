#include "PercentDecoder.h"

namespace webchat {
namespace page {

int PercentDecoder::hexValue(char c)
{
	if (c >= '0' && c <= '9') return c - '0';
	if (c >= 'a' && c <= 'f') return c - 'a' + 10;
	if (c >= 'A' && c <= 'F') return c - 'A' + 10;
	return -1;
}

bool PercentDecoder::decodeSegment(const std::string& encoded, std::string& decoded)
{
	decoded.clear();
	decoded.reserve(encoded.size());
	for (std::string::size_type i = 0; i < encoded.size(); ++i)
	{
		unsigned char c = static_cast<unsigned char>(encoded[i]);
		if (c == '%')
		{
			// Two hex digits must follow; a lone or truncated '%' is an error.
			if (i + 2 >= encoded.size()) return false;
			const int hi = hexValue(encoded[i + 1]);
			const int lo = hexValue(encoded[i + 2]);
			if (hi < 0 || lo < 0) return false;
			c = static_cast<unsigned char>(hi * 16 + lo);
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') return false;
		decoded += static_cast<char>(c);
	}
	return true;
}

} } // namespace webchat::page
