#include "SingleListenerServer.h"

#include "TestPaths.h"

#include <cppunit/TestAssert.h>

namespace webchat::test {

const char* const SingleListenerServer::oneClientLimits =
	"handshakes_per_ip_per_second = 1000000\nhandshakes_per_ip_burst = 1000000\nmax_pending_per_ip = 100000\n";

SingleListenerServer::SingleListenerServer(const std::string& plugin, const std::string& className, const std::string& extraKeys):
	port(freeLoopbackPort()),
	config(writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n"
		"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\n"
		"plugin = " + plugin + "\nclass = " + className + "\n" + oneClientLimits + extraKeys + "\n"))
{
	start();
}

void SingleListenerServer::start()
{
	process = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + config});
	if (!process->waitForPort(port)) CPPUNIT_FAIL("webchatd did not start: " + process->output());
}

int SingleListenerServer::stop(int signal)
{
	const int code = process->stop(signal, Poco::Timespan(15, 0));
	CPPUNIT_ASSERT_MESSAGE(process->output(), code != -1);
	return code;
}

} // namespace webchat::test
