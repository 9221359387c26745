#include "ServerProcess.h"

#include "TestPaths.h"

#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/StreamCopier.h"
#include "Poco/TemporaryFile.h"
#include "Poco/Thread.h"
#include "Poco/Timestamp.h"

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace webchat::test {

// posix_spawn rather than Poco::Process: POCO 1.11's ProcessHandle can only
// wait without a timeout, and a test must never hang on a stuck server.
ServerProcess::ServerProcess(const std::vector<std::string>& args, const std::string& workingDir, const std::string& program)
{
	const std::string exe = program.empty() ? webchatdPath() : program;
	_outputPath = Poco::TemporaryFile::tempName() + ".log";
	Poco::TemporaryFile::registerForDeletion(_outputPath);

	std::vector<std::string> argv{exe};
	argv.insert(argv.end(), args.begin(), args.end());
	std::vector<char*> cargv;
	for (auto& arg : argv) cargv.push_back(arg.data());
	cargv.push_back(nullptr);

	posix_spawn_file_actions_t actions;
	posix_spawn_file_actions_init(&actions);
	posix_spawn_file_actions_addopen(&actions, 1, _outputPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_adddup2(&actions, 1, 2);
	posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
	if (!workingDir.empty()) posix_spawn_file_actions_addchdir_np(&actions, workingDir.c_str());

	// The child must not inherit blocked signals from a test thread.
	posix_spawnattr_t attr;
	posix_spawnattr_init(&attr);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);

	const int rc = posix_spawn(&_pid, exe.c_str(), &actions, &attr, cargv.data(), environ);
	posix_spawn_file_actions_destroy(&actions);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) throw Poco::SystemException("cannot start " + exe, rc);
}

ServerProcess::~ServerProcess()
{
	if (running())
	{
		::kill(_pid, SIGKILL);
		waitForExit(Poco::Timespan(5, 0));
	}
}

bool ServerProcess::running()
{
	return waitForExit(0) == -1;
}

int ServerProcess::waitForExit(Poco::Timespan timeout)
{
	if (_exitCode != -1) return _exitCode;
	Poco::Timestamp start;
	for (;;)
	{
		int status = 0;
		const pid_t r = ::waitpid(_pid, &status, WNOHANG);
		if (r == _pid)
		{
			_exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
			return _exitCode;
		}
		if (r < 0 && errno != EINTR) throw Poco::SystemException("waitpid failed");
		if (start.isElapsed(timeout.totalMicroseconds())) return -1;
		Poco::Thread::sleep(10);
	}
}

int ServerProcess::stop(int signal, Poco::Timespan timeout)
{
	if (running()) ::kill(_pid, signal);
	return waitForExit(timeout);
}

bool ServerProcess::waitForPort(Poco::UInt16 port, Poco::Timespan timeout)
{
	Poco::Timestamp start;
	while (!start.isElapsed(timeout.totalMicroseconds()))
	{
		if (!running()) return false;
		try
		{
			Poco::Net::StreamSocket socket;
			socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(0, 200000));
			return true;
		}
		catch (const Poco::Exception&)
		{
			Poco::Thread::sleep(20);
		}
	}
	return false;
}

std::string ServerProcess::output() const
{
	std::string text;
	Poco::FileInputStream in(_outputPath);
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

bool ServerProcess::waitForOutput(const std::string& text, std::size_t count, Poco::Timespan timeout) const
{
	Poco::Timestamp start;
	for (;;)
	{
		const std::string all = output();
		std::size_t seen = 0;
		for (auto at = all.find(text); at != std::string::npos; at = all.find(text, at + 1)) ++seen;
		if (seen >= count) return true;
		if (start.isElapsed(timeout.totalMicroseconds())) return false;
		// The log is a file: nothing to wait on but time.
		Poco::Thread::sleep(20);
	}
}

} // namespace webchat::test
