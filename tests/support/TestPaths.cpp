#include "TestPaths.h"

namespace webchat::test {

std::string buildDir() { return WEBCHAT_BUILD_DIR; }
std::string sourceDir() { return WEBCHAT_SOURCE_DIR; }
std::string webchatdPath() { return buildDir() + "/bin/webchatd"; }
std::string pluginDir() { return buildDir() + "/lib/webchat/plugins"; }
std::string htdocsDir() { return buildDir() + "/share/webchat/htdocs"; }
std::string shippedConfig() { return buildDir() + "/etc/webchat/webchat.ini"; }
std::string testPluginDir() { return buildDir() + "/tests/plugins"; }

} // namespace webchat::test
