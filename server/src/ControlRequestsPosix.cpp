#include "ControlRequests.h"

#include "Poco/Exception.h"

#include <csignal>
#include <cstdlib>
#include <pthread.h>
#include <thread>

namespace webchat {

namespace {

sigset_t controlSignals()
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	return set;
}

} // namespace

void ControlRequests::prepare()
{
	// The main thread waits for the control signals with sigwait(); they
	// must be blocked in every thread, and threads inherit the mask. A peer
	// closing a socket we write to must not kill the process either.
	const sigset_t set = controlSignals();
	pthread_sigmask(SIG_BLOCK, &set, nullptr);
	std::signal(SIGPIPE, SIG_IGN);
}

void ControlRequests::waitForStop(const std::string&, const std::function<void()>&, const std::function<void()>& onReload, Poco::Logger&)
{
	const sigset_t set = controlSignals();
	for (;;)
	{
		int signal = 0;
		if (sigwait(&set, &signal) != 0) continue;
		if (signal != SIGHUP) return;
		onReload();
	}
}

void ControlRequests::exitOnSecondStop(Poco::Logger& logger)
{
	std::thread([&logger] {
		const sigset_t set = controlSignals();
		int signal = 0;
		while (sigwait(&set, &signal) == 0)
		{
			if (signal == SIGHUP) continue;
			logger.warning("second stop signal: exiting without draining");
			std::_Exit(1);
		}
	}).detach();
}

void ControlRequests::requestReload(const std::string&)
{
	throw Poco::NotImplementedException("--reload is for Windows; here send SIGHUP to webchatd (systemctl reload webchat, or kill -HUP <pid>)");
}

} // namespace webchat
