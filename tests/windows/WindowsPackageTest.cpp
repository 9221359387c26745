//
// The Windows package at work, under Wine, checked from Linux over
// loopback: the unzipped webchat-<version>-win64 folder (WEBCHAT_WINDOWS_
// PACKAGE, a copy the test may edit) with its own webchatd.exe, DLLs,
// plugins, htdocs and shipped configs; WINE is the wine64 binary, with
// WINEPREFIX prepared by windows_test.sh, which runs this program.
//
// Checks:
//   - relay.ini: two clients chat through the relay, an unmasked frame is
//     closed with 1002; a bad option is refused, a bad config exits 78;
//   - webchat.ini as a Windows service (--registerService, `net start`,
//     `net stop`, --unregisterService): the page is served, two clients
//     chat in a room (SQLite history), a binary frame is refused with 1003,
//     `webchatd --reload` re-reads the file, `net stop` drains (a client
//     gets 1001), history survives the restart, the log file is written.
//

#include "HttpGet.h"
#include "ServerProcess.h"
#include "WsTestClient.h"

#include "Poco/Environment.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "Poco/Path.h"
#include "Poco/StreamCopier.h"
#include "Poco/Thread.h"
#include "Poco/Timestamp.h"

#include <cppunit/TestFixture.h>
#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <regex>
#include <thread>

using namespace webchat::test;
namespace ws = webchat::ws;

