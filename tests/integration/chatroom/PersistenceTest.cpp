//
// Room history across restarts of the real webchatd: the SQLite backend
// keeps messages, ids and epochs through SIGTERM (everything accepted is
// written at shutdown) and SIGKILL (everything older than the batch window
// is on disk: the documented contract, and the one wait these tests make);
// the memory backend starts rooms afresh under a new epoch; an unusable
// database stops the server at start with exit 78 and one line naming
// `database` and the path.
//

#include "ChatTestSupport.h"

#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Path.h"

#include <thread>
#include <unistd.h>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

// The line of the output that holds part (empty when none does).
std::string lineWith(const std::string& output, const std::string& part)
{
	const std::size_t at = output.find(part);
	if (at == std::string::npos) return "";
	const std::size_t begin = output.rfind('\n', at);
	const std::size_t end = output.find('\n', at);
	return output.substr(begin == std::string::npos ? 0 : begin + 1, end == std::string::npos ? std::string::npos : end - (begin == std::string::npos ? 0 : begin + 1));
}

void writeFile(const std::string& path, const std::string& contents)
{
	Poco::FileOutputStream out(path, std::ios::binary | std::ios::trunc);
	out << contents;
}

std::vector<std::string> texts(const Object::Ptr& welcome)
{
	std::vector<std::string> out;
	const auto history = welcome->getArray("history");
	for (unsigned i = 0; i < history->size(); ++i) out.push_back(history->getObject(i)->getValue<std::string>("text"));
	return out;
}

std::vector<std::string> numbered(int from, int to)
{
	std::vector<std::string> out;
	for (int i = from; i <= to; ++i) out.push_back("m" + std::to_string(i));
	return out;
}

} // namespace

class PersistenceTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PersistenceTest);
	CPPUNIT_TEST(testHistorySurvivesSigterm);
	CPPUNIT_TEST(testSigkillAfterTheBatchWindowLosesNothing);
	CPPUNIT_TEST(testForgottenRoomComesBackFromTheDatabase);
	CPPUNIT_TEST(testMemoryBackendStartsAfreshUnderANewEpoch);
	CPPUNIT_TEST(testDefaultDatabaseIsBesideTheConfig);
	CPPUNIT_TEST(testShippedConfigKeepsHistoryInTheBuildTree);
	CPPUNIT_TEST(testUnusableDatabaseExits78);
	CPPUNIT_TEST(testUnusableDatabaseFallsBackToMemoryWhenConfigured);
	CPPUNIT_TEST_SUITE_END();

