// The history stores: SQLite (the default) on temporary files, and memory.
// The writer's batching, durability on close and after a crash, retention
// by count and by age (with an injected clock), ids and epochs across
// reopening, and the errors a bad file gives.
#include "HistoryStore.h"
#include "MemoryHistoryStore.h"
#include "NameRules.h"
#include "SqliteHistoryStore.h"

#include "LogRecorder.h"
#include "NativePath.h"
#include "TempFiles.h"

#include "Poco/AutoPtr.h"
#include "Poco/Data/SQLite/SQLiteException.h"
#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/Session.h"
#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Logger.h"
#include "Poco/Message.h"
#include "Poco/Thread.h"
#include "Poco/Timestamp.h"

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <set>
#include <stdexcept>

// Two tests need POSIX: a child process that dies without closing (fork), and
// a folder without write permission (chmod). Windows runs the others.
#ifndef _WIN32
#define WEBCHAT_POSIX_TESTS 1
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#endif

using webchat::chatroom::HistoryStore;
using webchat::chatroom::MemoryHistoryStore;
using webchat::chatroom::NameRules;
using webchat::chatroom::SqliteHistoryStore;
using webchat::test::LogRecorder;

namespace {

constexpr std::int64_t DayMs = 24 * 60 * 60 * 1000;

HistoryStore::Message message(std::uint64_t id, const std::string& text, std::int64_t ts = 0, const std::string& nick = "An")
{
	HistoryStore::Message m;
	m.id = id;
	m.ts = ts != 0 ? ts : 1764145000000 + static_cast<std::int64_t>(id);
	m.nick = nick;
	m.text = text;
	return m;
}

std::vector<std::uint64_t> ids(const HistoryStore::Room& room)
{
	std::vector<std::uint64_t> out;
	for (const auto& m : room.recent) out.push_back(m.id);
	return out;
}

std::vector<std::uint64_t> range(std::uint64_t from, std::uint64_t to)
{
	std::vector<std::uint64_t> out;
	for (std::uint64_t id = from; id <= to; ++id) out.push_back(id);
	return out;
}

bool isEpoch(const std::string& epoch)
{
	return epoch.size() == 16 && epoch.find_first_not_of("0123456789abcdef") == std::string::npos;
}

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

// Appends count messages "m<id>" after the room's last id; returns the last.
std::uint64_t post(HistoryStore& store, const std::string& room, const std::string& epoch, std::uint64_t after, int count)
{
	for (int i = 1; i <= count; ++i) store.append(room, epoch, message(after + i, "m" + std::to_string(after + i)));
	return after + count;
}

} // namespace

class SqliteHistoryStoreTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SqliteHistoryStoreTest);
	CPPUNIT_TEST(testNewRoom);
	CPPUNIT_TEST(testMessagesSurviveReopening);
	CPPUNIT_TEST(testRoomsAreStoredByTheKeyOfTheirName);
	CPPUNIT_TEST(testIdsContinueAfterReopening);
	CPPUNIT_TEST(testTextIsKeptExactly);
	CPPUNIT_TEST(testAppendWaitsForTheBatchWindow);
	CPPUNIT_TEST(testOneTransactionPerBatch);
	CPPUNIT_TEST(testWriterWritesWhenTheWindowEnds);
#ifdef WEBCHAT_POSIX_TESTS
	CPPUNIT_TEST(testCrashKeepsWhatWasWrittenAndChangesEpochs);
	CPPUNIT_TEST(testUnwritableFolderIsRefused);
