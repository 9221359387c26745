//
// PercentDecoder.h
//
// Strict, single-pass percent-decoding of one path segment.
//

#ifndef WEBCHAT_PAGE_PERCENTDECODER_INCLUDED
#define WEBCHAT_PAGE_PERCENTDECODER_INCLUDED

#include <string>

namespace webchat {
namespace page {

class PercentDecoder
{
public:
	/// Decodes the %XX escapes of one path segment (the text between two
	/// '/'), exactly once. Returns false, leaving decoded unspecified, if a
	/// '%' is not followed by two hex digits or if the result would contain
	/// a byte a file name must never get from a URL: NUL and the other
	/// control characters, '/' or '\' (an encoded separator would smuggle a
	/// path through a segment check). Bytes >= 0x80 are kept as they are:
	/// file names are bytes, and none of them can form '.', '/' or '\'.
	///
	/// Why not Poco::URI::decode: it decodes a whole path, so "%2F" comes out
	/// as a '/' that is indistinguishable from a real separator, and it
	/// turns "%00" into a NUL byte, which would truncate the name at the
	/// system call; both must be refused, not decoded.
	static bool decodeSegment(const std::string& encoded, std::string& decoded);

private:
	static int hexValue(char c);
};

} } // namespace webchat::page

#endif
