// Where the tests find the build under test.
#ifndef WEBCHAT_TESTPATHS_INCLUDED
#define WEBCHAT_TESTPATHS_INCLUDED

#include <string>

namespace webchat::test {

std::string buildDir();
std::string sourceDir();
std::string webchatdPath();   // <build>/bin/webchatd
std::string pluginDir();      // <build>/lib/webchat/plugins
std::string htdocsDir();      // <build>/share/webchat/htdocs
std::string shippedConfig();  // <build>/etc/webchat/webchat.ini
std::string testPluginDir();  // <build>/tests/plugins (plugins that exist only for tests)

} // namespace webchat::test

#endif