public:
	// SIGTERM right after the echoes, with a batch window far longer than
	// the test: only the shutdown can have written the messages.
	void testHistorySurvivesSigterm()
	{
		ChatServer server("batch_window_ms = 10000");
		std::string epoch;
		{
			ChatClient an(server.port, "/p?nick=An");
			epoch = an.expect("welcome")->getValue<std::string>("epoch");
			chat(an, 5, 1);
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		server.start();

		ChatClient chi(server.port, "/p?nick=Chi");
		auto welcome = chi.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(epoch, welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(5), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(range(1, 5) == historyIds(welcome));
		CPPUNIT_ASSERT(numbered(1, 5) == texts(welcome));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), welcome->getArray("history")->getObject(0)->getValue<std::string>("nick"));

		// Resuming across the restart: only what followed since, ids go on.
		ChatClient back(server.port, "/p?nick=An&since=3&epoch=" + epoch);
		welcome = back.expect("welcome");
		CPPUNIT_ASSERT(range(4, 5) == historyIds(welcome));
		CPPUNIT_ASSERT(!welcome->has("reset") && !welcome->has("gap"));
		chi.expect("join");
		back.send("after the restart");
		for (auto* client : {&back, &chi})
		{
			const auto message = client->expect("message");
			CPPUNIT_ASSERT_EQUAL(Poco::UInt64(6), message->getValue<Poco::UInt64>("id"));
			CPPUNIT_ASSERT_EQUAL(std::string("after the restart"), message->getValue<std::string>("text"));
		}

		// Someone else's epoch (another server, an older incarnation): reset.
		ChatClient stranger(server.port, "/p?nick=S&since=3&epoch=00000000deadbeef");
		welcome = stranger.expect("welcome");
		CPPUNIT_ASSERT(welcome->getValue<bool>("reset"));
		CPPUNIT_ASSERT(range(1, 6) == historyIds(welcome));
	}

	void testSigkillAfterTheBatchWindowLosesNothing()
	{
		ChatServer server("batch_window_ms = 100");
		std::string epoch;
		ChatClient an(server.port, "/k?nick=An");
		epoch = an.expect("welcome")->getValue<std::string>("epoch");
		chat(an, 20, 1);
		// The durability contract: a message accepted more than
		// batch_window_ms ago is on disk. Ten windows, then the crash.
		std::this_thread::sleep_for(std::chrono::milliseconds(1000));
		CPPUNIT_ASSERT_EQUAL(128 + SIGKILL, server.stop(SIGKILL));
		server.start();
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(server.process->output(), "was not closed by its last user"));

		// Nothing lost; but after a crash the room's epoch changed (the last
		// batch could have been lost and its ids given again), so a client
		// that resumes is told to reload, with everything there is.
		ChatClient back(server.port, "/k?nick=An&since=20&epoch=" + epoch);
		const auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT(welcome->getValue<bool>("reset"));
		CPPUNIT_ASSERT(welcome->getValue<std::string>("epoch") != epoch);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(20), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(range(1, 20) == historyIds(welcome));
		CPPUNIT_ASSERT(numbered(1, 20) == texts(welcome));
		chat(back, 1, 21);
	}

	// With a database, a room forgotten for max_rooms comes back as it was.
	void testForgottenRoomComesBackFromTheDatabase()
	{
		ChatServer server("max_rooms = 2");
		std::string epoch;
		{
			ChatClient an(server.port, "/old?nick=An");
			epoch = an.expect("welcome")->getValue<std::string>("epoch");
			chat(an, 3, 1);
			an.leave();
		}
		{
			ChatClient other(server.port, "/other?nick=O");
			other.expect("welcome");
			ChatClient third(server.port, "/third?nick=T"); // takes old's slot
			third.expect("welcome");
			ChatClient refused(server.port, "/old?nick=An");
			refused.expectRefusal("too_many_rooms", 4429);
			third.leave();
		}
		ChatClient returning(server.port, "/old?nick=An&since=1&epoch=" + epoch);
		const auto welcome = returning.expect("welcome");
		CPPUNIT_ASSERT(!welcome->has("reset") && !welcome->has("gap"));
		CPPUNIT_ASSERT_EQUAL(epoch, welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT(range(2, 3) == historyIds(welcome));
		chat(returning, 1, 4);
	}

	void testMemoryBackendStartsAfreshUnderANewEpoch()
	{
		ChatServer server("backend = memory");
		std::string epoch;
		{
			ChatClient an(server.port, "/m?nick=An");
			epoch = an.expect("welcome")->getValue<std::string>("epoch");
			chat(an, 3, 1);
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.stop());
		CPPUNIT_ASSERT(!Poco::File(server.database).exists());
		server.start();

		ChatClient an(server.port, "/m?nick=An");
		auto welcome = an.expect("welcome");
		const std::string renewed = welcome->getValue<std::string>("epoch");
		CPPUNIT_ASSERT(renewed != epoch);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(0), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(historyIds(welcome).empty());
		// The new room goes past the ids the old one gave...
		chat(an, 4, 1);

		// ...so a client of the old room asking for what followed id 3 is
		// told, by its epoch, that this is another room: reset, everything.
		ChatClient old(server.port, "/m?nick=Old&since=3&epoch=" + epoch);
		welcome = old.expect("welcome");
		CPPUNIT_ASSERT(welcome->getValue<bool>("reset"));
		CPPUNIT_ASSERT_EQUAL(renewed, welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT(range(1, 4) == historyIds(welcome));
		// Without its epoch (a client older than epochs) only ids are
		// compared, and message 4 of the new room looks like the next one.
		ChatClient legacy(server.port, "/m?nick=Legacy&since=3");
		welcome = legacy.expect("welcome");
		CPPUNIT_ASSERT(!welcome->has("reset"));
		CPPUNIT_ASSERT(range(4, 4) == historyIds(welcome));
	}

	// No database key: data/chat.db beside the .ini, created with its folder.
	void testDefaultDatabaseIsBesideTheConfig()
	{
		const std::string dir = makeTempDir();
		const auto port = freeLoopbackPort();
		writeFile(dir + "/webchat.ini", "[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\nplugin = chatroom\nclass = ChatroomPlugin\n");
		ServerProcess server({"--config=" + dir + "/webchat.ini"}, "/");
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		CPPUNIT_ASSERT(Poco::File(dir + "/data/chat.db").isFile());
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "chat history: sqlite " + dir + "/data/chat.db"));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	// The shipped webchat.ini, from the build tree: the database goes to
	// <build>/var/lib/webchat/chat.db (/var/lib/webchat/chat.db installed).
	void testShippedConfigKeepsHistoryInTheBuildTree()
	{
		const auto pagePort = freeLoopbackPort();
		const auto chatPort = freeLoopbackPort();
		ServerProcess server({"--define=listeners.page.port=" + std::to_string(pagePort),
			"--define=listeners.chat.port=" + std::to_string(chatPort),
			"--define=listeners.status.port=" + std::to_string(freeLoopbackPort())}, "/");
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(chatPort));
		const std::string database = Poco::Path(buildDir() + "/var/lib/webchat/chat.db").toString();
		CPPUNIT_ASSERT_MESSAGE(server.output(), contains(server.output(), "chat history: sqlite " + database + " (batch window 100 ms"));
		CPPUNIT_ASSERT(Poco::File(database).isFile());
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testUnusableDatabaseExits78()
	{
		const std::string dir = makeTempDir();
		std::string garbage;
		for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919 + 13) % 251);
		writeFile(dir + "/corrupt.db", garbage);
		writeFile(dir + "/file", "not a folder");
		Poco::File(dir + "/folder.db").createDirectories();
		// Permissions do not stop root; /proc refuses new files to anyone.
		std::string unwritable = dir + "/readonly/chat.db";
		if (::geteuid() == 0)
		{
			unwritable = "/proc/self/chat.db";
		}
		else
		{
			Poco::File(dir + "/readonly").createDirectories();
			Poco::File(dir + "/readonly").setWriteable(false);
		}
		const std::vector<std::pair<std::string, std::string>> cases = {
			{dir + "/corrupt.db", "not a SQLite database, or corrupt"},
			{dir + "/folder.db", "is a directory"},
			{unwritable, "is not writable"},
			{dir + "/file/chat.db", "is not a directory"}};
		for (const auto& [database, problem] : cases)
		{
			const auto port = freeLoopbackPort();
			ServerProcess server({"--config=" + writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n"
				"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\n"
				"plugin = chatroom\nclass = ChatroomPlugin\ndatabase = " + database + "\n")});
			CPPUNIT_ASSERT_EQUAL_MESSAGE(database + ": " + server.output(), 78, server.waitForExit(Poco::Timespan(10, 0)));
			const std::string line = lineWith(server.output(), "database = " + database + ": ");
			CPPUNIT_ASSERT_MESSAGE(server.output(), contains(line, problem));
			CPPUNIT_ASSERT_MESSAGE(line, contains(line, "listener chat"));
		}
		// Left as it was.
		CPPUNIT_ASSERT_EQUAL(Poco::File::FileSize(garbage.size()), Poco::File(dir + "/corrupt.db").getSize());
		if (::geteuid() != 0) Poco::File(dir + "/readonly").setWriteable(true);
	}

	void testUnusableDatabaseFallsBackToMemoryWhenConfigured()
	{
		const std::string dir = makeTempDir();
		writeFile(dir + "/corrupt.db", std::string(4096, '\x5a'));
		ChatServer server("database = " + dir + "/corrupt.db\ndatabase_fallback = memory\n");
		// Serving, with the reason logged as an error.
		ChatClient an(server.port, "/r?nick=An");
		an.expect("welcome");
		chat(an, 2, 1);
		const std::string line = lineWith(server.process->output(), "database = " + dir + "/corrupt.db: ");
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(line, "not a SQLite database, or corrupt"));
		CPPUNIT_ASSERT_MESSAGE(line, contains(line, "database_fallback = memory"));
		// Memory only: a restart starts afresh, and the file is untouched.
		an.leave();
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
		server.start();
		ChatClient again(server.port, "/r?nick=An");
		CPPUNIT_ASSERT(historyIds(again.expect("welcome")).empty());
		CPPUNIT_ASSERT_EQUAL(Poco::File::FileSize(4096), Poco::File(dir + "/corrupt.db").getSize());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PersistenceTest);