#endif
	CPPUNIT_TEST(testLoadSeesMessagesNotYetWritten);
	CPPUNIT_TEST(testLoadKeepsTheNewestRun);
	CPPUNIT_TEST(testRetentionByCount);
	CPPUNIT_TEST(testRetentionPassAppliesALoweredCount);
	CPPUNIT_TEST(testRetentionByAge);
	CPPUNIT_TEST(testFailedWritesAreKeptAndRetried);
	CPPUNIT_TEST(testBeyondThePendingBoundsMessagesAreNotKept);
	CPPUNIT_TEST(testPendingBytesBound);
	CPPUNIT_TEST(testOneListenerPerFile);
	CPPUNIT_TEST(testAppendAfterCloseIsDropped);
	CPPUNIT_TEST(testCreatesMissingFolders);
	CPPUNIT_TEST(testCorruptFileIsRefused);
	CPPUNIT_TEST(testDirectoryIsRefused);
	CPPUNIT_TEST(testFolderThatCannotBeCreatedIsRefused);
	CPPUNIT_TEST(testOtherDatabaseIsRefused);
	CPPUNIT_TEST(testNewerSchemaIsRefused);
	CPPUNIT_TEST(testLockedFileIsRefusedAsLocked);
	CPPUNIT_TEST(testFailuresAreClassifiedByType);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_dir = webchat::test::makeTempDir();
		_path = webchat::test::nativePath(_dir + "/chat.db");
		_log = new LogRecorder;
		Poco::Logger& logger = Poco::Logger::get("test.history");
		logger.setChannel(_log);
		logger.setLevel(Poco::Message::PRIO_INFORMATION);
	}

	void tearDown() override
	{
		Poco::Logger::get("test.history").setChannel(nullptr);
		Poco::File(_dir).remove(true);
	}

	void testNewRoom()
	{
		auto store = open();
		const auto room = store->loadRoom("lobby", 100);
		CPPUNIT_ASSERT_MESSAGE(room.epoch, isEpoch(room.epoch));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), room.lastId);
		CPPUNIT_ASSERT(room.recent.empty());
		// Nothing stored yet, so nothing to keep stable: each load is a new
		// incarnation (no client can hold an id of it).
		CPPUNIT_ASSERT(store->loadRoom("lobby", 100).epoch != room.epoch);
		CPPUNIT_ASSERT(contains(store->describe(), _path));
		CPPUNIT_ASSERT(Poco::File(_path).exists());
	}

	void testMessagesSurviveReopening()
	{
		std::string lobby;
		std::string hanoi;
		{
			auto store = open();
			lobby = store->loadRoom("lobby", 100).epoch;
			hanoi = store->loadRoom("Hà Nội", 100).epoch;
			post(*store, "lobby", lobby, 0, 5);
			post(*store, "Hà Nội", hanoi, 0, 2);
			// No flush: close() writes what is queued.
		}
		auto store = open();
		CPPUNIT_ASSERT(store->previousRunWasClean());
		const auto room = store->loadRoom("lobby", 100);
		CPPUNIT_ASSERT_EQUAL(lobby, room.epoch);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), room.lastId);
		CPPUNIT_ASSERT(range(1, 5) == ids(room));
		for (const auto& m : room.recent)
		{
			CPPUNIT_ASSERT_EQUAL("m" + std::to_string(m.id), m.text);
			CPPUNIT_ASSERT_EQUAL(std::string("An"), m.nick);
			CPPUNIT_ASSERT_EQUAL(1764145000000 + static_cast<std::int64_t>(m.id), m.ts);
		}
		const auto other = store->loadRoom("Hà Nội", 100);
		CPPUNIT_ASSERT_EQUAL(hanoi, other.epoch);
		CPPUNIT_ASSERT(range(1, 2) == ids(other));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), store->loadRoom("elsewhere", 100).lastId);
	}

	void testRoomsAreStoredByTheKeyOfTheirName()
	{
		// Rows as a webchatd that stored names as typed wrote them: two
		// spellings of one room apart, and another room.
		{
			auto store = open();
			post(*store, "Lobby", store->loadRoom("Lobby", 100).epoch, 0, 3);
			post(*store, "lobby", store->loadRoom("lobby", 100).epoch, 0, 1);
			post(*store, "Other", store->loadRoom("Other", 100).epoch, 0, 2);
		}
		execute("UPDATE meta SET value = 'ICU 0, Unicode 0' WHERE key = 'room_keys'");
		{
			auto store = open();
			// The busiest spelling keeps the key and its history.
			const auto lobby = store->loadRoom(NameRules::comparisonKey("LOBBY"), 100);
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), lobby.lastId);
			CPPUNIT_ASSERT(range(1, 3) == ids(lobby));
			CPPUNIT_ASSERT(range(1, 2) == ids(store->loadRoom(NameRules::comparisonKey("other"), 100)));
			CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "no longer shown: lobby (1 messages)"));
		}
		// Nothing deleted: the other spelling's row is kept under a name no
		// room has.
		CPPUNIT_ASSERT_EQUAL(6, countRows());
		int retired = 0;
		Poco::Data::Session s = session();
		s << "SELECT count(*) FROM rooms WHERE name = char(31) || id || ' lobby'", Poco::Data::Keywords::into(retired), Poco::Data::Keywords::now;
		CPPUNIT_ASSERT_EQUAL(1, retired);
		// Keyed once: reopened with the same ICU, nothing is done again.
		const auto rekeyings = [&] {
			std::size_t count = 0;
			for (const auto& line : _log->lines()) count += contains(line.second, "are now stored by the key of their name") ? 1 : 0;
			return count;
		};
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), rekeyings());
		open();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), rekeyings());
	}

	void testIdsContinueAfterReopening()
	{
		std::string epoch;
		for (int run = 0; run < 3; ++run)
		{
			auto store = open();
			const auto room = store->loadRoom("r", 100);
			if (run == 0)
				epoch = room.epoch;
			else
				CPPUNIT_ASSERT_EQUAL(epoch, room.epoch); // stable across clean restarts
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(run * 4), room.lastId);
			post(*store, "r", room.epoch, room.lastId, 4);
		}
		auto store = open();
		const auto room = store->loadRoom("r", 100);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(12), room.lastId);
		CPPUNIT_ASSERT(range(1, 12) == ids(room));
	}

	void testTextIsKeptExactly()
	{
		const std::vector<std::string> texts = {std::string("nul\0byte", 8), "Xin chào Hà Nội 😀", "\"quoted\" \\ <b>&amp;</b>",
			"line\nbreak\xE2\x80\xA8", std::string(4096, 'x'), ""};
		{
			auto store = open();
			const auto epoch = store->loadRoom("r", 100).epoch;
			for (std::size_t i = 0; i < texts.size(); ++i) store->append("r", epoch, message(i + 1, texts[i], 5, "Bình"));
		}
		auto store = open();
		const auto room = store->loadRoom("r", 100);
		CPPUNIT_ASSERT_EQUAL(texts.size(), room.recent.size());
		for (std::size_t i = 0; i < texts.size(); ++i)
		{
			CPPUNIT_ASSERT_EQUAL(texts[i], room.recent[i].text);
			CPPUNIT_ASSERT_EQUAL(std::string("Bình"), room.recent[i].nick);
			CPPUNIT_ASSERT_EQUAL(std::int64_t(5), room.recent[i].ts);
		}
	}

	// append() only queues: within the window nothing reaches the file.
	void testAppendWaitsForTheBatchWindow()
	{
		auto store = open(options(60000));
		const auto epoch = store->loadRoom("r", 100).epoch;
		post(*store, "r", epoch, 0, 10);
		CPPUNIT_ASSERT_EQUAL(0, countRows());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), store->stats().batches);
		CPPUNIT_ASSERT(store->flush());
		CPPUNIT_ASSERT_EQUAL(10, countRows());
	}

	void testOneTransactionPerBatch()
	{
		auto store = open(options(60000));
		const std::vector<std::string> rooms = {"a", "b", "c"};
		std::vector<std::string> epochs;
		for (const auto& name : rooms) epochs.push_back(store->loadRoom(name, 100).epoch);
		for (std::uint64_t id = 1; id <= 100; ++id)
			for (std::size_t r = 0; r < rooms.size(); ++r) store->append(rooms[r], epochs[r], message(id, "x"));
		CPPUNIT_ASSERT(store->flush());
		const auto stats = store->stats();
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), stats.batches);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(300), stats.messagesWritten);
		CPPUNIT_ASSERT_EQUAL(300, countRows());
		// A flush with nothing queued returns at once.
		CPPUNIT_ASSERT(store->flush());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), store->stats().batches);
	}

	// No flush: the writer writes on its own once the window has passed.
	void testWriterWritesWhenTheWindowEnds()
	{
		auto store = open(options(20));
		const auto epoch = store->loadRoom("r", 100).epoch;
		post(*store, "r", epoch, 0, 10);
		Poco::Timestamp start;
		while (store->stats().messagesWritten < 10 && !start.isElapsed(10 * 1000 * 1000)) Poco::Thread::sleep(5);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), store->stats().messagesWritten);
		CPPUNIT_ASSERT_EQUAL(10, countRows());
	}

