//
// NativePath.h
//
// A path as this platform writes it: settings resolve their paths with
// Poco::Path, which gives "\etc\webchat\x" on Windows for "/etc/webchat/x".
// Tests write what they expect the Linux way and pass it through this
// (unchanged on Linux).
//

#ifndef WEBCHAT_NATIVEPATH_INCLUDED
#define WEBCHAT_NATIVEPATH_INCLUDED

#include "Poco/Path.h"

#include <string>

namespace webchat::test {

inline std::string nativePath(const std::string& path)
{
	return Poco::Path(path).toString();
}

} // namespace webchat::test

#endif
