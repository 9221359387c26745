//
// The host, webchatd, run for real on loopback with test plugins: listeners,
// plugin loading, configuration errors, signals, daemon mode and logging.
//

#include "HostConfig.h"
#include "HttpGet.h"
#include "ServerProcess.h"
#include "TestPaths.h"
#include "WsTestClient.h"

#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/NumberParser.h"
#include "Poco/StreamCopier.h"
#include "Poco/Thread.h"
#include "Poco/Timestamp.h"
#include "Poco/Util/IniFileConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <csignal>
#include <cstring>
#include <future>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

using namespace webchat::test;

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
	CPPUNIT_TEST(testReloadOptionPointsToSighup);
	CPPUNIT_TEST(testSighupReloadsLogging);
	CPPUNIT_TEST(testSighupReplacesChangedListener);
	CPPUNIT_TEST(testSighupKeepsWebSocketsOfReplacedListener);
	CPPUNIT_TEST(testSighupOpensAndClosesListeners);
	CPPUNIT_TEST(testSighupWithBrokenListenerKeepsOthers);
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
			{"future_interface.so", "WebchatHandlerPluginV4"});
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

	void testReloadOptionPointsToSighup()
	{
		// --reload is Windows' SIGHUP: here it says what to do instead, and
		// disturbs no running server.
		const auto port = freeLoopbackPort();
		const std::string file = writeTempFile(config(probeListener("main", port)));
		ServerProcess running({"--config=" + file});
		CPPUNIT_ASSERT_MESSAGE(running.output(), running.waitForPort(port));
		ServerProcess asking({"--config=" + file, "--reload"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(asking.output(), 64, asking.waitForExit(Poco::Timespan(5, 0)));
		CPPUNIT_ASSERT_MESSAGE(asking.output(), contains(asking.output(), "SIGHUP"));
		CPPUNIT_ASSERT_MESSAGE(running.output(), !contains(running.output(), "re-reading"));
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
		// Listening comes before the line that says it started.
		CPPUNIT_ASSERT_MESSAGE(shipped.output(), shipped.waitForOutput("config " + shippedConfig()));
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
		writeIni(ini, config(probeListener("main", port)));
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		writeIni(ini, config(probeListener("main", port, "greeting = changed")) +
			"[logging.channels.file]\nclass = FileChannel\npath = " + logPath + "\n"
			"[logging.loggers.root]\nchannel = file\nlevel = information\n");
		::kill(server.pid(), SIGHUP);
		Poco::Timestamp start;
		while (!(Poco::File(logPath).exists() && contains(readFile(logPath), "configuration reloaded:")) && !start.isElapsed(5000000))
			Poco::Thread::sleep(20);
		const std::string log = Poco::File(logPath).exists() ? readFile(logPath) : std::string();
		CPPUNIT_ASSERT_MESSAGE(server.output() + log, contains(log, "listener main: probe/ProbePlugin replaced on 127.0.0.1:" + std::to_string(port)));
		CPPUNIT_ASSERT_MESSAGE(log, contains(log, "probe configured: changed"));
		CPPUNIT_ASSERT_MESSAGE(log, !contains(log, "next restart"));
		CPPUNIT_ASSERT(server.running());
		CPPUNIT_ASSERT_EQUAL(std::string("changed"), httpGet(port, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
		CPPUNIT_ASSERT(contains(readFile(logPath), "stopped"));
	}

	// A changed section gets a new plugin instance on the same socket; a
	// keep-alive connection and a request in progress stay with the old one.
	void testSighupReplacesChangedListener()
	{
		const std::string ini = makeTempDir() + "/webchat.ini";
		const auto port = freeLoopbackPort();
		writeIni(ini, config(probeListener("main", port, "greeting = before")));
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));

		Poco::Net::HTTPClientSession kept("127.0.0.1", port);
		kept.setKeepAlive(true);
		CPPUNIT_ASSERT_EQUAL(std::string("before"), keepAliveGet(kept, "/hello"));
		auto blocked = std::async(std::launch::async, [port] { return httpGet(port, "/block"); });
		Poco::Thread::sleep(200); // let /block reach the old instance; not a correctness wait

		writeIni(ini, config(probeListener("main", port, "greeting = after\nthreads = 4")));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 1));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "listener main: probe/ProbePlugin replaced"));
		CPPUNIT_ASSERT_EQUAL(std::string("after"), httpGet(port, "/hello").body);
		// The old instance still serves its connection...
		CPPUNIT_ASSERT_EQUAL(std::string("before"), keepAliveGet(kept, "/hello"));
		CPPUNIT_ASSERT(blocked.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout);
		// ...and its /release frees its own /block.
		CPPUNIT_ASSERT_EQUAL(std::string("ok"), keepAliveGet(kept, "/release"));
		const auto reply = blocked.get();
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("released"), reply.body);

		// Unchanged on a second SIGHUP: nothing replaced.
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 2));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "1 listeners serving, 1 unchanged, 0 failed"));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	// Relay clients connected before a reload keep chatting with each other;
	// a client connecting after it reaches the new instance.
	void testSighupKeepsWebSocketsOfReplacedListener()
	{
		const std::string ini = makeTempDir() + "/webchat.ini";
		const auto port = freeLoopbackPort();
		const std::string relay = "[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\nplugin = relay\nclass = RelayPlugin\n";
		writeIni(ini, relay);
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		WsTestClient a(port), b(port);
		a.sendText("warm-up");
		for (auto* client : {&a, &b}) CPPUNIT_ASSERT_EQUAL(std::string("warm-up"), client->receiveMessage());

		writeIni(ini, relay + "threads = 8\n");
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 1));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "listener chat: relay/RelayPlugin replaced"));

		WsTestClient c(port);
		a.sendText("old room");
		for (auto* client : {&a, &b}) CPPUNIT_ASSERT_EQUAL(std::string("old room"), client->receiveMessage());
		c.sendText("new room");
		CPPUNIT_ASSERT_EQUAL(std::string("new room"), c.receiveMessage());
		CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Timeout), int(a.next(300).kind));
		CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Timeout), int(c.next(300).kind));
		b.sendText("still here");
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), a.receiveMessage());

		// Stopping closes both instances' clients.
		::kill(server.pid(), SIGTERM);
		for (auto* client : {&a, &b, &c}) CPPUNIT_ASSERT_EQUAL(1001, int(client->waitForClose()));
		CPPUNIT_ASSERT_EQUAL(0, server.waitForExit(Poco::Timespan(10, 0)));
	}

	void testSighupOpensAndClosesListeners()
	{
		const std::string ini = makeTempDir() + "/webchat.ini";
		const auto port1 = freeLoopbackPort();
		const auto port2 = freeLoopbackPort();
		const auto port3 = freeLoopbackPort();
		const auto moved = freeLoopbackPort();
		writeIni(ini, config(probeListener("one", port1, "greeting = first") + probeListener("two", port2, "greeting = second")));
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port1) && server.waitForPort(port2));

		writeIni(ini, config(probeListener("one", port1, "greeting = first") + probeListener("three", port3, "greeting = third")));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 1));
		CPPUNIT_ASSERT_EQUAL(std::string("third"), httpGet(port3, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(std::string("first"), httpGet(port1, "/hello").body);
		CPPUNIT_ASSERT_MESSAGE(server.output(), refused(port2));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "listener two: closed 127.0.0.1:" + std::to_string(port2)));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "listener three: probe/ProbePlugin opened on 127.0.0.1:" + std::to_string(port3)));

		// A new port: the old one closes, the new one serves.
		writeIni(ini, config(probeListener("one", port1, "greeting = first") + probeListener("three", moved, "greeting = third")));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 2));
		CPPUNIT_ASSERT_EQUAL(std::string("third"), httpGet(moved, "/hello").body);
		CPPUNIT_ASSERT_MESSAGE(server.output(), refused(port3));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testSighupWithBrokenListenerKeepsOthers()
	{
		const std::string ini = makeTempDir() + "/webchat.ini";
		const auto port = freeLoopbackPort();
		const auto badPort = freeLoopbackPort();
		const auto busyPort = freeLoopbackPort();
		writeIni(ini, config(probeListener("main", port, "greeting = kept")));
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		// Bound after the fork: the server must not inherit it.
		Poco::Net::ServerSocket busy(Poco::Net::SocketAddress("127.0.0.1", busyPort));

		writeIni(ini, config(probeListener("main", port, "greeting = refused\nclass = FailingPlugin\ncolour = plaid") +
			probeListener("bad", badPort, "plugin = nosuch") + probeListener("busy", busyPort)));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 1));
		const std::string output = server.output();
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listener main: not reloaded, it stays as it ran"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "plaid"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listener bad: not opened"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "nosuch.so"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listener busy cannot listen on 127.0.0.1:" + std::to_string(busyPort)));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "1 listeners serving, 0 unchanged, 3 failed"));
		CPPUNIT_ASSERT(server.running());
		CPPUNIT_ASSERT_EQUAL(std::string("kept"), httpGet(port, "/hello").body);
		CPPUNIT_ASSERT_MESSAGE(output, refused(badPort));

		// Fixed: the next SIGHUP retries what failed.
		busy.close();
		writeIni(ini, config(probeListener("main", port, "greeting = fixed") + probeListener("busy", busyPort, "greeting = free now")));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 2));
		CPPUNIT_ASSERT_EQUAL(std::string("fixed"), httpGet(port, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(std::string("free now"), httpGet(busyPort, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
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

		// No listener left: refused too, rather than closing them all.
		{
			Poco::FileOutputStream out(ini);
			out << config("");
		}
		::kill(server.pid(), SIGHUP);
		start.update();
		while (!contains(server.output(), "no listeners configured") && !start.isElapsed(5000000)) Poco::Thread::sleep(20);
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "reload failed, the running configuration stays: Required option not specified: no listeners configured"));
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
	static std::string keepAliveGet(Poco::Net::HTTPClientSession& session, const std::string& uri)
	{
		Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri, Poco::Net::HTTPMessage::HTTP_1_1);
		request.setKeepAlive(true);
		session.sendRequest(request);
		Poco::Net::HTTPResponse response;
		std::string body;
		Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
		return body;
	}

	static bool refused(Poco::UInt16 port)
	{
		try
		{
			Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", port));
			return false;
		}
		catch (const Poco::Net::ConnectionRefusedException&)
		{
			return true;
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HostTest);