#ifdef WEBCHAT_POSIX_TESTS
	// A process that dies without closing (as under SIGKILL): what was
	// committed is there, ids continue after it, and every room has a new
	// epoch since the lost batch's ids may be given again.
	void testCrashKeepsWhatWasWrittenAndChangesEpochs()
	{
		std::string epoch;
		{
			auto store = open();
			epoch = store->loadRoom("r", 100).epoch;
		}
		const pid_t child = ::fork();
		CPPUNIT_ASSERT(child >= 0);
		if (child == 0)
		{
			try
			{
				SqliteHistoryStore store(options(60000), Poco::Logger::get("test.history"));
				post(store, "r", epoch, 0, 3);
				const bool flushed = store.flush();
				post(store, "r", epoch, 3, 2); // never written: the crash's loss
				::_exit(flushed ? 0 : 2); // here, before the store's destructor could close it
			}
			catch (...)
			{
				::_exit(3);
			}
		}
		int status = 0;
		CPPUNIT_ASSERT_EQUAL(child, ::waitpid(child, &status, 0));
		CPPUNIT_ASSERT(WIFEXITED(status));
		CPPUNIT_ASSERT_EQUAL(0, WEXITSTATUS(status));

		std::string rotated;
		{
			auto store = open();
			CPPUNIT_ASSERT(!store->previousRunWasClean());
			CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "was not closed"));
			const auto room = store->loadRoom("r", 100);
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), room.lastId);
			CPPUNIT_ASSERT(range(1, 3) == ids(room));
			CPPUNIT_ASSERT(isEpoch(room.epoch));
			CPPUNIT_ASSERT(room.epoch != epoch);
			rotated = room.epoch;
			post(*store, "r", rotated, 3, 1);
		}
		// Closed cleanly this time: the new epoch stays.
		auto store = open();
		CPPUNIT_ASSERT(store->previousRunWasClean());
		const auto room = store->loadRoom("r", 100);
		CPPUNIT_ASSERT_EQUAL(rotated, room.epoch);
		CPPUNIT_ASSERT(range(1, 4) == ids(room));
	}

