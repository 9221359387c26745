#include "ControlSignals.h"

#include "Poco/Exception.h"

#include <cstdlib>
#include <signal.h>
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

// The main thread waits for the control signals with sigwait(); they must be
// blocked in every thread, so block them before any thread exists (threads
// inherit the mask). A peer closing a socket we write to must not kill the
// process either.
void ControlSignals::prepare()
{
	const sigset_t set = controlSignals();
	pthread_sigmask(SIG_BLOCK, &set, nullptr);
	signal(SIGPIPE, SIG_IGN);
}

// Waits for SIGINT, SIGQUIT or SIGTERM, calling onReload for each SIGHUP.
void ControlSignals::waitForStop(const std::function<void()>& onReload)
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

// While the listeners drain, a second stop signal means "now".
void ControlSignals::exitOnSecondStop(Poco::Logger& logger)
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

bool ControlSignals::hasReloadCommand()
{
	return false;
}

bool ControlSignals::requestReload()
{
	throw Poco::NotImplementedException("--reload", "send SIGHUP (systemctl reload webchatd)");
}

} // namespace webchat
