//
// RequestPath.h
//
// The path of a request target, checked and split into decoded segments.
// This is the first of two walls around the document root (the second is
// DocumentRoot's realpath containment check): nothing that parses here can
// name anything above the root.
//

#ifndef WEBCHAT_PAGE_REQUESTPATH_INCLUDED
#define WEBCHAT_PAGE_REQUESTPATH_INCLUDED

#include <string>
#include <vector>

namespace webchat {
namespace page {

class RequestPath
{
public:
	enum Verdict
	{
		ACCEPTED,   /// safe to look up under the root
		MALFORMED,  /// 400: not an origin-form path, a raw byte outside printable
		            /// ASCII, a bad escape, an encoded NUL or control byte, a raw
		            /// or encoded '\', an encoded '/', "//", a "." or ".." segment
		HIDDEN      /// 404: a segment starts with '.' (.git, .env, ...)
	};

	/// Parses a request target as sent on the request line. The query and
	/// fragment are dropped; the path must start with '/' (origin-form; the
	/// absolute-form "http://host/path" is refused, this is no proxy).
	static RequestPath parse(const std::string& target);

	Verdict verdict() const { return _verdict; }
	bool accepted() const { return _verdict == ACCEPTED; }

	/// Why the path was not accepted, for the log.
	const std::string& problem() const { return _problem; }

	/// Decoded segments; none is empty, ".", "..", starts with '.', or
	/// contains '/', '\' or a control byte.
	const std::vector<std::string>& segments() const { return _segments; }

	/// True if the path ends with '/' (a directory; "/" itself included).
	bool directory() const { return _directory; }

	/// The path as sent (still percent-encoded, without query). Once
	/// accepted it holds only printable ASCII and does not start with "//",
	/// so it is safe to send back in a Location header.
	const std::string& encoded() const { return _encoded; }

	/// The segments joined with '/', relative to the root ("" for "/").
	std::string relative() const;

private:
	RequestPath() = default;
	static RequestPath reject(Verdict verdict, const std::string& problem);

	Verdict _verdict = MALFORMED;
	std::string _problem;
	std::vector<std::string> _segments;
	bool _directory = false;
	std::string _encoded;
};

} } // namespace webchat::page

#endif
