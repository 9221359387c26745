//
// PluginFolder.h
//
// A plugin_path for tests that run a test plugin (the probe) beside shipped
// ones (status, relay): plugin_path names one folder, and the two kinds are
// built into different ones.
//

#ifndef WEBCHAT_TEST_PLUGINFOLDER_INCLUDED
#define WEBCHAT_TEST_PLUGINFOLDER_INCLUDED

#include "ServerProcess.h"
#include "TestPaths.h"

#include "Poco/File.h"

#include <string>

namespace webchat::test {

/// A temporary folder (made once per test process) with links to the
/// probe, status and relay plugins.
inline const std::string& probeAndShippedPluginFolder()
{
	static const std::string folder = [] {
		const std::string dir = makeTempDir();
		Poco::File(testPluginDir() + "/probe.so").linkTo(dir + "/probe.so", Poco::File::LINK_SYMBOLIC);
		for (const char* name : {"status", "relay"})
			Poco::File(pluginDir() + "/" + name + ".so").linkTo(dir + "/" + name + ".so", Poco::File::LINK_SYMBOLIC);
		return dir;
	}();
	return folder;
}

} // namespace webchat::test

#endif
