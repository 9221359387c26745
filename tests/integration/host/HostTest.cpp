//
// The host, webchatd, run for real on loopback with test plugins: listeners,
// plugin loading, configuration errors, signals, daemon mode and logging.
//

#include "HttpGet.h"
#include "ServerProcess.h"
#include "TestPaths.h"
#include "WsTestClient.h"

#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/NumberParser.h"
#include "Poco/StreamCopier.h"
#include "Poco/Thread.h"
#include "Poco/Timestamp.h"
#include "Poco/Util/IniFileConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

#include <csignal>
#include <cstring>
#include <future>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace webchat::test;

namespace {

const int EXIT_CONFIG = 78;

std::string probeListener(const std::string& name, Poco::UInt16 port, const std::string& extra = "")
{
	return "[listeners." + name + "]\naddress = 127.0.0.1\nport = " + std::to_string(port) +
		"\nplugin = probe\nclass = ProbePlugin\n" + extra + "\n";
}

std::string config(const std::string& listeners)
{
	return "[server]\nplugin_path = " + testPluginDir() + "\n" + listeners;
}

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

std::string readFile(const std::string& path)
{
	std::string text;
	Poco::FileInputStream in(path);
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

} // namespace

class HostTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HostTest);
	CPPUNIT_TEST(testServesAndStopsOnSigterm);
	CPPUNIT_TEST(testStopsOnSigint);
	CPPUNIT_TEST(testTwoListenersWithOwnSections);
	CPPUNIT_TEST(testDefineOverridesConfig);
	CPPUNIT_TEST(testListenersHaveOwnThreadPools);
	CPPUNIT_TEST(testUnknownPluginLibrary);
	CPPUNIT_TEST(testClassNotInManifest);
	CPPUNIT_TEST(testPluginForAnotherInterface);
	CPPUNIT_TEST(testLibraryThatIsNotAPlugin);
	CPPUNIT_TEST(testPluginRejectsItsConfig);
	CPPUNIT_TEST(testPortOutOfRange);
	CPPUNIT_TEST(testPortInUseBySecondInstance);
	CPPUNIT_TEST(testMissingConfigFile);
	CPPUNIT_TEST(testConfigIsADirectory);
	CPPUNIT_TEST(testMalformedConfig);
	CPPUNIT_TEST(testNoListeners);
	CPPUNIT_TEST(testBadDefineSyntax);
	CPPUNIT_TEST(testUnknownOption);
	CPPUNIT_TEST(testBadLoggingConfig);
	CPPUNIT_TEST(testLogsThroughConfiguredChannel);
	CPPUNIT_TEST(testFindsShippedConfigFromAnyDirectory);
	CPPUNIT_TEST(testRelativePluginPathIsRelativeToConfig);
	CPPUNIT_TEST(testDaemonWithRelativePaths);
	CPPUNIT_TEST(testHelp);
	CPPUNIT_TEST(testSighupReloadsLogging);
	CPPUNIT_TEST(testSighupWithBrokenConfigKeepsRunning);
	CPPUNIT_TEST(testSecondStopSignalExitsAtOnce);
	CPPUNIT_TEST(testNotifiesServiceManager);
	CPPUNIT_TEST_SUITE_END();

