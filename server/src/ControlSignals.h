//
// ControlSignals.h
//
// How an operator controls a running webchatd, one seam per platform:
//   stop   Linux: SIGTERM, SIGINT or SIGQUIT. Windows: the Service Control
//          Manager's stop, or Ctrl+C in a console (POCO's ServerApplication
//          turns both into its termination event).
//   reload Linux: SIGHUP. Windows: the named event that
//          `webchatd --reload` sets (requestReload).
// A second stop while the listeners drain ends the process at once.
// PosixControlSignals.cpp and WindowsControlSignals.cpp; CMake picks one.
//

#ifndef WEBCHAT_CONTROLSIGNALS_INCLUDED
#define WEBCHAT_CONTROLSIGNALS_INCLUDED

#include "Poco/Logger.h"

#include <functional>

namespace webchat {

class ControlSignals
{
public:
	/// Before any thread exists. Linux: blocks the control signals in every
	/// thread to come (the waiting thread takes them) and ignores SIGPIPE.
	static void prepare();

	/// Blocks until a stop is asked for, calling onReload (on this thread)
	/// for each reload asked for meanwhile.
	static void waitForStop(const std::function<void()>& onReload);

	/// From now on a second stop ends the process at once (status 1),
	/// with a warning to logger.
	static void exitOnSecondStop(Poco::Logger& logger);

	/// Whether a reload is asked for with `webchatd --reload` (Windows)
	/// rather than a signal (Linux: SIGHUP, `systemctl reload webchatd`).
	static bool hasReloadCommand();

	/// Asks the running webchatd to reload (`--reload`); false if none runs.
	/// Where hasReloadCommand() is false: throws Poco::NotImplementedException.
	static bool requestReload();
};

} // namespace webchat

#endif
