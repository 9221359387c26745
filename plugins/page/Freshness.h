//
// Freshness.h
//
// Validators of a served file (ETag, Last-Modified) and the conditional GET
// that compares them with what the browser has cached (RFC 9110, 13.1).
//

#ifndef WEBCHAT_PAGE_FRESHNESS_INCLUDED
#define WEBCHAT_PAGE_FRESHNESS_INCLUDED

#include "Poco/Timestamp.h"
#include "Poco/Types.h"

#include <optional>
#include <string>

namespace webchat {
namespace page {

class Freshness
{
public:
	/// A strong entity tag from size and modification time (microseconds):
	/// "<size hex>-<mtime hex>", quotes included. Cheap (no hashing), and
	/// changes whenever the file is replaced or rewritten.
	static std::string entityTag(Poco::UInt64 size, const Poco::Timestamp& modified);

	/// True if a GET or HEAD may be answered with 304 Not Modified.
	/// If-None-Match, when present, decides alone (weak comparison, "*"
	/// matches); otherwise If-Modified-Since does, when it is a valid HTTP
	/// date not later than now and the file is not newer (at the one-second
	/// resolution of HTTP dates).
	static bool notModified(const std::optional<std::string>& ifNoneMatch,
		const std::optional<std::string>& ifModifiedSince,
		const std::string& entityTag, const Poco::Timestamp& modified, const Poco::Timestamp& now);

	/// True if the If-None-Match value lists the tag (or is "*"). Entity tags
	/// are compared weakly (a W/ prefix does not matter); a malformed list
	/// matches nothing from the point it becomes malformed.
	static bool matchesAny(const std::string& ifNoneMatch, const std::string& entityTag);
};

} } // namespace webchat::page

#endif