#endif

	// A room forgotten and used again within a batch window is loaded with
	// the messages still queued: the same epoch, no id given twice.
	void testLoadSeesMessagesNotYetWritten()
	{
		auto store = open(options(60000));
		const auto epoch = store->loadRoom("r", 100).epoch;
		post(*store, "r", epoch, 0, 3);
		auto room = store->loadRoom("r", 100);
		CPPUNIT_ASSERT_EQUAL(epoch, room.epoch);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), room.lastId);
		CPPUNIT_ASSERT(range(1, 3) == ids(room));
		CPPUNIT_ASSERT_EQUAL(0, countRows());

		// Part written, part queued.
		CPPUNIT_ASSERT(store->flush());
		post(*store, "r", epoch, 3, 2);
		room = store->loadRoom("r", 4);
		CPPUNIT_ASSERT_EQUAL(epoch, room.epoch);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(5), room.lastId);
		CPPUNIT_ASSERT(range(2, 5) == ids(room));
		CPPUNIT_ASSERT_EQUAL(std::string("m5"), room.recent.back().text);
	}

	void testLoadKeepsTheNewestRun()
	{
		auto store = open();
		const auto epoch = store->loadRoom("r", 100).epoch;
		post(*store, "r", epoch, 0, 10);
		CPPUNIT_ASSERT(store->flush());
		CPPUNIT_ASSERT(range(7, 10) == ids(store->loadRoom("r", 4)));
		CPPUNIT_ASSERT(ids(store->loadRoom("r", 0)).empty());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), store->loadRoom("r", 0).lastId);
		// A hole (an age deletion that spared an older row): only what
		// follows it, so the room's history stays consecutive.
		execute("DELETE FROM messages WHERE id = 8");
		CPPUNIT_ASSERT(range(9, 10) == ids(store->loadRoom("r", 100)));

		HistoryStore::Room room;
		room.lastId = 6;
		for (std::uint64_t id : {1, 2, 4, 5, 6}) room.recent.push_back(message(id, ""));
		HistoryStore::keepNewestRun(room, 100);
		CPPUNIT_ASSERT(range(4, 6) == ids(room));
		HistoryStore::keepNewestRun(room, 2);
		CPPUNIT_ASSERT(range(5, 6) == ids(room));
		room.lastId = 7; // the newest is missing: nothing follows on
		HistoryStore::keepNewestRun(room, 100);
		CPPUNIT_ASSERT(room.recent.empty());
	}

	void testRetentionByCount()
	{
		auto opts = options(60000);
		opts.retentionCount = 5;
		{
			auto store = open(opts);
			const auto a = store->loadRoom("a", 100).epoch;
			const auto b = store->loadRoom("b", 100).epoch;
			post(*store, "a", a, 0, 12);
			post(*store, "b", b, 0, 3);
			CPPUNIT_ASSERT(store->flush());
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), store->stats().deletedByCount);
			CPPUNIT_ASSERT_EQUAL(8, countRows());
		}
		auto store = open(opts);
		auto room = store->loadRoom("a", 100);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(12), room.lastId);
		CPPUNIT_ASSERT(range(8, 12) == ids(room));
		CPPUNIT_ASSERT(range(1, 3) == ids(store->loadRoom("b", 100)));
	}

	void testRetentionPassAppliesALoweredCount()
	{
		auto opts = options(60000);
		{
			auto store = open(opts);
			post(*store, "a", store->loadRoom("a", 100).epoch, 0, 20);
		}
		opts.retentionCount = 5;
		auto store = open(opts);
		store->applyRetentionNow();
		CPPUNIT_ASSERT_EQUAL(5, countRows());
		const auto room = store->loadRoom("a", 100);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(20), room.lastId);
		CPPUNIT_ASSERT(range(16, 20) == ids(room));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(15), store->stats().deletedByCount);
	}

	void testRetentionByAge()
	{
		auto now = std::make_shared<std::atomic<std::int64_t>>(400 * DayMs);
		auto opts = options(60000);
		opts.retentionDays = 7;
		opts.wallClockMs = [now] { return now->load(); };
		std::string epoch;
		{
			auto store = open(opts);
			epoch = store->loadRoom("r", 100).epoch;
			const std::int64_t t = now->load();
			store->append("r", epoch, message(1, "ten days old", t - 10 * DayMs));
			store->append("r", epoch, message(2, "eight days old", t - 8 * DayMs));
			store->append("r", epoch, message(3, "six days old", t - 6 * DayMs));
			store->append("r", epoch, message(4, "a day old", t - DayMs));
			CPPUNIT_ASSERT(store->flush());
			store->applyRetentionNow();
			auto room = store->loadRoom("r", 100);
			CPPUNIT_ASSERT(range(3, 4) == ids(room));
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), store->stats().deletedByAge);

			*now += 2 * DayMs;
			store->applyRetentionNow();
			CPPUNIT_ASSERT(range(4, 4) == ids(store->loadRoom("r", 100)));

			*now += 10 * DayMs;
			store->applyRetentionNow();
			room = store->loadRoom("r", 100);
			CPPUNIT_ASSERT(room.recent.empty());
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), room.lastId);
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), store->stats().deletedByAge);
		}
		// Everything gone, and still the ids never go back.
		auto store = open(opts);
		const auto room = store->loadRoom("r", 100);
		CPPUNIT_ASSERT_EQUAL(epoch, room.epoch);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(4), room.lastId);
		CPPUNIT_ASSERT_EQUAL(0, countRows());
	}

	// Another process holds the write lock: batches fail, their messages
	// stay queued (and visible to loads), and go in once it lets go.
	void testFailedWritesAreKeptAndRetried()
	{
		auto opts = options(60000);
		opts.busyTimeoutMs = 10;
		opts.retryMs = 10;
		auto store = open(opts);
		const auto epoch = store->loadRoom("r", 100).epoch;
		{
			Poco::Data::Session blocker = session();
			blocker << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
			post(*store, "r", epoch, 0, 3);
			CPPUNIT_ASSERT(!store->flush());
			CPPUNIT_ASSERT(store->stats().failedBatches >= 1);
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), store->stats().messagesLost);
			const auto room = store->loadRoom("r", 100);
			CPPUNIT_ASSERT_EQUAL(epoch, room.epoch);
			CPPUNIT_ASSERT(range(1, 3) == ids(room));
			CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "cannot write 3 messages"));
			CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "the database is locked by another process ("));
			blocker << "ROLLBACK", Poco::Data::Keywords::now;
		}
		CPPUNIT_ASSERT(store->flush());
		CPPUNIT_ASSERT_EQUAL(3, countRows());
		CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "again after"));
		store.reset();
		CPPUNIT_ASSERT(open()->previousRunWasClean());
	}

	void testBeyondThePendingBoundsMessagesAreNotKept()
	{
		auto opts = options(60000);
		opts.busyTimeoutMs = 10;
		opts.retryMs = 10;
		opts.maxPendingMessages = 2;
		auto store = open(opts);
		const auto epoch = store->loadRoom("r", 100).epoch;
		{
			// The disk "fails": another process holds the write lock.
			Poco::Data::Session blocker = session();
			blocker << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
			post(*store, "r", epoch, 0, 3);
			CPPUNIT_ASSERT(!store->flush());
			const auto stats = store->stats();
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), stats.messagesNotKept); // the newest
			CPPUNIT_ASSERT_EQUAL(std::size_t(2), stats.pendingMessages);
			CPPUNIT_ASSERT(stats.pendingBytes > 0);
			CPPUNIT_ASSERT_MESSAGE(_log->text(), contains(_log->text(), "1 messages delivered but not kept"));
			blocker << "ROLLBACK", Poco::Data::Keywords::now;
		}
		CPPUNIT_ASSERT(store->flush());
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), store->stats().pendingMessages);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), store->stats().pendingBytes);
		store.reset();
		// Id 3 is not in the file: the next start gives the room a new epoch.
		auto reopened = open();
		CPPUNIT_ASSERT(!reopened->previousRunWasClean());
		const auto room = reopened->loadRoom("r", 100);
		CPPUNIT_ASSERT(room.epoch != epoch);
		CPPUNIT_ASSERT(range(1, 2) == ids(room));
	}

	void testPendingBytesBound()
	{
		auto opts = options(60000);
		opts.busyTimeoutMs = 10;
		opts.retryMs = 10;
		opts.maxPendingBytes = 4096;
		auto store = open(opts);
		const auto epoch = store->loadRoom("r", 100).epoch;
		Poco::Data::Session blocker = session();
		blocker << "BEGIN IMMEDIATE", Poco::Data::Keywords::now;
		for (std::uint64_t id = 1; id <= 10; ++id) store->append("r", epoch, message(id, std::string(1000, 'x')));
		const auto stats = store->stats();
		// About 1,000 bytes each: three fit in 4 KiB, the rest are not kept.
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), stats.pendingMessages);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), stats.messagesNotKept);
		CPPUNIT_ASSERT(stats.pendingBytes <= 4096);
		blocker << "ROLLBACK", Poco::Data::Keywords::now;
	}

	void testOneListenerPerFile()
	{
		auto store = open();
		const std::string refusal = openRefusal(options());
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "database = " + _path + ": already used by another listener"));
		store.reset();
		open(); // free again once closed
	}

	void testAppendAfterCloseIsDropped()
	{
		auto store = open();
		const auto epoch = store->loadRoom("r", 100).epoch;
		store->close();
		store->close();
		store->append("r", epoch, message(1, "late"));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), store->stats().messagesLost);
		CPPUNIT_ASSERT(store->flush());
	}

	void testCreatesMissingFolders()
	{
		auto opts = options(100);
		opts.path = _dir + "/var/lib/webchat/chat.db";
		auto store = open(opts);
		CPPUNIT_ASSERT(Poco::File(opts.path).isFile());
	}

	void testCorruptFileIsRefused()
	{
		std::string garbage;
		for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 7919 + 13) % 251);
		writeFile(_path, garbage);
		const std::string refusal = openRefusal(options(100));
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "database = " + _path + ": "));
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "not a SQLite database, or corrupt"));
		CPPUNIT_ASSERT_MESSAGE(refusal, refusal.find('\n') == std::string::npos);
		// Left as it was, for the operator to look at.
		CPPUNIT_ASSERT_EQUAL(Poco::File::FileSize(garbage.size()), Poco::File(_path).getSize());

		writeFile(_path, "just some text, no database\n");
		CPPUNIT_ASSERT(contains(openRefusal(options(100)), "not a SQLite database"));
	}

	void testDirectoryIsRefused()
	{
		auto opts = options(100);
		opts.path = _dir;
		const std::string refusal = openRefusal(opts);
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "database = " + _dir + ": is a directory"));
	}

