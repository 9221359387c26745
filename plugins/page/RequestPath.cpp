#include "RequestPath.h"

#include "webchat/PercentDecoding.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace webchat {
namespace page {

namespace {

// A byte a file name must never get from a URL: NUL, which would cut the
// name short at the system call, the other control characters, and '/' or
// '\' (an encoded separator would smuggle a path through the segment checks).
// Bytes >= 0x80 are kept as they are: file names are bytes, and none of
// them can form '.', '/' or '\'.
bool forbiddenInFileName(char ch)
{
	const unsigned char c = static_cast<unsigned char>(ch);
	return c < 0x20 || c == 0x7f || c == '/' || c == '\\';
}

} // namespace

RequestPath RequestPath::reject(Verdict verdict, const std::string& problem)
{
	RequestPath path;
	path._verdict = verdict;
	path._problem = problem;
	return path;
}

RequestPath RequestPath::parse(const std::string& target)
{
	// The query never selects a file; a fragment should not be sent at all.
	const std::string encoded = target.substr(0, target.find_first_of("?#"));
	if (encoded.empty() || encoded[0] != '/')
		return reject(MALFORMED, "not an origin-form path");

	for (char ch : encoded)
	{
		const unsigned char c = static_cast<unsigned char>(ch);
		// Raw bytes must be printable ASCII (anything else has to be
		// percent-encoded), and a raw '\' is a separator on some systems.
		if (c <= 0x20 || c >= 0x7f) return reject(MALFORMED, "raw byte outside printable ASCII");
		if (c == '\\') return reject(MALFORMED, "backslash");
	}

	RequestPath path;
	path._encoded = encoded;
	// Split on the raw '/' only: decoding comes after splitting, so no
	// escape can ever produce a separator.
	std::string::size_type start = 1;
	for (;;)
	{
		const std::string::size_type slash = encoded.find('/', start);
		const std::string raw = encoded.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
		const bool last = slash == std::string::npos;
		if (raw.empty())
		{
			if (last)
			{
				path._directory = true;
				break;
			}
			// "//" would make an absolute path of the rest on join, and is
			// a protocol-relative URL in a redirect.
			return reject(MALFORMED, "empty path segment");
		}
		std::optional<std::string> segment = percentDecode(raw, PlusSign::Literal);
		if (!segment || std::any_of(segment->begin(), segment->end(), forbiddenInFileName))
			return reject(MALFORMED, "malformed or forbidden percent-encoding");
		if (*segment == "." || *segment == "..")
			return reject(MALFORMED, "dot segment");
		if ((*segment)[0] == '.')
			return reject(HIDDEN, "hidden file");
		path._segments.push_back(std::move(*segment));
		if (last) break;
		start = slash + 1;
	}
	path._verdict = ACCEPTED;
	return path;
}

std::string RequestPath::relative() const
{
	std::string joined;
	for (const auto& segment : _segments)
	{
		if (!joined.empty()) joined += '/';
		joined += segment;
	}
	return joined;
}

} } // namespace webchat::page
