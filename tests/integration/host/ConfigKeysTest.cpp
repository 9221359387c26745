//
// Configuration keys as data, through the real webchatd: unknown keys are
// refused with a suggestion (at start and on SIGHUP), --list-keys prints the
// tables, --check-config checks without opening anything, and the README's
// and docs' key tables agree with --list-keys.
//

#include "HostConfig.h"
#include "HttpGet.h"
#include "ServerProcess.h"
#include "TestPaths.h"

#include "Poco/File.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Path.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/String.h"
#include "Poco/StringTokenizer.h"

#include <cppunit/extensions/HelperMacros.h>

#include <map>
#include <set>
#include <sstream>

using namespace webchat::test;

namespace {

// An .ini with one chat-room listener (the shipped plugins) whose history
// goes to `database`.
std::string chatroomConfig(Poco::UInt16 port, const std::string& database, const std::string& extra = "")
{
	return "[server]\nplugin_path = " + pluginDir() + "\n[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) +
		"\nplugin = chatroom\nclass = ChatroomPlugin\ndatabase = " + database + "\n" + extra;
}

struct ListedKey
{
	std::string type;
	std::string defaultValue;
};

// --list-keys output: "name  type  default  help" per key, "# ..." headings.
std::map<std::string, ListedKey> parseListing(const std::string& output)
{
	std::map<std::string, ListedKey> keys;
	std::istringstream lines(output);
	for (std::string line; std::getline(lines, line);)
	{
		if (line.empty() || line[0] == '#') continue;
		std::istringstream fields(line);
		std::string name, type, defaultValue;
		fields >> name >> type >> defaultValue;
		if (!defaultValue.empty()) keys[name] = {type, defaultValue};
	}
	return keys;
}

struct DocumentedKey
{
	std::string defaultValue;
	std::string where;
};

// Rows of every Markdown table headed "| key | default | ...": the key in
// backticks in the first cell, its default in the second (backticks
// removed). Rows naming a pattern (listeners.<name>.*, logging.*) are not
// single keys and are left out.
std::multimap<std::string, DocumentedKey> documentedKeys(const std::string& file)
{
	std::multimap<std::string, DocumentedKey> keys;
	std::istringstream lines(readFile(file));
	bool inTable = false;
	int lineNumber = 0;
	for (std::string line; std::getline(lines, line);)
	{
		++lineNumber;
		if (line.rfind("| key | default |", 0) == 0)
		{
			inTable = true;
			continue;
		}
		if (!inTable || line.rfind("| --- ", 0) == 0) continue;
		if (line.rfind("|", 0) != 0)
		{
			inTable = false;
			continue;
		}
		Poco::StringTokenizer cells(line, "|", Poco::StringTokenizer::TOK_TRIM);
		if (cells.count() < 3) continue;
		const std::string name = Poco::replace(cells[1], "`", "");
		if (name.find('*') != std::string::npos) continue;
		keys.emplace(name, DocumentedKey{Poco::replace(cells[2], "`", ""), file + ":" + std::to_string(lineNumber)});
	}
	return keys;
}

// A listed default and a documented one agree: the same text, "required"
// for both, or no default ("-") against an empty cell or words in
// parentheses or after "none" ("(plaintext)", "none (plaintext)").
bool sameDefault(const std::string& listed, const std::string& documented)
{
	if (listed == "-") return documented.empty() || documented[0] == '(' || documented.rfind("none", 0) == 0;
	return listed == documented;
}

} // namespace

class ConfigKeysTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConfigKeysTest);
	CPPUNIT_TEST(testMisspelledPluginKeySuggestsTheKnownOne);
	CPPUNIT_TEST(testMisspelledHostKeySuggestsTheKnownOne);
	CPPUNIT_TEST(testAnotherPluginsKeyIsUnknown);
	CPPUNIT_TEST(testUnknownKeyFromDefine);
	CPPUNIT_TEST(testNestedUnknownKey);
	CPPUNIT_TEST(testUnknownServerKeyAndSection);
	CPPUNIT_TEST(testSighupWithUnknownKeyKeepsTheListener);
	CPPUNIT_TEST(testListKeysPrintsEveryTable);
	CPPUNIT_TEST(testListKeysOfOnePlugin);
	CPPUNIT_TEST(testListKeysOfUnknownPlugin);
	CPPUNIT_TEST(testCheckConfigOpensNoPortAndCreatesNothing);
	CPPUNIT_TEST(testCheckConfigRefusesBadValues);
	CPPUNIT_TEST(testCheckConfigRefusesAFileThatIsNotSqlite);
	CPPUNIT_TEST(testCheckConfigRefusesTwoListenersOnOneSocket);
	CPPUNIT_TEST(testCheckConfigReadsCertificates);
	CPPUNIT_TEST(testShippedPageFollowsTheChatPort);
	CPPUNIT_TEST(testDocumentedKeysMatchListKeys);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMisspelledPluginKeySuggestsTheKnownOne()
	{
		expectConfigError(config(probeListener("main", freeLoopbackPort(), "greting = hi")),
			{"unknown key listeners.main.greting (did you mean greeting?)"});
	}

	void testMisspelledHostKeySuggestsTheKnownOne()
	{
		expectConfigError(config(probeListener("main", freeLoopbackPort(), "thread = 4")),
			{"unknown key listeners.main.thread (did you mean threads?)"});
	}

	void testAnotherPluginsKeyIsUnknown()
	{
		// FailingPlugin declares colour; ProbePlugin does not.
		expectConfigError(config(probeListener("main", freeLoopbackPort(), "colour = red")), {"unknown key listeners.main.colour"});
	}

	void testUnknownKeyFromDefine()
	{
		const std::string ini = writeTempFile(config(probeListener("main", freeLoopbackPort())));
		ServerProcess server({"--config=" + ini, "--define=listeners.main.histroy_size=5"});
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), EXIT_CONFIG, server.waitForExit(Poco::Timespan(5, 0)));
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "unknown key listeners.main.histroy_size"));
	}

	void testNestedUnknownKey()
	{
		expectConfigError(config(probeListener("main", freeLoopbackPort()) + "[listeners.main.tls]\ncertificate = x.pem\n"),
			{"unknown key listeners.main.tls.certificate"});
	}

	void testUnknownServerKeyAndSection()
	{
		const auto port = freeLoopbackPort();
		expectConfigError("[server]\nplugin_pth = " + testPluginDir() + "\n" + probeListener("main", port),
			{"unknown key server.plugin_pth (did you mean plugin_path?)"});
		expectConfigError(config(probeListener("main", port)) + "[server.cache]\nsize = 10\n", {"unknown key server.cache.size"});
	}

	void testSighupWithUnknownKeyKeepsTheListener()
	{
		const std::string ini = makeTempDir() + "/webchat.ini";
		const auto port = freeLoopbackPort();
		writeIni(ini, config(probeListener("main", port, "greeting = kept")));
		ServerProcess server({"--config=" + ini});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		writeIni(ini, config(probeListener("main", port, "greeting = changed\ngreting = typo")));
		CPPUNIT_ASSERT_MESSAGE(server.output(), sighupAndWait(server, 1));
		const std::string output = server.output();
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listener main: not reloaded, it stays as it ran"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "unknown key listeners.main.greting (did you mean greeting?)"));
		CPPUNIT_ASSERT_EQUAL(std::string("kept"), httpGet(port, "/hello").body);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testListKeysPrintsEveryTable()
	{
		const std::string output = runToExit({"--list-keys", "--config=" + writeTempFile(config(""))}, 0);
		const auto keys = parseListing(output);
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "# plugin = probe, class = ProbePlugin"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "# plugin = probe, class = FailingPlugin"));
		CPPUNIT_ASSERT_EQUAL(std::string("required"), keys.at("listeners.<name>.port").defaultValue);
		CPPUNIT_ASSERT_EQUAL(std::string("integer"), keys.at("listeners.<name>.threads").type);
		CPPUNIT_ASSERT_EQUAL(std::string("16"), keys.at("listeners.<name>.threads").defaultValue);
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), keys.at("greeting").defaultValue);
		CPPUNIT_ASSERT_EQUAL(std::string("${application.dir}../lib/webchat/plugins"), keys.at("server.plugin_path").defaultValue);
		// A library in the folder that is not a plugin of this interface is
		// named, and the others still listed.
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "future_interface.so"));
		// Ranges and units are part of the help.
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "(a whole number from 100 to 3600000 ms)"));
	}

	void testListKeysOfOnePlugin()
	{
		// The shipped plugins, found from the shipped configuration.
		const std::string output = runToExit({"--list-keys", "--plugin=chatroom"}, 0);
		const auto keys = parseListing(output);
		CPPUNIT_ASSERT_MESSAGE(output, keys.count("listeners.<name>.port") == 0);
		CPPUNIT_ASSERT_MESSAGE(output, keys.count("root") == 0);
		CPPUNIT_ASSERT_EQUAL(std::string("100"), keys.at("history_size").defaultValue);
		CPPUNIT_ASSERT_EQUAL(std::string("65536"), keys.at("max_message_bytes").defaultValue);
		CPPUNIT_ASSERT_EQUAL(std::string("choice"), keys.at("backend").type);
		CPPUNIT_ASSERT_EQUAL(std::string("sqlite"), keys.at("backend").defaultValue);
		CPPUNIT_ASSERT_EQUAL(std::string("10"), keys.at("rate_per_second").defaultValue);
	}

	void testListKeysOfUnknownPlugin()
	{
		const std::string output = runToExit({"--list-keys", "--plugin=nosuch"}, EXIT_CONFIG);
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "plugin library not found"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "nosuch.so"));
	}

	void testCheckConfigOpensNoPortAndCreatesNothing()
	{
		const auto port = freeLoopbackPort();
		// The port is taken: a start would fail, a check does not bind.
		Poco::Net::ServerSocket busy(Poco::Net::SocketAddress("127.0.0.1", port));
		const std::string database = makeTempDir() + "/history/chat.db";
		// The file's log goes to a file: a check reports on the terminal
		// all the same, and leaves the (running server's) log file alone.
		const std::string logFile = makeTempDir() + "/webchatd.log";
		const std::string logging = "[logging.channels.file]\nclass = FileChannel\npath = " + logFile + "\n[logging.loggers.root]\nchannel = file\n";
		const std::string output = runToExit({"--check-config", "--config=" + writeTempFile(chatroomConfig(port, database) + logging)}, 0);
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listener chat: chatroom/ChatroomPlugin on 127.0.0.1:" + std::to_string(port) + ": configuration OK"));
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "OK"));
		CPPUNIT_ASSERT_MESSAGE("--check-config created " + database, !Poco::File(database).exists());
		CPPUNIT_ASSERT_MESSAGE("--check-config created the database's folder", !Poco::File(Poco::Path(database).parent()).exists());
		CPPUNIT_ASSERT_MESSAGE("--check-config wrote to " + logFile, !Poco::File(logFile).exists());
	}

	void testCheckConfigRefusesBadValues()
	{
		const auto port = freeLoopbackPort();
		const std::string database = makeTempDir() + "/chat.db";
		for (const auto& [extra, expected] : std::vector<std::pair<std::string, std::string>>{
				 {"threads = 0\n", "listeners.chat.threads = 0: expected a whole number from 1 to 1024"},
				 {"history_size = lots\n", "history_size = lots: expected a whole number from 0 to 100000"},
				 {"backend = mysql\n", "backend = mysql: expected sqlite, memory or redis"},
				 {"max_text_byts = 10\n", "unknown key listeners.chat.max_text_byts (did you mean max_text_bytes?)"},
				 {"redis_password = s3cret\nredis_namespace = a b\n", "redis_namespace = a b: expected a word without spaces, colons or braces"}})
		{
			const std::string output = runToExit({"--check-config", "--config=" + writeTempFile(chatroomConfig(port, database, extra))}, EXIT_CONFIG);
			CPPUNIT_ASSERT_MESSAGE(output, contains(output, expected));
			CPPUNIT_ASSERT_MESSAGE(output, !contains(output, "s3cret"));
		}
	}

	void testCheckConfigRefusesAFileThatIsNotSqlite()
	{
		const std::string database = makeTempDir() + "/chat.db";
		writeIni(database, "this is not a database, it only has a name like one\n");
		const std::string output = runToExit({"--check-config", "--config=" + writeTempFile(chatroomConfig(freeLoopbackPort(), database))}, EXIT_CONFIG);
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "database = " + database + ": not a SQLite database"));
	}

	void testCheckConfigRefusesTwoListenersOnOneSocket()
	{
		const auto port = freeLoopbackPort();
		const std::string output = runToExit({"--check-config", "--config=" + writeTempFile(config(probeListener("one", port) + probeListener("two", port)))}, EXIT_CONFIG);
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listeners one and two both listen on 127.0.0.1:" + std::to_string(port)));
	}

	void testCheckConfigReadsCertificates()
	{
		const std::string dir = makeTempDir();
		const std::string output = runToExit({"--check-config", "--config=" + writeTempFile(config(probeListener("main", freeLoopbackPort(),
			"tls_certificate = " + dir + "/missing.pem\ntls_private_key = " + dir + "/missing.key")))}, EXIT_CONFIG);
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "missing.pem"));
	}

	void testShippedPageFollowsTheChatPort()
	{
		// The shipped file says chat_port = ${listeners.chat.port}: moving the
		// chat listener is one --define, and the page follows.
		const auto pagePort = freeLoopbackPort();
		const auto chatPort = freeLoopbackPort();
		ServerProcess server({"--config=" + shippedConfig(), "--define=listeners.page.port=" + std::to_string(pagePort),
			"--define=listeners.page.address=127.0.0.1", "--define=listeners.chat.port=" + std::to_string(chatPort),
			"--define=listeners.chat.address=127.0.0.1", "--define=listeners.chat.backend=memory",
			"--define=listeners.status.port=" + std::to_string(freeLoopbackPort())});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(pagePort));
		const auto reply = httpGet(pagePort, "/webchat-config.json");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_MESSAGE(reply.body, contains(reply.body, std::to_string(chatPort)));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testDocumentedKeysMatchListKeys()
	{
		const auto listed = parseListing(runToExit({"--list-keys"}, 0));
		std::multimap<std::string, DocumentedKey> documented;
		for (const char* file : {"README.md", "docs/PROTOCOL.md", "docs/TLS.md", "docs/REVERSE_PROXY.md"})
			documented.merge(documentedKeys(sourceDir() + "/" + file));
		CPPUNIT_ASSERT(documented.size() > 40);
		for (const auto& [name, doc] : documented)
		{
			const auto key = listed.find(name);
			CPPUNIT_ASSERT_MESSAGE(doc.where + ": " + name + " is documented but webchatd --list-keys does not have it", key != listed.end());
			CPPUNIT_ASSERT_MESSAGE(doc.where + ": " + name + " is documented with default \"" + doc.defaultValue +
				"\", webchatd --list-keys says " + key->second.defaultValue, sameDefault(key->second.defaultValue, doc.defaultValue));
		}
		for (const auto& [name, key] : listed)
			CPPUNIT_ASSERT_MESSAGE(name + " (webchatd --list-keys) is in no key table of the README or docs/", documented.count(name) > 0);
	}

};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigKeysTest);
