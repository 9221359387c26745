#include "webchat/platform/FolderAccess.h"

#include <Poco/File.h>

namespace webchat::platform {

bool canReadFolder(const std::string& path)
{
	const Poco::File folder(path);
	return folder.exists() && folder.isDirectory() && folder.canRead();
}

bool canWriteFolder(const std::string& path)
{
	const Poco::File folder(path);
	return folder.exists() && folder.isDirectory() && folder.canWrite();
}

} // namespace webchat::platform