#ifdef WEBCHAT_POSIX_TESTS
	void testUnwritableFolderIsRefused()
	{
		auto opts = options(100);
		std::string folder;
		if (::geteuid() == 0)
		{
			// Permissions do not stop root; /proc refuses new files to anyone.
			folder = "/proc/self/";
		}
		else
		{
			folder = _dir + "/readonly/";
			Poco::File(folder).createDirectories();
			::chmod(folder.c_str(), 0500);
		}
		opts.path = folder + "chat.db";
		const std::string refusal = openRefusal(opts);
		if (::geteuid() != 0) ::chmod(folder.c_str(), 0700);
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "database = " + opts.path + ": its folder " + folder + " is not writable"));
	}
#endif

	// A folder that cannot be created: its parent is a file.
	void testFolderThatCannotBeCreatedIsRefused()
	{
		auto opts = options(100);
		writeFile(_dir + "/file", "x");
		opts.path = webchat::test::nativePath(_dir + "/file/sub/chat.db");
		const std::string cannotCreate = openRefusal(opts);
		CPPUNIT_ASSERT_MESSAGE(cannotCreate, contains(cannotCreate, "database = " + opts.path + ": "));
	}

	void testOtherDatabaseIsRefused()
	{
		execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
		const std::string refusal = openRefusal(options(100));
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "not a webchat history database"));
	}

	void testNewerSchemaIsRefused()
	{
		open().reset();
		execute("UPDATE schema_version SET version = 4");
		const std::string refusal = openRefusal(options(100));
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "schema version 4 is newer than this webchatd knows (3)"));
	}

	void testLockedFileIsRefusedAsLocked()
	{
		open().reset();
		Poco::Data::Session blocker = session();
		blocker << "BEGIN EXCLUSIVE", Poco::Data::Keywords::now;
		auto opts = options(100);
		opts.busyTimeoutMs = 10;
		const std::string refusal = openRefusal(opts);
		blocker << "ROLLBACK", Poco::Data::Keywords::now;
		CPPUNIT_ASSERT_MESSAGE(refusal, contains(refusal, "database = " + _path + ": the database is locked by another process ("));
	}

	// By the exception's type (one per SQLite result code), whatever its
	// text says: each message below names another failure.
	void testFailuresAreClassifiedByType()
	{
		using namespace Poco::Data::SQLite;
		using Failure = SqliteHistoryStore::Failure;
		const auto classify = [](const std::exception& error) { return SqliteHistoryStore::classify(error); };
		CPPUNIT_ASSERT(classify(CorruptImageException("database is locked")) == Failure::NotADatabase);
		CPPUNIT_ASSERT(classify(ReadOnlyException("file is not a database")) == Failure::ReadOnly);
		CPPUNIT_ASSERT(classify(DBLockedException("attempt to write a readonly database")) == Failure::Locked);
		CPPUNIT_ASSERT(classify(TableLockedException("unable to open database file")) == Failure::Locked);
		CPPUNIT_ASSERT(classify(CantOpenDBFileException("database is locked")) == Failure::CannotOpen);
		CPPUNIT_ASSERT(classify(DatabaseFullException("disk I/O error")) == Failure::DiskFull);
		CPPUNIT_ASSERT(classify(IOErrorException("database or disk is full")) == Failure::DiskIo);
		CPPUNIT_ASSERT(classify(DBAccessDeniedException("malformed")) == Failure::AccessDenied);
		CPPUNIT_ASSERT(classify(AuthorizationDeniedException("busy")) == Failure::AccessDenied);
		// Not SQLite's, whatever the words.
		CPPUNIT_ASSERT(classify(ConstraintViolationException("database is locked")) == Failure::Other);
		CPPUNIT_ASSERT(classify(Poco::IOException("file is not a database")) == Failure::Other);
		CPPUNIT_ASSERT(classify(std::runtime_error("database is locked")) == Failure::Other);

		// The meaning first, then the exception's own text, on one line.
		const std::string readOnly = SqliteHistoryStore::explain(ReadOnlyException("attempt to write a readonly database\nline two"));
		CPPUNIT_ASSERT_MESSAGE(readOnly, contains(readOnly, "the database is read-only ("));
		CPPUNIT_ASSERT_MESSAGE(readOnly, contains(readOnly, "attempt to write a readonly database line two)"));
		CPPUNIT_ASSERT_EQUAL(std::string("plain words"), SqliteHistoryStore::explain(std::runtime_error("plain words")));
	}

