// The installed package at work: /usr/bin/webchatd with the shipped
// /etc/webchat/webchat.ini, run the way webchatd.service runs it (as the
// webchat user, working directory /, an empty environment but NOTIFY_SOCKET),
// with only the listeners moved to free loopback ports. Run by
// package_test.sh between `dpkg -i` and `dpkg --purge`, as root; never on its
// own (it needs the package installed).
//
// Checks: the default config is found; the page is the installed index.html;
// one chat message goes through the chat-room plugin; the readiness protocol
// the unit's Type=notify relies on (READY=1 once listening, RELOADING=1 and
// READY=1 around the SIGHUP that ExecReload sends, STOPPING=1); SIGTERM exits 0.
#include "HttpGet.h"
#include "ServerProcess.h"
#include "WsTestClient.h"

#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/StreamCopier.h"
#include "Poco/TemporaryFile.h"
#include "Poco/Timestamp.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <iostream>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

using namespace webchat::test;

namespace {

const std::string installedServer = "/usr/bin/webchatd";
const std::string installedPage = "/usr/share/webchat/htdocs/index.html";
const std::string installedConfig = "/etc/webchat/webchat.ini";

std::string readFile(const std::string& path)
{
	Poco::FileInputStream in(path);
	std::string text;
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

// systemd's side of sd_notify: a datagram socket named by NOTIFY_SOCKET,
// reachable by the webchat user.
class NotifySocket
{
public:
	NotifySocket()
	{
		_dir = Poco::TemporaryFile::tempName();
		Poco::File(_dir).createDirectories();
		::chmod(_dir.c_str(), 0755);
		_path = _dir + "/notify";
		_fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		CPPUNIT_ASSERT_MESSAGE("socket(AF_UNIX)", _fd >= 0);
		sockaddr_un address{};
		address.sun_family = AF_UNIX;
		CPPUNIT_ASSERT(_path.size() < sizeof(address.sun_path));
		std::strcpy(address.sun_path, _path.c_str());
		CPPUNIT_ASSERT_MESSAGE("bind " + _path, ::bind(_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
		::chmod(_path.c_str(), 0666);
	}

	~NotifySocket()
	{
		::close(_fd);
		::unlink(_path.c_str());
		::rmdir(_dir.c_str());
	}

	const std::string& path() const { return _path; }

	// The next datagram, or "" after timeoutMs.
	std::string next(int timeoutMs)
	{
		pollfd p{_fd, POLLIN, 0};
		if (::poll(&p, 1, timeoutMs) != 1) return "";
		char buffer[4096];
		const ssize_t n = ::recv(_fd, buffer, sizeof(buffer), 0);
		return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : "";
	}

	// Waits for a datagram holding the line `state` (e.g. READY=1), giving
	// up early once the server has exited and said everything; appends every
	// datagram seen to `seen`, for the failure message.
	bool waitFor(const std::string& state, std::string& seen, ServerProcess& server, int timeoutMs = 10000)
	{
		Poco::Timestamp start;
		while (!start.isElapsed(Poco::Timestamp::TimeDiff(timeoutMs) * 1000))
		{
			const bool exited = !server.running();
			const std::string message = next(exited ? 0 : 200);
			if (message.empty())
			{
				if (exited) return false;
				continue;
			}
			seen += "[" + message + "] ";
			if (("\n" + message + "\n").find("\n" + state + "\n") != std::string::npos) return true;
		}
		return false;
	}

private:
	std::string _dir;
	std::string _path;
	int _fd = -1;
};

} // namespace

class InstalledServerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(InstalledServerTest);
	CPPUNIT_TEST(testInstalledServer);
	CPPUNIT_TEST_SUITE_END();

public:
	void testInstalledServer()
	{
		CPPUNIT_ASSERT_MESSAGE(installedServer + " is not installed", Poco::File(installedServer).exists());
		NotifySocket notify;
		const Poco::UInt16 pagePort = freeLoopbackPort();
		Poco::UInt16 chatPort = freeLoopbackPort();
		while (chatPort == pagePort) chatPort = freeLoopbackPort();

		// No --config: the compiled-in sysconfdir must lead to /etc/webchat.
		ServerProcess server({
				"--reuid=webchat", "--regid=webchat", "--init-groups", "--no-new-privs", "--",
				"/usr/bin/env", "-i", "PATH=/usr/bin:/bin", "NOTIFY_SOCKET=" + notify.path(),
				installedServer,
				"--define=listeners.page.address=127.0.0.1",
				"--define=listeners.page.port=" + std::to_string(pagePort),
				"--define=listeners.page.chat_port=" + std::to_string(chatPort),
				"--define=listeners.chat.address=127.0.0.1",
				"--define=listeners.chat.port=" + std::to_string(chatPort)},
			"/", "/usr/bin/setpriv");

		std::string seen;
		bool ok = notify.waitFor("READY=1", seen, server);
		CPPUNIT_ASSERT_MESSAGE("no READY=1 (got " + seen + "); output:\n" + server.output(), ok);
		// READY=1 promises listening sockets.
		ok = server.waitForPort(pagePort, Poco::Timespan(1, 0)) && server.waitForPort(chatPort, Poco::Timespan(1, 0));
		CPPUNIT_ASSERT_MESSAGE("a port is closed after READY=1\n" + server.output(), ok);
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.output().find("config " + installedConfig) != std::string::npos);

		// The page: GET / is the installed index.html.
		const HttpReply page = httpGet(pagePort, "/");
		CPPUNIT_ASSERT_EQUAL(200, page.status);
		CPPUNIT_ASSERT_MESSAGE("GET / is not " + installedPage, page.body == readFile(installedPage));
		const HttpReply endpoint = httpGet(pagePort, "/webchat-config.json");
		CPPUNIT_ASSERT_EQUAL(200, endpoint.status);
		CPPUNIT_ASSERT_MESSAGE(endpoint.body, endpoint.body.find(std::to_string(chatPort)) != std::string::npos);

		// One chat message through the chat-room plugin.
		const std::string nickToken = chatOnce(chatPort, "hello from the package test", "");

		// ExecReload: SIGHUP, announced with RELOADING=1, then READY=1 again;
		// still serving.
		seen.clear();
		::kill(server.pid(), SIGHUP);
		ok = notify.waitFor("RELOADING=1", seen, server);
		CPPUNIT_ASSERT_MESSAGE("no RELOADING=1 after SIGHUP (got " + seen + ")\n" + server.output(), ok);
		ok = notify.waitFor("READY=1", seen, server);
		CPPUNIT_ASSERT_MESSAGE("no READY=1 after reload (got " + seen + ")\n" + server.output(), ok);
		CPPUNIT_ASSERT_MESSAGE("webchatd died on SIGHUP\n" + server.output(), server.running());
		// The nick is kept for the client that used it (the welcome's
		// token): the same client comes back with it.
		chatOnce(chatPort, "still here after a reload", nickToken);

		// Stop: STOPPING=1, exit 0.
		seen.clear();
		const int code = server.stop(SIGTERM, Poco::Timespan(15, 0));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 0, code);
		ok = notify.waitFor("STOPPING=1", seen, server, 1000);
		CPPUNIT_ASSERT_MESSAGE("no STOPPING=1 (got " + seen + ")", ok);
		std::cout << "\n--- installed webchatd's output ---\n" << server.output() << std::flush;
	}

private:
	// Joins as x (with token, when not empty), says text and sees it come
	// back; returns the nick token the welcome gave.
	static std::string chatOnce(Poco::UInt16 chatPort, const std::string& text, const std::string& token)
	{
		WsTestClient client(chatPort, "/lobby?nick=x" + (token.empty() ? std::string() : "&token=" + token));
		const std::string welcome = client.receiveMessage();
		CPPUNIT_ASSERT_MESSAGE(welcome, welcome.find("\"type\":\"welcome\"") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(welcome, welcome.find("\"nick\":\"x\"") != std::string::npos);
		// base64url: nothing to unescape.
		const std::string tokenField = "\"token\":\"";
		const std::size_t tokenAt = welcome.find(tokenField);
		CPPUNIT_ASSERT_MESSAGE(welcome, tokenAt != std::string::npos);
		const std::size_t tokenStart = tokenAt + tokenField.size();
		const std::string given = welcome.substr(tokenStart, welcome.find('"', tokenStart) - tokenStart);
		client.sendText(text);
		for (;;)
		{
			const std::string event = client.receiveMessage();
			if (event.find("\"type\":\"message\"") == std::string::npos) continue;
			CPPUNIT_ASSERT_MESSAGE(event, event.find("\"text\":\"" + text + "\"") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(event, event.find("\"nick\":\"x\"") != std::string::npos);
			break;
		}
		client.sendClose(1000);
		client.waitForClose();
		return given;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(InstalledServerTest);
