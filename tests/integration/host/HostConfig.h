//
// HostConfig.h
//
// What the host's integration tests share: .ini text for listeners of the
// probe plugin (tests/plugins/probe), and a few small helpers.
//

#ifndef WEBCHAT_TEST_HOSTCONFIG_INCLUDED
#define WEBCHAT_TEST_HOSTCONFIG_INCLUDED

#include "ServerProcess.h"
#include "TestPaths.h"

#include "Poco/FileStream.h"
#include "Poco/StreamCopier.h"

#include <cppunit/extensions/HelperMacros.h>

#include <csignal>
#include <string>
#include <vector>

namespace webchat::test {

inline const int EXIT_CONFIG = 78;

inline std::string probeListener(const std::string& name, Poco::UInt16 port, const std::string& extra = "")
{
	return "[listeners." + name + "]\naddress = 127.0.0.1\nport = " + std::to_string(port) +
		"\nplugin = probe\nclass = ProbePlugin\n" + extra + "\n";
}

/// A whole .ini: the test plugins' folder, then the listeners given.
inline std::string config(const std::string& listeners)
{
	return "[server]\nplugin_path = " + testPluginDir() + "\n" + listeners;
}

inline bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

inline std::string readFile(const std::string& path)
{
	std::string text;
	Poco::FileInputStream in(path);
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

inline void writeIni(const std::string& path, const std::string& text)
{
	Poco::FileOutputStream out(path);
	out << text;
}

/// Runs webchatd to its exit; asserts the exit code, returns the output.
inline std::string runToExit(const std::vector<std::string>& args, int expectedExit, Poco::Timespan timeout = Poco::Timespan(10, 0))
{
	ServerProcess process(args);
	const int rc = process.waitForExit(timeout);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(process.output(), expectedExit, rc);
	return process.output();
}

/// Bad configuration: exit code 78 (EXIT_CONFIG) within 2 seconds and one
/// fatal line naming what is wrong (each of parts).
inline void expectConfigErrorArgs(const std::vector<std::string>& args, const std::vector<std::string>& parts)
{
	const std::string output = runToExit(args, EXIT_CONFIG, Poco::Timespan(2, 0));
	for (const auto& part : parts)
		CPPUNIT_ASSERT_MESSAGE("expected \"" + part + "\" in: " + output, contains(output, part));
}

inline void expectConfigError(const std::string& ini, const std::vector<std::string>& parts)
{
	expectConfigErrorArgs({"--config=" + writeTempFile(ini)}, parts);
}

/// Sends SIGHUP and waits until the reload's summary line has appeared
/// `count` times in the server's output.
inline bool sighupAndWait(ServerProcess& server, std::size_t count)
{
	::kill(server.pid(), SIGHUP);
	return server.waitForOutput("configuration reloaded:", count);
}

} // namespace webchat::test

#endif
