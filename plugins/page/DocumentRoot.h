//
// DocumentRoot.h
//
// Maps an accepted RequestPath to a file under the document root. The root
// is canonical (realpath), and so is every file found, so a symbolic link
// anywhere on the way is followed before the containment check, never after.
// The root is resolved again for every request, so a deployment that swaps a
// symbolic link (root = /srv/site/current) is served without a restart.
//

#ifndef WEBCHAT_PAGE_DOCUMENTROOT_INCLUDED
#define WEBCHAT_PAGE_DOCUMENTROOT_INCLUDED

#include "RequestPath.h"

#include "Poco/Timestamp.h"
#include "Poco/Types.h"

#include <string>

namespace webchat {
namespace page {

class DocumentRoot
{
public:
	struct Resource
	{
		enum Kind
		{
			FILE,         /// a regular file to serve
			ADD_SLASH,    /// a directory asked for without the trailing '/'
			NO_INDEX,     /// a directory without index.html
			NOT_FOUND,    /// missing, not a regular file, or outside the root
		};
		Kind kind = NOT_FOUND;
		std::string path;         /// canonical path of the file (FILE)
		Poco::UInt64 size = 0;    /// (FILE)
		Poco::Timestamp modified; /// (FILE)
		std::string problem;      /// why it is not served, for the log
		bool refused = false;     /// NOT_FOUND because a link leads out of the root
	};

	/// The root must exist and be a directory; throws
	/// Poco::FileNotFoundException otherwise.
	explicit DocumentRoot(const std::string& path);

	/// The root as configured.
	const std::string& path() const { return _configured; }

	/// The canonical root now (no symbolic links, no trailing '/'); empty if
	/// it no longer exists.
	std::string canonicalRoot() const;

	/// Finds the file for an accepted path: a directory path ("/", "/dir/")
	/// means its index.html.
	Resource find(const RequestPath& request) const;

	/// realpath(3): the absolute path with every symbolic link, "." and ".."
	/// resolved; empty if it does not exist or cannot be resolved. '/'
	/// separates its parts on every platform (Windows: "C:/site/index.html").
	/// One file per platform: PosixCanonicalPath.cpp, WindowsCanonicalPath.cpp.
	static std::string canonical(const std::string& path);

	static const std::string INDEX_FILE;

private:
	/// True if the canonical path is the root or lies below it, and no
	/// component below the root is hidden (a link must not lead into .git).
	static bool contains(const std::string& root, const std::string& canonicalPath);
	static Resource lookUp(const std::string& root, const std::string& canonicalPath, bool directoryRequested);
	static Resource file(const std::string& canonicalPath);

	std::string _configured;
};

} } // namespace webchat::page

#endif
