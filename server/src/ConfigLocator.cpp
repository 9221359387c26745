#include "ConfigLocator.h"

#include "Poco/File.h"

namespace webchat {

std::vector<Poco::Path> ConfigLocator::candidates(const Poco::Path& applicationDir)
{
	Poco::Path besideBinary(applicationDir);
	besideBinary.makeDirectory();
	besideBinary.popDirectory();
	besideBinary.pushDirectory("etc");
	besideBinary.pushDirectory("webchat");
	besideBinary.setFileName("webchat.ini");

	Poco::Path system(std::string(WEBCHAT_SYSCONFDIR) + "/webchat/webchat.ini");
	return {besideBinary, system};
}

Poco::Path ConfigLocator::defaultConfig(const Poco::Path& applicationDir)
{
	const auto paths = candidates(applicationDir);
	for (const auto& path : paths)
	{
		if (Poco::File(path).exists()) return path;
	}
	return paths.front();
}

std::string ConfigLocator::absolute(const std::string& path)
{
	return Poco::Path(path).absolute().toString();
}

} // namespace webchat
