#include "PluginLoader.h"

#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/Path.h"
#include "Poco/SharedLibrary.h"

#include <algorithm>

namespace webchat {

PluginLoader::PluginLoader(const std::string& pluginDir):
	_pluginDir(pluginDir)
{
}

std::string PluginLoader::libraryPath(const std::string& library) const
{
	Poco::Path path(_pluginDir);
	path.makeDirectory();
	path.setFileName(library + Poco::SharedLibrary::suffix());
	return path.toString();
}

std::vector<std::string> PluginLoader::libraries() const
{
	std::vector<std::string> names;
	std::vector<std::string> files;
	Poco::File(_pluginDir).list(files);
	const std::string suffix = Poco::SharedLibrary::suffix();
	for (const auto& file : files)
	{
		if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0)
			names.push_back(file.substr(0, file.size() - suffix.size()));
	}
	std::sort(names.begin(), names.end());
	return names;
}

std::vector<std::string> PluginLoader::classes(const std::string& library)
{
	std::vector<std::string> names;
	for (const auto* meta : _classLoader.manifestFor(load(library))) names.push_back(meta->name());
	return names;
}

std::string PluginLoader::load(const std::string& library)
{
	const std::string path = libraryPath(library);
	if (!_classLoader.isLibraryLoaded(path))
	{
		if (!Poco::File(path).exists())
			throw Poco::NotFoundException("plugin library not found", path);
		try
		{
			_classLoader.loadLibrary(path, WEBCHAT_PLUGIN_MANIFEST_NAME);
		}
		catch (const Poco::LibraryLoadException& exc)
		{
			throw Poco::LibraryLoadException(
				"cannot load plugin " + path + " (not a webchat plugin, or built for another plugin interface than "
				WEBCHAT_PLUGIN_MANIFEST_NAME ")", exc.message());
		}
	}
	return path;
}

std::unique_ptr<HandlerPlugin> PluginLoader::create(const std::string& library, const std::string& className)
{
	const std::string path = load(library);
	const auto& manifest = _classLoader.manifestFor(path);
	auto it = manifest.find(className);
	if (it == manifest.end())
	{
		std::string exported;
		for (const auto* meta : manifest)
		{
			if (!exported.empty()) exported += ", ";
			exported += meta->name();
		}
		throw Poco::NotFoundException("class " + className + " is not exported by " + path, "it exports: " + exported);
	}
	return std::unique_ptr<HandlerPlugin>(it->create());
}

} // namespace webchat
