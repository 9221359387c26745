//
// MimeTypes.h
//
// Content-Type by file name extension: the few types a chat page uses.
//

#ifndef WEBCHAT_PAGE_MIMETYPES_INCLUDED
#define WEBCHAT_PAGE_MIMETYPES_INCLUDED

#include <string>

namespace webchat {
namespace page {

class MimeTypes
{
public:
	/// The Content-Type for a file name or path, by its extension (ignoring
	/// case). Text types carry "; charset=utf-8"; an unknown or missing
	/// extension gives application/octet-stream, which together with
	/// "X-Content-Type-Options: nosniff" keeps browsers from guessing.
	static std::string forPath(const std::string& path);

	static const std::string DEFAULT_TYPE;
};

} } // namespace webchat::page

#endif
