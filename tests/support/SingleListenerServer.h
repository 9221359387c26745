//
// SingleListenerServer.h
//
// The real webchatd with one listener ("chat") of the given plugin on a free
// loopback port: what the relay and chat-room integration tests start.
//

#ifndef WEBCHAT_SINGLELISTENERSERVER_INCLUDED
#define WEBCHAT_SINGLELISTENERSERVER_INCLUDED

#include "ServerProcess.h"

#include <csignal>
#include <cstdint>
#include <memory>
#include <string>

namespace webchat::test {

class SingleListenerServer
{
public:
	/// Writes the configuration (extraKeys go into the listener's section)
	/// and starts webchatd; fails the test if it does not listen.
	/// Every test client comes from 127.0.0.1, many at a time: the
	/// per-address handshake budget and pending cap start raised out of
	/// the way (oneClientLimits), and extraKeys may set them back.
	SingleListenerServer(const std::string& plugin, const std::string& className, const std::string& extraKeys = "");

	/// Starts webchatd (again, after stop()) on the same port and config.
	void start();

	/// Sends signal and returns the exit code (128 + signal when killed).
	int stop(int signal = SIGTERM);

	/// The per-address budgets a test must set itself to meet them.
	static const char* const oneClientLimits;

	std::uint16_t port;
	std::string config;
	std::unique_ptr<ServerProcess> process;
};

} // namespace webchat::test

#endif
