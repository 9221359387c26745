//
// TempFiles.h
//
// Temporary files and folders for tests, and a free loopback port: portable
// (the unit-test runners use them on Windows too), unlike ServerProcess.
//

#ifndef WEBCHAT_TEMPFILES_INCLUDED
#define WEBCHAT_TEMPFILES_INCLUDED

#include "Poco/Types.h"

#include <string>

namespace webchat::test {

/// A TCP port on 127.0.0.1 that was free a moment ago.
Poco::UInt16 freeLoopbackPort();

/// Writes text to a new temporary file (removed at process exit); returns its path.
std::string writeTempFile(const std::string& contents, const std::string& extension = ".ini");

/// A fresh temporary directory (removed at process exit).
std::string makeTempDir();

} // namespace webchat::test

#endif
