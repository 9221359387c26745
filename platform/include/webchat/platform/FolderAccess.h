#pragma once

#include <string>

namespace webchat::platform {

// What this process may do in a folder, asked before a plugin relies on it so
// that a config error names the folder instead of a later "unable to open".
// POSIX: read or write plus search permission (a folder's x bit). Windows
// has no search permission (Poco::File::canExecute asks whether the name
// ends in .exe): the folder's own read/write attributes.
// Neither proves a later open will succeed (ACLs, races); the open's own
// error still stands behind these checks.

// Whether the entries of the folder at `path` can be listed and opened.
bool canReadFolder(const std::string& path);

// Whether files can be created in the folder at `path`.
bool canWriteFolder(const std::string& path);

} // namespace webchat::platform
