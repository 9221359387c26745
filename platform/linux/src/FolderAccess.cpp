#include "webchat/platform/FolderAccess.h"

#include <Poco/File.h>

namespace webchat::platform {

// Poco::File's checks compare the folder's mode bits with this process's ids
// (root is not granted write to a folder whose owner has no w bit, as in
// /proc), then access(): a folder needs its x bit to open anything in it.

bool canReadFolder(const std::string& path)
{
	const Poco::File folder(path);
	return folder.exists() && folder.isDirectory() && folder.canRead() && folder.canExecute();
}

bool canWriteFolder(const std::string& path)
{
	const Poco::File folder(path);
	return folder.exists() && folder.isDirectory() && folder.canWrite() && folder.canExecute();
}

} // namespace webchat::platform
