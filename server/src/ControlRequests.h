//
// ControlRequests.h
//
// How an operator stops webchatd or has it re-read its configuration, in
// the platform's own terms; WebchatServer only sees "stop" and "reload".
//   - POSIX (ControlRequestsPosix.cpp): SIGTERM, SIGINT and SIGQUIT stop,
//     SIGHUP reloads (`systemctl reload webchat`, `kill -HUP`). The main
//     thread takes them with sigwait(), so no handler runs in a random
//     thread.
//   - Windows (ControlRequestsWindows.cpp): the Service Control Manager's
//     stop (`net stop webchatd`) or Ctrl+C in a console stop, through POCO's
//     ServerApplication; Windows has no SIGHUP, so `webchatd --reload` sets
//     a named event the running webchatd waits on. The event is named after
//     the configuration file's path, so several webchatd on one host (each
//     with its own .ini) are told apart.
//

#ifndef WEBCHAT_CONTROLREQUESTS_INCLUDED
#define WEBCHAT_CONTROLREQUESTS_INCLUDED

#include "Poco/Logger.h"

#include <functional>
#include <string>

namespace webchat {

class ControlRequests
{
public:
	/// Once, in the main thread, before any other thread exists (POSIX:
	/// the control signals are blocked in every thread, SIGPIPE ignored).
	static void prepare();

	/// Blocks until a stop is requested, calling onReload for each reload
	/// request meanwhile, one at a time, and never after it returned.
	/// configPath names the reload request (Windows); waitForTermination
	/// is the ServerApplication's own wait for a stop (Windows: the
	/// service's stop, Ctrl+C), unused where signals say it all.
	static void waitForStop(const std::string& configPath, const std::function<void()>& waitForTermination, const std::function<void()>& onReload,
		Poco::Logger& logger);

	/// Once waitForStop() returned and the listeners drain: a second stop
	/// request ends the process at once (exit status 1). Windows: nothing
	/// (the Service Control Manager asks once; its wait hint bounds the
	/// drain).
	static void exitOnSecondStop(Poco::Logger& logger);

	/// What `--reload` does: asks the webchatd running with configPath to
	/// re-read it. Throws Poco::NotFoundException when none runs with it,
	/// Poco::NotImplementedException where signals are the way (POSIX).
	static void requestReload(const std::string& configPath);
};

} // namespace webchat

#endif
