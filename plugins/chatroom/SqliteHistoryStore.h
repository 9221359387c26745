//
// SqliteHistoryStore.h
//
// backend = sqlite (the default): room history in one SQLite file through
// POCO Data, so it survives restarts with no setup.
//
// Writes never block an I/O thread: append() moves the message into a queue
// under a short mutex; a writer thread takes the whole queue once per batch
// window (batch_window_ms, default 100) and inserts it in one transaction.
// So a crash (SIGKILL, power loss) loses at most the messages of the last
// batch window (plus the commit's own few milliseconds); close() writes
// everything before it returns, so a clean shutdown loses nothing.
//
// The file: WAL journal (readers never wait for the writer, and a commit is
// one sequential append to the log) with synchronous=FULL: each commit is
// fsynced, which batching makes cheap (one fsync per batch window, not per
// message), and it extends the crash window above to power loss and OS
// crashes. synchronous=NORMAL would only protect against the process dying.
//
// Schema (version 3, in table schema_version; a file of an older version is
// brought up to it when opened):
//   rooms(id, name UNIQUE, epoch, last_id)     last_id survives retention,
//                                              so ids never go back; name is
//                                              the room's key (see below)
//   messages(room, id, ts, nick, text,         primary key (room, id),
//            from_id, verified, deleted_by)    WITHOUT ROWID; index on ts;
//                                              a tombstone has deleted_by
//                                              set, nick and text emptied
//                                              (secure_delete: the bytes
//                                              are overwritten)
//   nick_reservations(nick_key PRIMARY KEY,    SqliteNickReservations';
//            holder, last_used)                index on last_used
//   meta(key, value)                           clean_shutdown: 1 when the
//                                              last run closed the file;
//                                              room_keys: the keyVersion()
//                                              the names are keys of
//   bans, mutes, room_rules                    moderation, read and written
//                                              by SqliteModerationStore
// After a run that did not close cleanly the last batch may be lost, and
// with it ids the room will give again; every room then gets a new epoch so
// resuming clients reset instead of trusting those ids.
//
// Rooms are stored by the comparison key of their name (NameRules.h), the
// name the rooms give the store: `Lobby` after a restart finds the history
// `lobby` wrote, whichever spelling comes first, and a key is one row. A key
// is made with the ICU of the process that wrote it, so the file records
// which (room_keys) and, at open, when that differs (a file of a webchatd
// that stored names as typed, or an ICU upgrade), every row's name is made
// a key again, in the open's transaction (one SELECT and an UPDATE per
// changed row). Rows that then share a key (`Lobby` and `lobby` written
// apart before) cannot be merged (their ids overlap): the one with the
// highest last_id keeps the key and its history; the others are kept in
// the file under a name no room has (a U+001F before the old name and its
// row id; names refuse control characters) and logged, so nothing is
// deleted by an upgrade, and retention removes their messages in time.
//
// Retention, by the writer thread: retention_count per room for the rooms
// written since the last trim, in a transaction of its own after a batch at
// most once per TrimIntervalMs (and after a flush's or the shutdown's batch;
// one primary-key range delete per room), so a batch holds only its inserts;
// and in a pass at start and every hour; retention_days in that pass, in
// small transactions.
//

#ifndef WEBCHAT_CHATROOM_SQLITEHISTORYSTORE_INCLUDED
#define WEBCHAT_CHATROOM_SQLITEHISTORYSTORE_INCLUDED

#include "HistoryStore.h"
#include "ModerationSqlite.h"

#include "Poco/Logger.h"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace Poco::Data {
class Session;
}

namespace webchat::chatroom {

class SqliteHistoryStore final: public HistoryStore
{
public:
	struct Options
	{
		std::string path;                      // database: the file (absolute)
		std::int64_t batchWindowMs = 100;      // batch_window_ms
		std::uint64_t retentionCount = 10000;  // retention_count: per room; 0 keeps all
		std::int64_t retentionDays = 0;        // retention_days: 0 keeps them forever
		std::int64_t retentionIntervalMs = 60 * 60 * 1000; // between retention passes
		std::int64_t retryMs = 1000;           // after a failed batch
		std::int64_t busyTimeoutMs = 5000;     // waiting for another process's lock before a write fails
		std::size_t maxPendingMessages = 100000;   // max_pending_messages: waiting to be written (a slow or failing disk)...
		std::uint64_t maxPendingBytes = 64 << 20;  // max_pending_bytes: ...and their bytes; beyond either, new messages are not kept
		std::function<std::int64_t()> wallClockMs; // now, for retention by age (default: the system clock)
	};

	struct Stats
	{
		std::uint64_t batches = 0;         // transactions committed with messages
		std::uint64_t messagesWritten = 0;
		std::uint64_t failedBatches = 0;
		std::uint64_t messagesLost = 0;    // given up (writes kept failing until the stop)
		std::uint64_t messagesNotKept = 0; // delivered live but not kept: the pending bounds were full
		std::size_t pendingMessages = 0;   // waiting to be written now
		std::uint64_t pendingBytes = 0;
		std::uint64_t retentionPasses = 0;
		std::uint64_t deletedByCount = 0;
		std::uint64_t deletedByAge = 0;
	};