private:
	SqliteHistoryStore::Options options(std::int64_t batchWindowMs = 100) const
	{
		SqliteHistoryStore::Options o;
		o.path = _path;
		o.batchWindowMs = batchWindowMs;
		o.retentionCount = 0;
		return o;
	}

	std::unique_ptr<SqliteHistoryStore> open(const SqliteHistoryStore::Options& opts) const
	{
		return std::make_unique<SqliteHistoryStore>(opts, Poco::Logger::get("test.history"));
	}

	std::unique_ptr<SqliteHistoryStore> open() const { return open(options()); }

	std::string openRefusal(const SqliteHistoryStore::Options& opts) const
	{
		try
		{
			open(opts);
		}
		catch (const Poco::Exception& exc)
		{
			return exc.message();
		}
		CPPUNIT_FAIL("opened " + opts.path);
		return "";
	}

	// A connection of the test's own, beside the store's.
	Poco::Data::Session session() const
	{
		return Poco::Data::Session(new Poco::Data::SQLite::SessionImpl(_path));
	}

	int countRows() const
	{
		int count = -1;
		Poco::Data::Session s = session();
		s << "SELECT count(*) FROM messages", Poco::Data::Keywords::into(count), Poco::Data::Keywords::now;
		return count;
	}

	void execute(const std::string& sql) const
	{
		Poco::Data::Session s = session();
		s << sql, Poco::Data::Keywords::now;
	}

	static void writeFile(const std::string& path, const std::string& contents)
	{
		Poco::FileOutputStream out(path, std::ios::binary | std::ios::trunc);
		out << contents;
	}

	std::string _dir;
	std::string _path;
	Poco::AutoPtr<LogRecorder> _log;
};

class MemoryHistoryStoreTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MemoryHistoryStoreTest);
	CPPUNIT_TEST(testEveryLoadIsANewIncarnation);
	CPPUNIT_TEST(testKeepsNothing);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryLoadIsANewIncarnation()
	{
		MemoryHistoryStore store;
		const auto first = store.loadRoom("lobby", 100);
		CPPUNIT_ASSERT_MESSAGE(first.epoch, isEpoch(first.epoch));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), first.lastId);
		CPPUNIT_ASSERT(first.recent.empty());
		// A restart, or the room forgotten: a new epoch every time.
		std::set<std::string> epochs{first.epoch};
		for (int i = 0; i < 100; ++i) epochs.insert(store.loadRoom("lobby", 100).epoch);
		CPPUNIT_ASSERT_EQUAL(std::size_t(101), epochs.size());
	}

	void testKeepsNothing()
	{
		MemoryHistoryStore store;
		CPPUNIT_ASSERT(!store.keepsMessages());
		store.append("lobby", "e", message(1, "x"));
		CPPUNIT_ASSERT(store.flush());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), store.loadRoom("lobby", 100).lastId);
		store.close();
		CPPUNIT_ASSERT(contains(store.describe(), "memory"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SqliteHistoryStoreTest);
CPPUNIT_TEST_SUITE_REGISTRATION(MemoryHistoryStoreTest);
