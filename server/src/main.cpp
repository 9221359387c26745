#include "ServiceOptions.h"
#include "WebchatServer.h"

#include <iostream>

// Not POCO_SERVER_MAIN: that macro maps every escaping exception to
// EXIT_SOFTWARE, while a configuration problem must exit with EXIT_CONFIG.
int main(int argc, char** argv)
{
	try
	{
		webchat::WebchatServer server;
		return server.run(webchat::ServiceOptions::withDefaults(std::vector<std::string>(argv, argv + argc)));
	}
	catch (const Poco::Exception& exc)
	{
		std::cerr << "webchatd: " << exc.displayText() << std::endl;
		return Poco::Util::Application::EXIT_SOFTWARE;
	}
}