public:
	void testServesAndStopsOnSigterm()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("main", port, "greeting = xin chào")))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		const auto reply = httpGet(port, "/hello");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("xin chào"), reply.body);
		CPPUNIT_ASSERT_EQUAL(0, server.stop(SIGTERM));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "stopped"));
	}

	void testStopsOnSigint()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("main", port)))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		CPPUNIT_ASSERT_EQUAL(0, server.stop(SIGINT));
	}

	void testTwoListenersWithOwnSections()
	{
		const auto port1 = freeLoopbackPort();
		const auto port2 = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(
			probeListener("one", port1, "greeting = first") + probeListener("two", port2, "greeting = second")))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port1) && server.waitForPort(port2));
		CPPUNIT_ASSERT_EQUAL(std::string("first"), httpGet(port1, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(std::string("second"), httpGet(port2, "/hello").body);
		// Each plugin logs through its listener's logger.
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "webchat.one: probe configured: first"));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "webchat.two: probe configured: second"));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testDefineOverridesConfig()
	{
		const auto port = freeLoopbackPort();
		const auto other = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("main", other, "greeting = from file"))),
			"--define=listeners.main.port=" + std::to_string(port), "-Dlisteners.main.greeting=from define"});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		CPPUNIT_ASSERT_EQUAL(std::string("from define"), httpGet(port, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	// POCO's default pool (16 threads) is shared by every HTTPServer built
	// without one: 16 blocked requests on one listener would starve the other.
	void testListenersHaveOwnThreadPools()
	{
		const auto busyPort = freeLoopbackPort();
		const auto freePort = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(
			probeListener("busy", busyPort, "threads = 16\nmax_queued = 64") + probeListener("idle", freePort, "threads = 2")))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(busyPort) && server.waitForPort(freePort));

		std::vector<std::future<HttpReply>> blocked;
		for (int i = 0; i < 16; ++i)
			blocked.push_back(std::async(std::launch::async, [busyPort] { return httpGet(busyPort, "/block"); }));
		Poco::Thread::sleep(300); // let them occupy the busy listener's threads; not a correctness wait

		Poco::Timestamp start;
		const auto reply = httpRequest(freePort, "GET", "/hello", {}, 5);
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_MESSAGE("the idle listener waited for the busy one's threads", !start.isElapsed(3000000));

		CPPUNIT_ASSERT_EQUAL(200, httpRequest(freePort, "GET", "/release").status); // releases nothing on "idle"...
		CPPUNIT_ASSERT_EQUAL(0, server.stop()); // ...the busy listener's shutdown() releases its own
		for (auto& f : blocked) f.wait();
	}

	void testUnknownPluginLibrary()
	{
		const auto port = freeLoopbackPort();
		expectConfigError(config(probeListener("main", port) + "plugin = nosuch\n"), {"plugin library not found", "nosuch.so"});
	}

	void testClassNotInManifest()
	{
		const auto port = freeLoopbackPort();
		expectConfigError(config(probeListener("main", port) + "class = NoSuchClass\n"),
			{"class NoSuchClass is not exported by", "ProbePlugin"});
	}

	void testPluginForAnotherInterface()
	{
		const auto port = freeLoopbackPort();
		expectConfigError(config(probeListener("main", port) + "plugin = future_interface\nclass = FuturePlugin\n"),
			{"future_interface.so", "WebchatHandlerPluginV2"});
	}

	void testLibraryThatIsNotAPlugin()
	{
		const std::string dir = makeTempDir();
		{
			Poco::FileOutputStream out(dir + "/junk.so");
			out << "this is not an ELF file";
		}
		const auto port = freeLoopbackPort();
		expectConfigError("[server]\nplugin_path = " + dir + "\n" + probeListener("main", port) + "plugin = junk\n",
			{"cannot load plugin", "junk.so"});
	}

	void testPluginRejectsItsConfig()
	{
		const auto port = freeLoopbackPort();
		expectConfigError(config(probeListener("main", port) + "class = FailingPlugin\ncolour = plaid\n"),
			{"listener main", "colour", "plaid"});
	}

	void testPortOutOfRange()
	{
		expectConfigError(config(probeListener("main", 8080) + "port = 65536\n"), {"listeners.main.port = 65536"});
		expectConfigError(config(probeListener("main", 8080) + "port = -1\n"), {"listeners.main.port = -1"});
	}

	void testPortInUseBySecondInstance()
	{
		const auto port = freeLoopbackPort();
		const std::string file = writeTempFile(config(probeListener("main", port)));
		ServerProcess first({"--config=" + file});
		CPPUNIT_ASSERT_MESSAGE(first.output(), first.waitForPort(port));
		// Without SO_REUSEPORT the second bind fails instead of sharing the port.
		expectConfigErrorArgs({"--config=" + file}, {"listener main cannot listen on 127.0.0.1:" + std::to_string(port), "in use"});
		CPPUNIT_ASSERT(first.running());
		CPPUNIT_ASSERT_EQUAL(0, first.stop());
	}

	void testMissingConfigFile()
	{
		expectConfigErrorArgs({"--config=/nonexistent/webchat.ini"}, {"configuration file not found", "/nonexistent/webchat.ini"});
	}

	void testConfigIsADirectory()
	{
		const std::string dir = makeTempDir();
		expectConfigErrorArgs({"--config=" + dir}, {"configuration file not readable", dir});
	}

	void testMalformedConfig()
	{
		const auto path = writeTempFile("[listeners.main\nport = 1\n");
		expectConfigErrorArgs({"--config=" + path}, {"cannot parse configuration file", path, "line 1: section header without ']'"});
	}

	void testNoListeners()
	{
		expectConfigError(config(""), {"no listeners configured"});
	}

	void testBadDefineSyntax()
	{
		const auto port = freeLoopbackPort();
		expectConfigErrorArgs({"--config=" + writeTempFile(config(probeListener("main", port))), "--define=listeners.main.port"},
			{"--define expects KEY=VALUE", "listeners.main.port"});
	}

	void testUnknownOption()
	{
		ServerProcess server({"--colour=plaid"});
		const int rc = server.waitForExit(Poco::Timespan(2, 0));
		CPPUNIT_ASSERT_MESSAGE(server.output(), rc != 0 && rc != -1);
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "colour"));
	}

	void testBadLoggingConfig()
	{
		const auto port = freeLoopbackPort();
		expectConfigError(config(probeListener("main", port)) + "[logging.channels.c1]\nclass = NoSuchChannel\n[logging.loggers.root]\nchannel = c1\n",
			{"bad logging configuration", "NoSuchChannel"});
	}

	void testLogsThroughConfiguredChannel()
	{
		const auto port = freeLoopbackPort();
		const std::string logPath = makeTempDir() + "/webchatd.log";
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("main", port)) +
			"[logging.channels.file]\nclass = FileChannel\npath = " + logPath + "\n"
			"[logging.loggers.root]\nchannel = file\nlevel = information\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
		const std::string log = readFile(logPath);
		CPPUNIT_ASSERT_MESSAGE(log, contains(log, "listener main: probe/ProbePlugin on 127.0.0.1:" + std::to_string(port)));
		CPPUNIT_ASSERT_MESSAGE(log, contains(log, "stopped"));
		CPPUNIT_ASSERT_MESSAGE(server.output(), !contains(server.output(), "listener main"));
	}

	// No --config, started from "/": the binary finds <build>/etc/webchat/webchat.ini.
	void testFindsShippedConfigFromAnyDirectory()
	{
		ServerProcess server({"--define=listeners.page.port=0"}, "/");
		CPPUNIT_ASSERT(server.waitForExit(Poco::Timespan(2, 0)) == EXIT_CONFIG);
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "listeners.page.port = 0"));

		// Every listener of the shipped config moves to a free port.
		const auto pagePort = freeLoopbackPort();
		std::vector<std::string> args{"--define=listeners.page.port=" + std::to_string(pagePort)};
		Poco::AutoPtr<Poco::Util::IniFileConfiguration> shippedIni(new Poco::Util::IniFileConfiguration(shippedConfig()));
		Poco::Util::AbstractConfiguration::Keys listeners;
		shippedIni->keys("listeners", listeners);
		for (const auto& listener : listeners)
		{
			if (listener != "page")
				args.push_back("--define=listeners." + listener + ".port=" + std::to_string(freeLoopbackPort()));
		}
		ServerProcess shipped(args, "/");
		CPPUNIT_ASSERT_MESSAGE(shipped.output(), shipped.waitForPort(pagePort));
		CPPUNIT_ASSERT_MESSAGE(shipped.output(), contains(shipped.output(), "config " + shippedConfig()));
		CPPUNIT_ASSERT_EQUAL(0, shipped.stop());
	}

	void testRelativePluginPathIsRelativeToConfig()
	{
		const std::string dir = makeTempDir();
		Poco::File(dir + "/etc").createDirectories();
		Poco::File(testPluginDir()).linkTo(dir + "/plugins", Poco::File::LINK_SYMBOLIC);
		const auto port = freeLoopbackPort();
		{
			Poco::FileOutputStream out(dir + "/etc/webchat.ini");
			out << "[server]\nplugin_path = ../plugins\n" << probeListener("main", port, "greeting = ${application.configDir}");
		}
		ServerProcess server({"--config=" + dir + "/etc/webchat.ini"}, "/");
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		CPPUNIT_ASSERT_EQUAL(dir + "/etc/", httpGet(port, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	// --daemon changes to "/" before initialize(): relative --config and
	// --pidfile given from another directory must still work.
	void testDaemonWithRelativePaths()
	{
		const std::string dir = makeTempDir();
		const auto port = freeLoopbackPort();
		{
			Poco::FileOutputStream out(dir + "/daemon.ini");
			out << config(probeListener("main", port));
		}
		ServerProcess launcher({"--daemon", "--config=daemon.ini", "--pidfile=daemon.pid", "--umask=027"}, dir);
		CPPUNIT_ASSERT_EQUAL(0, launcher.waitForExit(Poco::Timespan(5, 0)));

		Poco::Timestamp start;
		while (!Poco::File(dir + "/daemon.pid").exists() && !start.isElapsed(5000000)) Poco::Thread::sleep(10);
		CPPUNIT_ASSERT(Poco::File(dir + "/daemon.pid").exists());
		int pid = 0;
		CPPUNIT_ASSERT(Poco::NumberParser::tryParse(Poco::trim(readFile(dir + "/daemon.pid")), pid));
		CPPUNIT_ASSERT(pid > 1);

		bool served = false;
		start.update();
		while (!served && !start.isElapsed(5000000))
		{
			try { served = httpGet(port, "/hello").status == 200; }
			catch (const Poco::Exception&) { Poco::Thread::sleep(20); }
		}
		CPPUNIT_ASSERT_MESSAGE("the daemon did not serve", served);

		CPPUNIT_ASSERT_EQUAL(0, ::kill(pid, SIGTERM));
		start.update();
		while (::kill(pid, 0) == 0 && !start.isElapsed(5000000)) Poco::Thread::sleep(10);
		CPPUNIT_ASSERT_MESSAGE("the daemon did not stop on SIGTERM", ::kill(pid, 0) != 0);
		CPPUNIT_ASSERT_MESSAGE("the pid file was not removed", !Poco::File(dir + "/daemon.pid").exists());
	}

	void testHelp()
	{
		ServerProcess server({"--help"});
		CPPUNIT_ASSERT_EQUAL(0, server.waitForExit(Poco::Timespan(2, 0)));
		for (const auto& option : {"--config", "--define", "--daemon", "--pidfile", "--umask"})
			CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), option));
	}

	void testSighupReloadsLogging()
	{
		const std::string dir = makeTempDir();
		const std::string logPath = dir + "/after-reload.log";
		const auto port = freeLoopbackPort();
		const std::string ini = dir + "/webchat.ini";
		{
			Poco::FileOutputStream out(ini);
			out << config(probeListener("main", port));
		}
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		{
			Poco::FileOutputStream out(ini);
			out << config(probeListener("main", port, "greeting = changed")) <<
				"[logging.channels.file]\nclass = FileChannel\npath = " << logPath << "\n"
				"[logging.loggers.root]\nchannel = file\nlevel = information\n";
		}
		::kill(server.pid(), SIGHUP);
		Poco::Timestamp start;
		while (!(Poco::File(logPath).exists() && contains(readFile(logPath), "listener main: changed settings")) && !start.isElapsed(5000000))
			Poco::Thread::sleep(20);
		const std::string log = Poco::File(logPath).exists() ? readFile(logPath) : std::string();
		CPPUNIT_ASSERT_MESSAGE(server.output() + log, contains(log, "listener main: changed settings take effect at the next restart"));
		CPPUNIT_ASSERT(server.running());
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), httpGet(port, "/hello").body); // still the running settings
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
		CPPUNIT_ASSERT(contains(readFile(logPath), "stopped"));
	}

	void testSighupWithBrokenConfigKeepsRunning()
	{
		const std::string dir = makeTempDir();
		const auto port = freeLoopbackPort();
		const std::string ini = dir + "/webchat.ini";
		{
			Poco::FileOutputStream out(ini);
			out << config(probeListener("main", port));
		}
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		{
			Poco::FileOutputStream out(ini);
			out << "[listeners.main\n";
		}
		::kill(server.pid(), SIGHUP);
		Poco::Timestamp start;
		while (!contains(server.output(), "reload failed") && !start.isElapsed(5000000)) Poco::Thread::sleep(20);
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "reload failed, the running configuration stays"));
		CPPUNIT_ASSERT_EQUAL(200, httpGet(port, "/hello").status);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	// The first signal drains: a WebSocket client that never answers the
	// server's 1001 would hold it for drain_timeout_ms (a minute here); a
	// second signal exits at once.
	void testSecondStopSignalExitsAtOnce()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\n"
			"plugin = relay\nclass = RelayPlugin\ndrain_timeout_ms = 60000\nclose_timeout_ms = 60000\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		WsTestClient silent(port);
		::kill(server.pid(), SIGTERM);
		CPPUNIT_ASSERT_EQUAL(1001, int(silent.waitForClose()));
		CPPUNIT_ASSERT_MESSAGE("stopped without draining", server.waitForExit(Poco::Timespan(0, 300000)) == -1);
		::kill(server.pid(), SIGTERM);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 1, server.waitForExit(Poco::Timespan(5, 0)));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "second stop signal: exiting without draining"));
	}

	void testNotifiesServiceManager()
	{
		const std::string socketPath = makeTempDir() + "/notify.sock";
		const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		CPPUNIT_ASSERT(fd >= 0);
		sockaddr_un address{};
		address.sun_family = AF_UNIX;
		std::strncpy(address.sun_path, socketPath.c_str(), sizeof(address.sun_path) - 1);
		CPPUNIT_ASSERT_EQUAL(0, ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)));
		const timeval timeout{5, 0};
		::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
		const auto receive = [fd]() {
			char buffer[512];
			const ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
			return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
		};

		const auto port = freeLoopbackPort();
		::setenv("NOTIFY_SOCKET", socketPath.c_str(), 1);
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("main", port)))});
		::unsetenv("NOTIFY_SOCKET");
		const std::string ready = receive();
		CPPUNIT_ASSERT_MESSAGE(ready, contains(ready, "READY=1"));
		// READY comes after the listeners are up.
		CPPUNIT_ASSERT_EQUAL(200, httpGet(port, "/hello").status);
		::kill(server.pid(), SIGHUP);
		CPPUNIT_ASSERT_EQUAL(std::string("RELOADING=1"), receive());
		CPPUNIT_ASSERT(contains(receive(), "READY=1"));
		::kill(server.pid(), SIGTERM);
		CPPUNIT_ASSERT_EQUAL(std::string("STOPPING=1"), receive());
		CPPUNIT_ASSERT_EQUAL(0, server.waitForExit(Poco::Timespan(10, 0)));
		::close(fd);
	}

private:
	void expectConfigError(const std::string& ini, const std::vector<std::string>& parts)
	{
		expectConfigErrorArgs({"--config=" + writeTempFile(ini)}, parts);
	}

	// Bad configuration: exit code 78 (EXIT_CONFIG) within 2 seconds and
	// one fatal line naming what is wrong.
	void expectConfigErrorArgs(const std::vector<std::string>& args, const std::vector<std::string>& parts)
	{
		ServerProcess server(args);
		const int rc = server.waitForExit(Poco::Timespan(2, 0));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), EXIT_CONFIG, rc);
		for (const auto& part : parts)
			CPPUNIT_ASSERT_MESSAGE("expected \"" + part + "\" in: " + server.output(), contains(server.output(), part));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HostTest);
