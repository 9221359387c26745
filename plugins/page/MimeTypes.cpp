#include "MimeTypes.h"

#include "Poco/String.h"

namespace webchat {
namespace page {

const std::string MimeTypes::DEFAULT_TYPE = "application/octet-stream";

namespace {

struct Entry
{
	const char* extension;
	const char* type;
};

// Text types are listed with their charset: the page's files are UTF-8.
// JavaScript is text/javascript (RFC 9239); JSON defines no charset
// parameter (RFC 8259), it is always UTF-8.
const Entry TABLE[] =
{
	{"html", "text/html; charset=utf-8"},
	{"htm", "text/html; charset=utf-8"},
	{"css", "text/css; charset=utf-8"},
	{"js", "text/javascript; charset=utf-8"},
	{"mjs", "text/javascript; charset=utf-8"},
	{"txt", "text/plain; charset=utf-8"},
	{"md", "text/markdown; charset=utf-8"},
	{"csv", "text/csv; charset=utf-8"},
	{"xml", "application/xml"},
	{"json", "application/json"},
	{"map", "application/json"},
	{"webmanifest", "application/manifest+json"},
	{"svg", "image/svg+xml"},
	{"png", "image/png"},
	{"jpg", "image/jpeg"},
	{"jpeg", "image/jpeg"},
	{"gif", "image/gif"},
	{"ico", "image/x-icon"},
	{"webp", "image/webp"},
	{"avif", "image/avif"},
	{"woff", "font/woff"},
	{"woff2", "font/woff2"},
	{"ttf", "font/ttf"},
	{"otf", "font/otf"},
	{"wasm", "application/wasm"},
	{"pdf", "application/pdf"},
	{"mp3", "audio/mpeg"},
	{"ogg", "audio/ogg"},
	{"wav", "audio/wav"},
	{"mp4", "video/mp4"},
	{"webm", "video/webm"},
};

} // namespace

std::string MimeTypes::forPath(const std::string& path)
{
	const auto slash = path.rfind('/');
	const auto dot = path.rfind('.');
	// No extension: no dot in the last component, or only a leading one.
	if (dot == std::string::npos || (slash != std::string::npos && dot <= slash + 1) || dot == 0) return DEFAULT_TYPE;
	const std::string extension = Poco::toLower(path.substr(dot + 1));
	for (const auto& entry : TABLE)
	{
		if (extension == entry.extension) return entry.type;
	}
	return DEFAULT_TYPE;
}

} } // namespace webchat::page
