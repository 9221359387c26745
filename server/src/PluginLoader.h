//
// PluginLoader.h
//
// Finds handler plugins in one folder and creates them by class name.
//

#ifndef WEBCHAT_PLUGINLOADER_INCLUDED
#define WEBCHAT_PLUGINLOADER_INCLUDED

#include "webchat/HandlerPlugin.h"

#include "Poco/ClassLoader.h"

#include <memory>
#include <string>
#include <vector>

namespace webchat {

class PluginLoader
{
public:
	explicit PluginLoader(const std::string& pluginDir);

	/// Destroying the loader does not unload any library: POCO's SharedLibrary
	/// leaves code mapped, which is what plugins' lingering threads need.
	~PluginLoader() = default;

	/// Loads <pluginDir>/<library><suffix> (once) and creates an instance of
	/// className from its manifest. Throws Poco::Exception naming the library
	/// or class when either is missing or was built for another interface.
	std::unique_ptr<HandlerPlugin> create(const std::string& library, const std::string& className);

	std::string libraryPath(const std::string& library) const;

	/// The base names of the plugin folder's libraries, sorted.
	std::vector<std::string> libraries() const;

	/// The classes a library exports (loading it). Throws as create() does.
	std::vector<std::string> classes(const std::string& library);

private:
	// Loads <pluginDir>/<library><suffix> once; the manifest's path.
	std::string load(const std::string& library);

	std::string _pluginDir;
	Poco::ClassLoader<HandlerPlugin> _classLoader;
};

} // namespace webchat

#endif
