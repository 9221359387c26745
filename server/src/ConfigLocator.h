//
// ConfigLocator.h
//
// Where webchatd looks for its configuration when --config is not given.
//

#ifndef WEBCHAT_CONFIGLOCATOR_INCLUDED
#define WEBCHAT_CONFIGLOCATOR_INCLUDED

#include "Poco/Path.h"

#include <string>
#include <vector>

namespace webchat {

class ConfigLocator
{
public:
	/// The places searched, in order: beside the binary as in the build tree
	/// and any relocated install (<bindir>/../etc/webchat/webchat.ini), then
	/// the system configuration directory fixed at build time.
	static std::vector<Poco::Path> candidates(const Poco::Path& applicationDir);

	/// The first candidate that exists; the first candidate when none does,
	/// so the error that follows names a sensible path.
	static Poco::Path defaultConfig(const Poco::Path& applicationDir);

	/// An absolute form of a path given on the command line, resolved
	/// against the working directory at launch (before --daemon's chdir).
	static std::string absolute(const std::string& path);
};

} // namespace webchat

#endif
