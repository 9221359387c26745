//
// ServerProcess.h
//
// The real webchatd, started as a child process for integration tests, with
// its stdout and stderr captured to a file the test can read.
//

#ifndef WEBCHAT_SERVERPROCESS_INCLUDED
#define WEBCHAT_SERVERPROCESS_INCLUDED

// A server under test reads a config written with writeTempFile.
#include "TempFiles.h"

#include "Poco/Timespan.h"
#include "Poco/Types.h"

#include <string>
#include <sys/types.h>
#include <vector>

namespace webchat::test {

class ServerProcess
{
public:
	/// Starts `program args...` (webchatd by default) in workingDir (the
	/// current directory when empty).
	explicit ServerProcess(const std::vector<std::string>& args, const std::string& workingDir = "",
		const std::string& program = "");

	/// Kills the process (SIGKILL) if it is still running.
	~ServerProcess();

	ServerProcess(const ServerProcess&) = delete;
	ServerProcess& operator=(const ServerProcess&) = delete;

	/// True once a TCP connection to 127.0.0.1:port succeeds; false if the
	/// process exits or the timeout passes first.
	bool waitForPort(Poco::UInt16 port, Poco::Timespan timeout = Poco::Timespan(10, 0));

	/// The exit code (128+N when killed by signal N), or -1 if the process was
	/// still running after timeout (it keeps running).
	int waitForExit(Poco::Timespan timeout);

	/// Sends a signal (SIGTERM by default) and waits for the exit code.
	int stop(int signal = 15, Poco::Timespan timeout = Poco::Timespan(10, 0));

	bool running();
	pid_t pid() const { return _pid; }

	/// Everything the process wrote to stdout and stderr so far.
	std::string output() const;

	/// True once text has appeared count times in output(); false if the
	/// timeout passes first.
	bool waitForOutput(const std::string& text, std::size_t count = 1, Poco::Timespan timeout = Poco::Timespan(10, 0)) const;

private:
	pid_t _pid = -1;
	int _exitCode = -1;
	std::string _outputPath;
};

} // namespace webchat::test

#endif