namespace {

std::string package()
{
	return Poco::Environment::get("WEBCHAT_WINDOWS_PACKAGE");
}

std::string wine()
{
	return Poco::Environment::get("WINE");
}

std::string readFile(const std::string& path)
{
	Poco::FileInputStream in(path);
	std::string text;
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

void writeFile(const std::string& path, const std::string& text)
{
	Poco::FileOutputStream out(path);
	out << text;
}

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

// The package's webchatd.exe run by Wine with args; Wine starts slowly the
// first time a prefix runs a program, hence the long waits below.
std::unique_ptr<ServerProcess> webchatd(const std::vector<std::string>& args)
{
	// The package's layout: bin\ beside etc\, lib\, share\ and log\.
	std::vector<std::string> line{Poco::Path(package()).append("bin").append("webchatd.exe").toString()};
	line.insert(line.end(), args.begin(), args.end());
	return std::make_unique<ServerProcess>(line, package(), wine());
}

// A Windows program of Wine's own (net, reg...) to its end: its exit code.
int wineCommand(const std::vector<std::string>& args, std::string* output = nullptr)
{
	ServerProcess command(args, package(), wine());
	const int rc = command.waitForExit(Poco::Timespan(120, 0));
	if (output) *output = command.output();
	return rc;
}

const Poco::Timespan wineStart(90, 0);

// The shipped file with every listener on a free loopback port (a service
// takes no --define): ports in the order of the file's listeners.
std::vector<Poco::UInt16> moveListeners(const std::string& iniPath)
{
	const std::string text = readFile(iniPath);
	std::vector<Poco::UInt16> ports;
	std::string moved;
	std::regex line(R"(^(port|address) = ([^\r\n]*)$)", std::regex::multiline);
	auto begin = std::sregex_iterator(text.begin(), text.end(), line);
	std::size_t at = 0;
	for (auto it = begin; it != std::sregex_iterator(); ++it)
	{
		moved += text.substr(at, static_cast<std::size_t>(it->position()) - at);
		if ((*it)[1] == "address")
		{
			moved += "address = 127.0.0.1";
		}
		else
		{
			ports.push_back(freeLoopbackPort());
			moved += "port = " + std::to_string(ports.back());
		}
		at = static_cast<std::size_t>(it->position() + it->length());
	}
	moved += text.substr(at);
	writeFile(iniPath, moved);
	return ports;
}

Poco::JSON::Object::Ptr nextEvent(WsTestClient& client, int timeoutMs = 10000)
{
	for (;;)
	{
		const auto event = client.next(timeoutMs);
		if (event.kind == WsTestClient::Event::Ping) continue;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(event.payload, int(WsTestClient::Event::Message), int(event.kind));
		return Poco::JSON::Parser().parse(event.payload).extract<Poco::JSON::Object::Ptr>();
	}
}

Poco::JSON::Object::Ptr expectEvent(WsTestClient& client, const std::string& type)
{
	const auto event = nextEvent(client);
	CPPUNIT_ASSERT_EQUAL(type, event->getValue<std::string>("type"));
	return event;
}

} // namespace

class WindowsPackageTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(WindowsPackageTest);
	CPPUNIT_TEST(testRelay);
	CPPUNIT_TEST(testRefusals);
	CPPUNIT_TEST(testChatAsAService);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		CPPUNIT_ASSERT_MESSAGE("WEBCHAT_WINDOWS_PACKAGE and WINE must be set (windows_test.sh runs this)", !package().empty() && !wine().empty());
	}

	void testRelay()
	{
		const auto port = freeLoopbackPort();
		const auto server = webchatd({"--config=" + package() + "/etc/webchat/relay.ini", "--define=listeners.chat.port=" + std::to_string(port),
			"--define=listeners.chat.address=127.0.0.1"});
		CPPUNIT_ASSERT_MESSAGE(server->output(), server->waitForPort(port, wineStart));
		WsTestClient a(port), b(port);
		const std::string vietnamese = "Xin chào từ Windows";
		a.sendText(vietnamese);
		CPPUNIT_ASSERT_EQUAL(vietnamese, b.receiveMessage(10000));
		CPPUNIT_ASSERT_EQUAL(vietnamese, a.receiveMessage(10000));
		// The engine's checks hold on Windows too: an unmasked frame is a
		// protocol error.
		std::string unmasked;
		ws::appendFrame(unmasked, ws::Opcode::Text, "not masked");
		a.sendRaw(unmasked);
		CPPUNIT_ASSERT_EQUAL(std::uint16_t(ws::CloseCode::ProtocolError), a.waitForClose(10000));
		b.sendText("still here");
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), b.receiveMessage(10000));
	}

	void testRefusals()
	{
		const auto badOption = webchatd({"--colour=plaid"});
		const int optionRc = badOption->waitForExit(wineStart);
		// Refused before webchatd's own main(): POCO's exit status (70 on
		// Windows, 78 on Linux), as HostTest::testUnknownOption accepts.
		CPPUNIT_ASSERT_MESSAGE(badOption->output(), optionRc != 0 && optionRc != -1 && contains(badOption->output(), "colour"));
		const std::string bad = package() + "/etc/webchat/bad.ini";
		writeFile(bad, "[listeners.chat]\nport = 99999\nplugin = relay\nclass = RelayPlugin\n");
		const auto badConfig = webchatd({"--config=" + bad});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(badConfig->output(), 78, badConfig->waitForExit(wineStart));
		CPPUNIT_ASSERT_MESSAGE(badConfig->output(), contains(badConfig->output(), "port"));
	}

	void testChatAsAService()
	{
		const std::string ini = package() + "/etc/webchat/webchat.ini";
		const auto ports = moveListeners(ini);
		CPPUNIT_ASSERT_MESSAGE("listeners in webchat.ini", ports.size() >= 2);
		const Poco::UInt16 pagePort = ports[0], chatPort = ports[1];

		const auto registering = webchatd({"--registerService", "--startup=manual"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(registering->output(), 0, registering->waitForExit(wineStart));
		net("start");
		const auto page = waitForPage(pagePort);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(page.body, 200, page.status);
		CPPUNIT_ASSERT(contains(page.body, "<html"));

		{
			WsTestClient an(chatPort, "/windows?nick=An");
			expectEvent(an, "welcome");
			WsTestClient bo(chatPort, "/windows?nick=Bo");
			expectEvent(bo, "welcome");
			expectEvent(an, "join");
			an.sendText("xin chào");
			CPPUNIT_ASSERT_EQUAL(std::string("xin chào"), expectEvent(bo, "message")->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(std::string("xin chào"), expectEvent(an, "message")->getValue<std::string>("text"));
			// A binary frame in a chat room: refused with 1003.
			bo.send(ws::Opcode::Binary, "\x01\x02");
			bool refused = false;
			for (;;)
			{
				const auto event = bo.next(10000);
				if (event.kind == WsTestClient::Event::Close)
				{
					refused = event.closeCode == ws::CloseCode::Unsupported;
					break;
				}
				CPPUNIT_ASSERT(event.kind != WsTestClient::Event::EndOfStream);
			}
			CPPUNIT_ASSERT(refused);

			// Windows' SIGHUP: the running service re-reads its file.
			const auto reload = webchatd({"--reload"});
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reload->output(), 0, reload->waitForExit(wineStart));
			CPPUNIT_ASSERT(waitForLog("reload requested: re-reading"));

			// A stop drains: the member still connected is told the server goes away.
			net("stop");
			CPPUNIT_ASSERT_EQUAL(std::uint16_t(ws::CloseCode::GoingAway), an.waitForClose(30000));
		}

		// History in the package's SQLite file survives the restart.
		net("start");
		waitForPage(pagePort);
		WsTestClient chi(chatPort, "/windows?nick=Chi");
		const auto welcome = expectEvent(chi, "welcome");
		const auto history = welcome->getArray("history");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), history->size());
		CPPUNIT_ASSERT_EQUAL(std::string("xin chào"), history->getObject(0)->getValue<std::string>("text"));
		net("stop");
		const auto unregistering = webchatd({"--unregisterService"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(unregistering->output(), 0, unregistering->waitForExit(wineStart));
		const std::string log = readFile(logPath());
		CPPUNIT_ASSERT_MESSAGE(log, contains(log, "started") && contains(log, "stopped"));
	}

private:
	static std::string logPath() { return package() + "/log/webchatd.log"; }

	// `wine net start|stop webchatd`, which must succeed; if it does not,
	// what net said and the service's log say why.
	static void net(const std::string& verb)
	{
		std::string said;
		int rc = wineCommand({"net", verb, "webchatd"}, &said);
		// Wine's service manager may not have taken a service just registered
		// yet: `net` then cannot open it at all. Asked again for up to 20 s.
		for (int tries = 0; rc != 0 && said.find("Could not get handle to service") != std::string::npos && tries < 20; ++tries)
		{
			std::this_thread::sleep_for(std::chrono::seconds(1));
			rc = wineCommand({"net", verb, "webchatd"}, &said);
		}
		const std::string log = Poco::File(logPath()).exists() ? readFile(logPath()) : "(no log file)";
		CPPUNIT_ASSERT_EQUAL_MESSAGE("net " + verb + " webchatd said: " + said + "\nwebchatd.log:\n" + log, 0, rc);
	}

	// The page once the service listens (Wine starts it in its own time).
	static HttpReply waitForPage(Poco::UInt16 port)
	{
		const auto deadline = Poco::Timestamp() + wineStart.totalMicroseconds();
		for (;;)
		{
			try
			{
				return httpGet(port, "/");
			}
			catch (const Poco::Exception&)
			{
				CPPUNIT_ASSERT_MESSAGE("the service never served its page", Poco::Timestamp() < deadline);
				Poco::Thread::sleep(200);
			}
		}
	}

	static bool waitForLog(const std::string& text)
	{
		const auto deadline = Poco::Timestamp() + Poco::Timespan(30, 0).totalMicroseconds();
		while (Poco::Timestamp() < deadline)
		{
			if (Poco::File(logPath()).exists() && contains(readFile(logPath()), text)) return true;
			Poco::Thread::sleep(200);
		}
		return false;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(WindowsPackageTest);
