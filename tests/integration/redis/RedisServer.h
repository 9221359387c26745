//
// RedisServer.h
//
// A real redis-server for a test, on a free loopback port, with its data in
// a folder of its own. Every write is appended and fsynced before Redis
// replies (appendfsync always), so what Redis accepted survives kill() and
// start(): the durability the shared rooms are tested against.
//

#ifndef WEBCHAT_TEST_REDISSERVER_INCLUDED
#define WEBCHAT_TEST_REDISSERVER_INCLUDED

#include "ServerProcess.h"

#include "Poco/FileStream.h"

#include <cppunit/TestAssert.h>

#include <csignal>
#include <memory>
#include <string>
#include <vector>

namespace webchat::test {

class RedisServer
{
public:
	/// password: requirepass (none when empty); extraArgs: more of
	/// redis-server's options (--replicaof host port...).
	explicit RedisServer(std::uint16_t port = freeLoopbackPort(), std::string password = "", std::vector<std::string> extraArgs = {}):
		port(port),
		dir(makeTempDir()),
		password(std::move(password)),
		extraArgs(std::move(extraArgs))
	{
		start();
	}

	void start()
	{
		std::vector<std::string> args{"--port", std::to_string(port), "--bind", "127.0.0.1", "--dir", dir, "--appendonly", "yes", "--appendfsync",
			"always", "--save", "", "--daemonize", "no", "--logfile", ""};
		if (!password.empty()) args.insert(args.end(), {"--requirepass", password});
		args.insert(args.end(), extraArgs.begin(), extraArgs.end());
		process = std::make_unique<ServerProcess>(args, "", REDIS_SERVER);
		if (!process->waitForPort(port)) CPPUNIT_FAIL("redis-server did not start: " + process->output());
	}

	/// SIGKILL: no shutdown of its own.
	void kill() { process->stop(SIGKILL); }

	/// Runs a command with redis-cli.
	void command(const std::vector<std::string>& words)
	{
		std::vector<std::string> args{"-p", std::to_string(port)};
		if (!password.empty()) args.insert(args.end(), {"--no-auth-warning", "-a", password});
		args.insert(args.end(), words.begin(), words.end());
		ServerProcess cli(args, "", REDIS_CLI);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(cli.output(), 0, cli.waitForExit(Poco::Timespan(10, 0)));
	}

	/// Runs a command with redis-cli; what it printed.
	std::string reply(const std::vector<std::string>& words)
	{
		std::vector<std::string> args{"-p", std::to_string(port)};
		if (!password.empty()) args.insert(args.end(), {"--no-auth-warning", "-a", password});
		args.insert(args.end(), words.begin(), words.end());
		ServerProcess cli(args, "", REDIS_CLI);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(cli.output(), 0, cli.waitForExit(Poco::Timespan(10, 0)));
		return cli.output();
	}

	/// Forgets everything, as a Redis restarted without persistence would.
	void flushAll() { command({"FLUSHALL"}); }

	std::string address() const { return "127.0.0.1:" + std::to_string(port); }

	std::uint16_t port;
	std::string dir;
	std::string password;
	std::vector<std::string> extraArgs;
	std::unique_ptr<ServerProcess> process;
};

/// A real Redis Sentinel (redis-server --sentinel) watching the master at
/// masterPort under masterName: down after 1 s of silence, a quorum of 2.
class RedisSentinel
{
public:
	RedisSentinel(const std::string& masterName, std::uint16_t masterPort, std::uint16_t port = freeLoopbackPort()):
		port(port),
		dir(makeTempDir())
	{
		// Sentinel rewrites its file as it learns: one of its own, writable.
		const std::string config = dir + "/sentinel.conf";
		{
			Poco::FileOutputStream out(config);
			out << "port " << port << "\nbind 127.0.0.1\ndir " << dir << "\n"
				<< "sentinel monitor " << masterName << " 127.0.0.1 " << masterPort << " 2\n"
				<< "sentinel down-after-milliseconds " << masterName << " 1000\n"
				<< "sentinel failover-timeout " << masterName << " 5000\n";
		}
		process = std::make_unique<ServerProcess>(std::vector<std::string>{config, "--sentinel", "--daemonize", "no", "--logfile", ""}, "", REDIS_SERVER);
		if (!process->waitForPort(port)) CPPUNIT_FAIL("redis sentinel did not start: " + process->output());
	}

	/// What redis-cli printed for a command to this sentinel.
	std::string reply(const std::vector<std::string>& words)
	{
		std::vector<std::string> args{"-p", std::to_string(port)};
		args.insert(args.end(), words.begin(), words.end());
		ServerProcess cli(args, "", REDIS_CLI);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(cli.output(), 0, cli.waitForExit(Poco::Timespan(10, 0)));
		return cli.output();
	}

	std::string address() const { return "127.0.0.1:" + std::to_string(port); }

	std::uint16_t port;
	std::string dir;
	std::unique_ptr<ServerProcess> process;
};

} // namespace webchat::test

#endif