	/// What a failed SQLite call means for the operator, by the type of
	/// POCO's exception (Poco::Data::SQLite::*Exception, one per SQLite
	/// result code), never by its text.
	enum class Failure
	{
		NotADatabase, // SQLITE_NOTADB, SQLITE_CORRUPT: another kind of file, or a damaged one
		ReadOnly,     // SQLITE_READONLY: the file or its folder cannot be written
		Locked,       // SQLITE_BUSY, SQLITE_LOCKED: another process holds it past busy_timeout
		CannotOpen,   // SQLITE_CANTOPEN: the file (or its -wal, -shm) cannot be opened or created
		DiskFull,     // SQLITE_FULL
		DiskIo,       // SQLITE_IOERR: the disk or the file system failed
		AccessDenied, // SQLITE_PERM, SQLITE_AUTH
		Other         // anything else, SQLite's or not
	};

	static Failure classify(const std::exception& error);

	/// One line for the operator: what the failure means and, in brackets,
	/// the exception's own text (webchat/ErrorText.h); for Other only that
	/// text.
	static std::string explain(const std::exception& error);

	/// Opens the database, creating it and its folder when missing, checks
	/// it, then starts the writer thread. Throws Poco::Exception whose message
	/// starts with "database = <path>: " when the file cannot be used (a
	/// directory, an unwritable folder, not a SQLite file, another program's
	/// database, a newer schema...).
	SqliteHistoryStore(Options options, Poco::Logger& logger);
	~SqliteHistoryStore() override;

	SqliteHistoryStore(const SqliteHistoryStore&) = delete;
	SqliteHistoryStore& operator=(const SqliteHistoryStore&) = delete;

	Room loadRoom(const std::string& name, std::size_t maxMessages) override;
	std::vector<Message> loadBefore(const std::string& name, std::uint64_t before, std::size_t limit) override;
	void append(const std::string& room, const std::string& epoch, Message message) override;
	void tombstone(const std::string& room, const std::string& epoch, std::uint64_t id, const std::string& by) override;
	std::unique_ptr<ModerationStore> moderationStore(Poco::Logger& logger) override;
	bool flush() override;
	void close() override;
	std::string describe() const override;

	/// Has the writer thread run a retention pass now, and waits for it.
	void applyRetentionNow();

	/// Whether the previous run closed the file (false: rooms got new epochs).
	bool previousRunWasClean() const { return _previousRunClean; }

	Stats stats() const;

	void writeMetrics(MetricsWriter& writer) const override;

	/// Checks that path can be used as the database without opening or
	/// creating anything (webchatd --check-config, while another webchatd
	/// may hold the file): a file that is readable, writable and a SQLite
	/// database, or a place where one can be created. Throws
	/// Poco::IOException naming `database` and the path otherwise.
	static void checkUsable(const std::string& path);

private:
	struct Pending
	{
		std::string room;
		std::string epoch;
		Message message;
	};

	using Clock = std::chrono::steady_clock;

	enum class MissingFolder
	{
		Create,
		MustBeCreatable
	};
	static void checkPath(const std::string& path, MissingFolder missingFolder);
	void openDatabase();
	void rekeyRooms(Poco::Data::Session& session);
	// Up to limit rows of the room with ids below before, the newest of
	// them, oldest first.
	static std::vector<Message> readMessages(Poco::Data::Session& session, Poco::Int64 roomId, Poco::Int64 before, std::size_t limit);
	[[noreturn]] void fail(const std::string& problem) const;
	// What a queued message counts for against max_pending_bytes.
	static std::uint64_t pendingBytes(const Pending& pending);
	void writerLoop();
	bool writeBatch(const std::vector<Pending>& batch);
	// Trims the rooms of _trimDue to retention_count, in one transaction.
	void trimWrittenRooms();
	void applyRetention();
	void rollback();
	void markClosed(bool clean);
	void releasePath() const;

	const Options _options;
	Poco::Logger& _logger;
	bool _previousRunClean = true;

	// The writer thread's connection (the constructor's and close()'s
	// while the thread is not running).
	std::unique_ptr<Poco::Data::Session> _writer;
	// loadRoom()'s, one load at a time: loads are rare (a room's first use).
	std::mutex _readMutex;
	std::unique_ptr<Poco::Data::Session> _reader;

	mutable std::mutex _mutex;
	std::condition_variable _wake;    // the writer: messages, flush, retention, stop
	std::condition_variable _settled; // flush() and applyRetentionNow(): the writer progressed
	std::vector<Pending> _queue;      // appended, not yet taken by the writer
	std::vector<Pending> _inFlight;   // taken by the writer, not yet committed (loadRoom reads both)
	Clock::time_point _firstQueuedAt;
	std::uint64_t _queueBytes = 0;    // of _queue and of _inFlight, as pendingBytes counts them
	std::uint64_t _inFlightBytes = 0;
	std::uint64_t _notKeptUnlogged = 0; // not kept since the last log line
	Clock::time_point _notKeptLoggedAt;
	std::uint64_t _failureStreak = 0;  // the writer's: batches failed in a row
	std::uint64_t _appended = 0;      // messages appended so far...
	std::uint64_t _settledCount = 0;  // ...of which committed or given up (in append order)
	std::size_t _flushWaiters = 0;
	// The writer's: rooms written since their last trim that hold more than
	// retention_count, by row id, with their newest id.
	std::map<Poco::Int64, Poco::Int64> _trimDue;
	bool _retentionRequested = false;
	std::uint64_t _retentionStarted = 0;
	bool _stopping = false;
	bool _closed = false;
	Stats _stats;
	std::thread _thread;
};

} // namespace webchat::chatroom

#endif
