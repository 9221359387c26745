#include "SqliteHistoryStore.h"

#include "NameRules.h"

#include "webchat/ErrorText.h"
#include "webchat/platform/FolderAccess.h"

#include "Poco/Data/LOB.h"
#include "Poco/Data/SQLite/SQLiteException.h"
#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"
#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/NumberFormatter.h"
#include "Poco/Path.h"
#include "Poco/String.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <limits>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

using namespace Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;

namespace webchat::chatroom {

namespace {

constexpr Poco::Int64 SchemaVersion = 3;
constexpr std::int64_t DayMs = 24 * 60 * 60 * 1000;
// Rows deleted per transaction by age, so a first pass over a large backlog
// never holds the write lock (and the messages queued meanwhile) for long.
constexpr std::size_t AgeChunk = 1000;
// Rooms written are trimmed to retention_count at most this often (a
// room's file then holds at most this long's messages beyond it).
constexpr auto TrimInterval = std::chrono::seconds(1);
// Queue entries whose memory is kept between batches.
constexpr std::size_t MaxKeptCapacity = 16384;

// Databases this process has open: two listeners on one file would number
// the same rooms twice.
std::mutex openPathsMutex;
std::set<std::string> openPaths;

const char* const SchemaV1[] = {
	"CREATE TABLE schema_version (version INTEGER NOT NULL)",
	"CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
	"CREATE TABLE rooms (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, epoch TEXT NOT NULL, last_id INTEGER NOT NULL)",
	// Clustered by room and id: loading a room's newest messages and
	// trimming its oldest are both one range of the primary key.
	("CREATE TABLE messages (room INTEGER NOT NULL, id INTEGER NOT NULL, ts INTEGER NOT NULL,"
		" nick TEXT NOT NULL, text TEXT NOT NULL, PRIMARY KEY (room, id)) WITHOUT ROWID"),
	"CREATE INDEX messages_by_time ON messages (ts)",
	"INSERT INTO schema_version (version) VALUES (1)",
	"INSERT INTO meta (key, value) VALUES ('clean_shutdown', '1')"};

// From version 1 to 2: who said each message (its speaker's public id and
// whether a signed identity vouched for it; empty and 0 for the messages of
// version 1), and the nicks kept for their holders (SqliteNickReservations).
// ALTER TABLE ADD COLUMN with a constant default rewrites nothing: the
// migration takes no longer on a large database than on an empty one.
const char* const SchemaV2[] = {
	"ALTER TABLE messages ADD COLUMN from_id TEXT NOT NULL DEFAULT ''",
	"ALTER TABLE messages ADD COLUMN verified INTEGER NOT NULL DEFAULT 0",
	("CREATE TABLE nick_reservations (nick_key TEXT PRIMARY KEY, holder TEXT NOT NULL,"
		" last_used INTEGER NOT NULL) WITHOUT ROWID"),
	"CREATE INDEX nick_reservations_by_use ON nick_reservations (last_used)",
	"UPDATE schema_version SET version = 2"};

// From version 2 to 3: tombstones (a deleted message keeps its row, with
// nick and text emptied and deleted_by set) and moderation
// (SqliteModerationStore).
const char* const SchemaV3[] = {
	"ALTER TABLE messages ADD COLUMN deleted_by TEXT",
	("CREATE TABLE bans (id INTEGER PRIMARY KEY AUTOINCREMENT, room TEXT NOT NULL, nick TEXT NOT NULL, nick_key TEXT NOT NULL,"
		" holder TEXT NOT NULL, address TEXT NOT NULL, until_ms INTEGER NOT NULL, reason TEXT NOT NULL, banned_by TEXT NOT NULL)"),
	("CREATE TABLE mutes (room TEXT NOT NULL, nick TEXT NOT NULL, nick_key TEXT NOT NULL, holder TEXT NOT NULL,"
		" until_ms INTEGER NOT NULL, muted_by TEXT NOT NULL, PRIMARY KEY (room, nick_key))"),
	"CREATE TABLE room_rules (room TEXT PRIMARY KEY, slowmode_seconds INTEGER NOT NULL, topic TEXT NOT NULL, topic_by TEXT NOT NULL)",
	"UPDATE schema_version SET version = 3"};

std::int64_t systemWallClockMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string oneLine(std::string text)
{
	std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
	return text;
}

// What went wrong, for the operator: database = <path>: <problem>.
[[noreturn]] void failFor(const std::string& path, const std::string& problem)
{
	throw Poco::IOException("database = " + path + ": " + problem);
}

template <class... Types>
bool isOneOf(const std::exception& error)
{
	return (... || (dynamic_cast<const Types*>(&error) != nullptr));
}

SqliteHistoryStore::Options withDefaults(SqliteHistoryStore::Options options)
{
	if (!options.wallClockMs) options.wallClockMs = systemWallClockMs;
	// Relative: to the working directory (HistorySettings passes absolute
	// paths); the messages name the file absolutely.
	if (!options.path.empty()) options.path = Poco::Path(options.path).absolute().toString();
	return options;
}

std::string openSession(std::unique_ptr<Session>& session, const std::string& path, std::int64_t busyTimeoutMs)
{
	session = std::make_unique<Session>(new Poco::Data::SQLite::SessionImpl(path));
	// Another process (sqlite3 on the command line, a backup) may hold
	// the file briefly; wait for it rather than fail.
	*session << "PRAGMA busy_timeout = " + std::to_string(busyTimeoutMs), now;
	// WAL is a property of the file, kept once set; both sessions ask.
	std::string journal;
	*session << "PRAGMA journal_mode = WAL", into(journal), now;
	*session << "PRAGMA synchronous = FULL", now;
	// A deleted message's text is overwritten in the file, not only
	// unlinked from the table.
	*session << "PRAGMA secure_delete = ON", now;
	return journal;
}

} // namespace

SqliteHistoryStore::Failure SqliteHistoryStore::classify(const std::exception& error)
{
	using namespace Poco::Data::SQLite;
	// SQLITE_CORRUPT, SQLITE_NOTADB and SQLITE_FORMAT all arrive as
	// CorruptImageException.
	if (isOneOf<CorruptImageException>(error)) return Failure::NotADatabase;
	if (isOneOf<ReadOnlyException>(error)) return Failure::ReadOnly;
	if (isOneOf<DBLockedException, TableLockedException>(error)) return Failure::Locked;
	if (isOneOf<CantOpenDBFileException>(error)) return Failure::CannotOpen;
	if (isOneOf<DatabaseFullException>(error)) return Failure::DiskFull;
	if (isOneOf<IOErrorException>(error)) return Failure::DiskIo;
	if (isOneOf<DBAccessDeniedException, AuthorizationDeniedException>(error)) return Failure::AccessDenied;
	return Failure::Other;
}

std::string SqliteHistoryStore::explain(const std::exception& error)
{
	const std::string raw = oneLine(webchat::describe(error));
	switch (classify(error))
	{
	case Failure::NotADatabase: return "not a SQLite database, or corrupt (" + raw + ")";
	case Failure::ReadOnly: return "the database is read-only (" + raw + ")";
	case Failure::Locked: return "the database is locked by another process (" + raw + ")";
	case Failure::CannotOpen: return "cannot open or create the file (" + raw + ")";
	case Failure::DiskFull: return "the disk is full (" + raw + ")";
	case Failure::DiskIo: return "a disk I/O error (" + raw + ")";
	case Failure::AccessDenied: return "access denied (" + raw + ")";
	case Failure::Other: break;
	}
	return raw;
}

SqliteHistoryStore::SqliteHistoryStore(Options options, Poco::Logger& logger):
	_options(withDefaults(std::move(options))),
	_logger(logger)
{
	checkPath(_options.path, MissingFolder::Create);
	{
		std::lock_guard<std::mutex> lock(openPathsMutex);
		if (!openPaths.insert(_options.path).second) fail("already used by another listener of this webchatd; give each its own file");
	}
	try
	{
		openDatabase();
	}
	catch (...)
	{
		releasePath();
		throw;
	}
	_thread = std::thread([this] { writerLoop(); });
}

void SqliteHistoryStore::releasePath() const
{
	std::lock_guard<std::mutex> lock(openPathsMutex);
	openPaths.erase(_options.path);
}

SqliteHistoryStore::~SqliteHistoryStore()
{
	close();
}

void SqliteHistoryStore::fail(const std::string& problem) const
{
	failFor(_options.path, problem);
}

void SqliteHistoryStore::checkUsable(const std::string& path)
{
	checkPath(path, MissingFolder::MustBeCreatable);
	Poco::File file(path);
	if (!file.exists() || file.getSize() == 0) return;
	// What SQLite itself checks first: the file's 16-byte header.
	static const char header[] = "SQLite format 3";
	char start[sizeof header] = {};
	Poco::FileInputStream in(path);
	in.read(start, sizeof start);
	if (in.gcount() != static_cast<std::streamsize>(sizeof start) || std::memcmp(start, header, sizeof start) != 0)
		failFor(path, "not a SQLite database, or corrupt");
}

void SqliteHistoryStore::checkPath(const std::string& name, MissingFolder missingFolder)
{
	if (name.empty()) failFor(name, "expected the path of a file");
	// Clear words for what SQLite would only call "unable to open".
	const Poco::Path path(name);
	Poco::File file(path);
	if (file.exists() && file.isDirectory()) failFor(name, "is a directory; name a file in it (e.g. chat.db)");
	const Poco::Path parent = path.parent();
	Poco::File folder(parent);
	if (!folder.exists() && missingFolder == MissingFolder::MustBeCreatable)
	{
		// The nearest folder that exists must let us create the rest.
		Poco::Path existing = parent;
		while (existing.depth() > 0 && !Poco::File(existing).exists()) existing = existing.parent();
		if (!platform::canWriteFolder(existing.toString()))
			failFor(name, "cannot create its folder " + parent.toString() + " (" + existing.toString() + " is not a writable directory)");
		return;
	}
	if (!folder.exists())
	{
		try
		{
			folder.createDirectories();
		}
		catch (const Poco::Exception& exc)
		{
			failFor(name, "cannot create its folder " + parent.toString() + " (" + oneLine(exc.displayText()) + ")");
		}
	}
	if (!folder.isDirectory()) failFor(name, parent.toString() + " is not a directory");
	// SQLite writes its -wal and -shm files beside the database.
	if (!platform::canWriteFolder(parent.toString())) failFor(name, "its folder " + parent.toString() + " is not writable");
	if (file.exists() && (!file.canRead() || !file.canWrite())) failFor(name, "the file is not readable and writable");
}

void SqliteHistoryStore::openDatabase()
{
	std::string problem;
	try
	{
		const std::string journal = openSession(_writer, _options.path, _options.busyTimeoutMs);
		if (Poco::toLower(journal) != "wal")
			_logger.warning("history: " + _options.path + " stays in journal mode " + journal + " (WAL is not available there): loads may wait for writes");
		Session& session = *_writer;
		session << "BEGIN IMMEDIATE", now;
		std::vector<std::string> tables;
		session << "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", into(tables), now;
		Poco::Int64 version = 0;
		if (tables.empty())
		{
			for (const char* sql : SchemaV1) session << sql, now;
			version = 1;
		}
		else if (std::find(tables.begin(), tables.end(), "schema_version") == tables.end())
		{
			problem = "not a webchat history database (it has other tables: " + tables.front() + "...); name another file";
		}
		else
		{
			std::vector<Poco::Int64> versions;
			session << "SELECT version FROM schema_version", into(versions), now;
			version = versions.empty() ? 0 : *std::max_element(versions.begin(), versions.end());
			if (version > SchemaVersion)
			{
				problem = "schema version " + std::to_string(version) + " is newer than this webchatd knows (" +
					std::to_string(SchemaVersion) + "); run a newer webchatd or name another file";
			}
			else if (version < 1)
			{
				problem = "no valid schema version in table schema_version; name another file";
			}
		}
		if (problem.empty() && version < 3)
		{
			// In the same transaction as the checks: a migration is whole or
			// not at all.
			if (version < 2) for (const char* sql : SchemaV2) session << sql, now;
			for (const char* sql : SchemaV3) session << sql, now;
			if (!tables.empty()) _logger.information("history: " + _options.path + " migrated from schema version " + std::to_string(version) + " to 3");
		}
		if (problem.empty())
		{
			std::vector<std::string> clean;
			session << "SELECT value FROM meta WHERE key = 'clean_shutdown'", into(clean), now;
			if (clean.empty() || clean.front() != "1")
			{
				// The last batch of that run may be lost and its ids given
				// again: a new epoch per room tells resuming clients so.
				_previousRunClean = false;
				Statement rotate(session);
				rotate << "UPDATE rooms SET epoch = lower(hex(randomblob(8)))";
				const std::size_t rooms = rotate.execute();
				_logger.warning("history: " + _options.path + " was not closed by its last user (a crash or SIGKILL?): up to its last batch of messages may be lost; " +
					std::to_string(rooms) + " rooms get a new epoch, so resuming clients reload them");
			}
			rekeyRooms(session);
			session << "INSERT OR REPLACE INTO meta (key, value) VALUES ('clean_shutdown', '0')", now;
			session << "COMMIT", now;
			openSession(_reader, _options.path, _options.busyTimeoutMs);
		}
	}
	catch (const std::exception& exc)
	{
		problem = explain(exc);
	}
	if (!problem.empty())
	{
		// Closing the sessions rolls back whatever was begun.
		_reader.reset();
		_writer.reset();
		fail(problem);
	}
}

void SqliteHistoryStore::rekeyRooms(Session& session)
{
	std::string version = NameRules::keyVersion();
	std::vector<std::string> recorded;
	session << "SELECT value FROM meta WHERE key = 'room_keys'", into(recorded), now;
	if (!recorded.empty() && recorded.front() == version) return;

	struct Row
	{
		Poco::Int64 id;
		std::string name;
		Poco::Int64 lastId;
	};
	std::vector<Poco::Int64> ids;
	std::vector<std::string> names;
	std::vector<Poco::Int64> lastIds;
	session << "SELECT id, name, last_id FROM rooms WHERE substr(name, 1, 1) <> char(31)", into(ids), into(names), into(lastIds), now;
	std::map<std::string, std::vector<Row>> byKey;
	for (std::size_t i = 0; i < ids.size(); ++i) byKey[NameRules::comparisonKey(names[i])].push_back(Row{ids[i], names[i], lastIds[i]});
	std::size_t rekeyed = 0;
	std::string retired;
	for (auto& [key, rows] : byKey)
	{
		// The busiest first: it keeps the key.
		std::sort(rows.begin(), rows.end(), [](const Row& a, const Row& b) { return a.lastId != b.lastId ? a.lastId > b.lastId : a.id < b.id; });
		// The others first, so the key is free when the first takes it.
		for (std::size_t i = 1; i < rows.size(); ++i)
		{
			std::string name = "\x1F" + std::to_string(rows[i].id) + " " + rows[i].name;
			session << "UPDATE rooms SET name = ? WHERE id = ?", use(name), use(rows[i].id), now;
			retired += (retired.empty() ? "" : ", ") + rows[i].name + " (" + std::to_string(rows[i].lastId) + " messages)";
		}
		if (rows.front().name == key) continue;
		std::string name = key;
		session << "UPDATE rooms SET name = ? WHERE id = ?", use(name), use(rows.front().id), now;
		++rekeyed;
	}
	session << "INSERT OR REPLACE INTO meta (key, value) VALUES ('room_keys', ?)", use(version), now;
	if (rekeyed > 0) _logger.information("history: " + _options.path + ": " + std::to_string(rekeyed) + " rooms are now stored by the key of their name (" + version + ")");
	if (!retired.empty())
		_logger.warning("history: " + _options.path + ": rooms whose names are now one name with another's, kept in the file but no longer shown: " + retired);
}

std::vector<HistoryStore::Message> SqliteHistoryStore::readMessages(Session& session, Poco::Int64 roomId, Poco::Int64 before, std::size_t limit)
{
	std::vector<Poco::Int64> ids;
	std::vector<Poco::Int64> times;
	std::vector<std::string> nicks;
	std::vector<std::string> froms;
	std::vector<Poco::Int64> verified;
	// As a CLOB: POCO reads a std::string up to its first NUL, and a text
	// may hold U+0000.
	std::vector<Poco::Data::CLOB> texts;
	std::vector<std::string> deletedBy;
	Poco::Int64 count = static_cast<Poco::Int64>(limit);
	// One range of the primary key, read backwards.
	session << "SELECT id, ts, nick, text, from_id, verified, coalesce(deleted_by, '') FROM messages WHERE room = ? AND id < ? ORDER BY id DESC LIMIT ?",
		use(roomId), use(before), use(count), into(ids), into(times), into(nicks), into(texts), into(froms), into(verified), into(deletedBy), now;
	std::vector<Message> messages;
	messages.reserve(ids.size());
	for (std::size_t i = ids.size(); i-- > 0;)
	{
		Message message;
		message.id = static_cast<std::uint64_t>(ids[i]);
		message.ts = times[i];
		message.nick = std::move(nicks[i]);
		message.from = std::move(froms[i]);
		message.verified = verified[i] != 0;
		message.text.assign(texts[i].rawContent(), texts[i].size());
		message.deletedBy = std::move(deletedBy[i]);
		messages.push_back(std::move(message));
	}
	return messages;
}

std::vector<HistoryStore::Message> SqliteHistoryStore::loadBefore(const std::string& name, std::uint64_t before, std::size_t limit)
{
	if (limit == 0 || before <= 1) return {};
	// A moderator may have deleted one of them within the batch window.
	std::vector<Message> pendingTombstones;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto* list : {&_inFlight, &_queue})
			for (const Pending& entry : *list)
				if (entry.room == name && !entry.message.deletedBy.empty() && entry.message.id < before) pendingTombstones.push_back(entry.message);
	}
	std::vector<Message> messages;
	{
		std::lock_guard<std::mutex> lock(_readMutex);
		if (!_reader) throw Poco::IllegalStateException("history: loadBefore() after close()");
		Session& session = *_reader;
		std::vector<Poco::Int64> roomIds;
		std::string key = name;
		session << "SELECT id FROM rooms WHERE name = ?", use(key), into(roomIds), now;
		if (roomIds.empty()) return {};
		const Poco::Int64 below = static_cast<Poco::Int64>(std::min<std::uint64_t>(before, std::numeric_limits<Poco::Int64>::max()));
		messages = readMessages(session, roomIds.front(), below, limit);
	}
	for (const Message& tombstone : pendingTombstones)
	{
		const auto it = std::find_if(messages.begin(), messages.end(), [&](const Message& message) { return message.id == tombstone.id; });
		if (it != messages.end()) *it = tombstone;
	}
	return messages;
}

HistoryStore::Room SqliteHistoryStore::loadRoom(const std::string& name, std::size_t maxMessages)
{
	// First what the writer has not committed: the room may have been
	// forgotten and come back within a batch window. Taken before the
	// SELECTs, so whatever the writer commits meanwhile is in one or the
	// other (duplicates are dropped by id below). A scan of at most one batch
	// window's messages, on a room's first use only.
	std::vector<Message> pending;
	std::vector<Message> pendingTombstones;
	std::string pendingEpoch;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto* list : {&_inFlight, &_queue})
		{
			for (const Pending& entry : *list)
			{
				if (entry.room != name) continue;
				pendingEpoch = entry.epoch;
				(entry.message.deletedBy.empty() ? pending : pendingTombstones).push_back(entry.message);
			}
		}
	}

	Room room;
	{
		// On the I/O thread that first needs the room: two indexed SELECTs
		// (the room by its unique name, then its newest rows by primary key,
		// read backwards), a fraction of a millisecond for history_size 100.
		// Preloading every room at start would cost memory for rooms nobody
		// visits and make start-up time grow with the database.
		std::lock_guard<std::mutex> lock(_readMutex);
		if (!_reader) throw Poco::IllegalStateException("history: loadRoom() after close()");
		Session& session = *_reader;
		std::vector<Poco::Int64> roomIds;
		std::vector<std::string> epochs;
		std::vector<Poco::Int64> lastIds;
		std::string key = name;
		session << "SELECT id, epoch, last_id FROM rooms WHERE name = ?", use(key), into(roomIds), into(epochs), into(lastIds), now;
		if (!roomIds.empty())
		{
			room.epoch = epochs.front();
			room.lastId = static_cast<std::uint64_t>(lastIds.front());
			if (maxMessages > 0) room.recent = readMessages(session, roomIds.front(), std::numeric_limits<Poco::Int64>::max(), maxMessages);
		}
	}

	if (room.epoch.empty()) room.epoch = pending.empty() ? newEpoch() : pendingEpoch;
	const std::uint64_t newestRow = room.recent.empty() ? 0 : room.recent.back().id;
	for (Message& message : pending)
	{
		if (message.id > newestRow) room.recent.push_back(std::move(message));
	}
	for (const Message& tombstone : pendingTombstones)
	{
		const auto it = std::find_if(room.recent.begin(), room.recent.end(), [&](const Message& message) { return message.id == tombstone.id; });
		if (it != room.recent.end()) *it = tombstone;
	}
	if (!room.recent.empty()) room.lastId = std::max(room.lastId, room.recent.back().id);
	keepNewestRun(room, maxMessages);
	return room;
}

void SqliteHistoryStore::append(const std::string& room, const std::string& epoch, Message message)
{
	// Copied before taking the mutex: under it, only a move.
	Pending pending{room, epoch, std::move(message)};
	const std::uint64_t bytes = pendingBytes(pending);
	bool wakeWriter = false;
	std::uint64_t notKeptToLog = 0;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_stopping)
		{
			++_stats.messagesLost;
			return;
		}
		// A disk that is slow or failing must not cost unbounded memory:
		// beyond the bounds a message is delivered live but not kept, and
		// that is said once a minute with a count.
		if (_queue.size() + _inFlight.size() >= _options.maxPendingMessages || _queueBytes + _inFlightBytes + bytes > _options.maxPendingBytes)
		{
			++_stats.messagesNotKept;
			++_notKeptUnlogged;
			const auto now = Clock::now();
			if (now - _notKeptLoggedAt >= std::chrono::minutes(1))
			{
				notKeptToLog = _notKeptUnlogged;
				_notKeptUnlogged = 0;
				_notKeptLoggedAt = now;
			}
		}
		else
		{
			// The writer sleeps until a batch starts, then for one window:
			// one wake-up per batch, not per message.
			wakeWriter = _queue.empty();
			if (wakeWriter) _firstQueuedAt = Clock::now();
			_queue.push_back(std::move(pending));
			_queueBytes += bytes;
			++_appended;
		}
	}
	if (wakeWriter) _wake.notify_one();
	if (notKeptToLog > 0)
	{
		_logger.error("history: " + std::to_string(notKeptToLog) + " messages delivered but not kept: " + std::to_string(_options.maxPendingMessages) +
			" messages or " + std::to_string(_options.maxPendingBytes) + " bytes already wait to be written to " + _options.path +
			" (max_pending_messages, max_pending_bytes); is its disk full or failing?");
	}
}

void SqliteHistoryStore::tombstone(const std::string& room, const std::string& epoch, std::uint64_t id, const std::string& by)
{
	// In the same queue as the messages: written after the message it
	// deletes, whatever the batches.
	Message deletion;
	deletion.id = id;
	deletion.deletedBy = by;
	append(room, epoch, std::move(deletion));
}

std::unique_ptr<ModerationStore> SqliteHistoryStore::moderationStore(Poco::Logger&)
{
	return std::make_unique<SqliteModerationStore>(_options.path, _options.busyTimeoutMs);
}

bool SqliteHistoryStore::flush()
{
	std::unique_lock<std::mutex> lock(_mutex);
	const std::uint64_t target = _appended;
	const std::uint64_t failures = _stats.failedBatches;
	const std::uint64_t lost = _stats.messagesLost;
	if (_settledCount >= target) return true;
	if (_closed) return false;
	++_flushWaiters;
	_wake.notify_one();
	_settled.wait(lock, [&] { return _settledCount >= target || _stats.failedBatches != failures; });
	--_flushWaiters;
	return _settledCount >= target && _stats.messagesLost == lost && _stats.failedBatches == failures;
}

void SqliteHistoryStore::applyRetentionNow()
{
	std::unique_lock<std::mutex> lock(_mutex);
	if (_closed) return;
	// A pass that started before this request may have read the clock
	// already: wait for one that starts after it.
	const std::uint64_t target = _retentionStarted + 1;
	_retentionRequested = true;
	_wake.notify_one();
	_settled.wait(lock, [&] { return _stats.retentionPasses >= target || _stopping; });
}

std::uint64_t SqliteHistoryStore::pendingBytes(const Pending& pending)
{
	// What it holds, and roughly what holding it costs beside.
	return pending.room.size() + pending.epoch.size() + pending.message.nick.size() + pending.message.from.size() + pending.message.text.size() + sizeof(Pending);
}

void SqliteHistoryStore::writeMetrics(MetricsWriter& writer) const
{
	const Stats now = stats();
	writer.gauge("webchat_history_pending_messages", "Messages waiting to be written to the history database.", {}, static_cast<double>(now.pendingMessages));
	writer.gauge("webchat_history_pending_bytes", "Bytes of the messages waiting to be written to the history database.", {}, static_cast<double>(now.pendingBytes));
	writer.counter("webchat_history_not_kept_total", "Messages delivered but not kept: the pending bounds were full (max_pending_messages, max_pending_bytes).",
		{}, static_cast<double>(now.messagesNotKept));
}

SqliteHistoryStore::Stats SqliteHistoryStore::stats() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	Stats stats = _stats;
	stats.pendingMessages = _queue.size() + _inFlight.size();
	stats.pendingBytes = _queueBytes + _inFlightBytes;
	return stats;
}

std::string SqliteHistoryStore::describe() const
{
	std::string text = "sqlite " + _options.path + " (batch window " + std::to_string(_options.batchWindowMs) + " ms, ";
	text += _options.retentionCount > 0 ? "keeps " + std::to_string(_options.retentionCount) + " messages per room" : "keeps every message";
	text += _options.retentionDays > 0 ? " for " + std::to_string(_options.retentionDays) + " days)" : ", no age limit)";
	return text;
}

void SqliteHistoryStore::writerLoop()
{
	const auto window = std::chrono::milliseconds(_options.batchWindowMs);
	const auto retryDelay = std::chrono::milliseconds(_options.retryMs);
	const auto retentionInterval = std::chrono::milliseconds(_options.retentionIntervalMs);
	Clock::time_point nextRetention = Clock::now(); // a first pass at start
	Clock::time_point nextTrim = Clock::now();
	Clock::time_point retryAt = Clock::time_point::min();

	std::unique_lock<std::mutex> lock(_mutex);
	for (;;)
	{
		const Clock::time_point now = Clock::now();
		// A flush or the shutdown does not wait for the window to end.
		const bool hurry = _stopping || _flushWaiters > 0;
		const Clock::time_point writeAt = std::max(retryAt, hurry ? now : _firstQueuedAt + window);
		if (!_queue.empty() && now >= writeAt)
		{
			_inFlight.swap(_queue);
			_inFlightBytes = _queueBytes;
			_queueBytes = 0;
			lock.unlock();
			// _inFlight is only read while unlocked: loadRoom() reads it too.
			const bool written = writeBatch(_inFlight);
			// Trimmed after the batch, not in it; before a flush or the
			// shutdown is told the batch is settled, so it sees the trim.
			if (written && !_trimDue.empty() && (hurry || Clock::now() >= nextTrim))
			{
				trimWrittenRooms();
				nextTrim = Clock::now() + TrimInterval;
			}
			lock.lock();
			if (written)
			{
				_settledCount += _inFlight.size();
				++_stats.batches;
				_stats.messagesWritten += _inFlight.size();
				_inFlight.clear();
				_inFlightBytes = 0;
				// A burst's capacity is not kept for ever (the queue and
				// this vector swap roles batch after batch).
				if (_inFlight.capacity() > MaxKeptCapacity) std::vector<Pending>().swap(_inFlight);
				retryAt = Clock::time_point::min();
			}
			else
			{
				++_stats.failedBatches;
				// Kept for the next attempt, ahead of what came meanwhile
				// (append() keeps the whole within the pending bounds);
				// given up at shutdown.
				_inFlight.insert(_inFlight.end(), std::make_move_iterator(_queue.begin()), std::make_move_iterator(_queue.end()));
				_queue.swap(_inFlight);
				_inFlight.clear();
				_queueBytes += _inFlightBytes;
				_inFlightBytes = 0;
				if (_stopping && !_queue.empty())
				{
					const std::size_t drop = _queue.size();
					_queue.clear();
					_queueBytes = 0;
					_settledCount += drop;
					_stats.messagesLost += drop;
					_logger.error("history: gave up writing " + std::to_string(drop) + " messages to " + _options.path);
				}
				_firstQueuedAt = Clock::now();
				retryAt = _firstQueuedAt + retryDelay;
			}
			_settled.notify_all();
			continue;
		}
		if (!_stopping && (_retentionRequested || now >= nextRetention))
		{
			_retentionRequested = false;
			++_retentionStarted;
			lock.unlock();
			applyRetention();
			lock.lock();
			++_stats.retentionPasses;
			nextRetention = Clock::now() + retentionInterval;
			_settled.notify_all();
			continue;
		}
		if (!_trimDue.empty() && now >= nextTrim)
		{
			// Due, and no batch came to take it along.
			lock.unlock();
			trimWrittenRooms();
			lock.lock();
			nextTrim = Clock::now() + TrimInterval;
			continue;
		}
		if (_stopping && _queue.empty()) break;
		Clock::time_point wakeAt = _stopping ? writeAt : nextRetention;
		if (!_trimDue.empty()) wakeAt = std::min(wakeAt, nextTrim);
		if (!_queue.empty()) wakeAt = std::min(wakeAt, writeAt);
		_wake.wait_until(lock, wakeAt);
	}
	_settled.notify_all();
}

bool SqliteHistoryStore::writeBatch(const std::vector<Pending>& batch)
{
	// Columns per room, in id order (the order of append() under each
	// room's lock), bound as vectors: one prepared INSERT run per row.
	struct RoomRows
	{
		std::string name;
		std::string epoch;
		std::vector<Poco::Int64> ids;
		std::vector<Poco::Int64> times;
		std::vector<std::string> nicks;
		std::vector<std::string> texts;
		std::vector<std::string> froms;
		std::vector<Poco::Int64> verified;
		std::vector<Poco::Int64> deletedIds; // tombstones, written after the rows
		std::vector<std::string> deletedBy;
	};
	std::vector<RoomRows> rooms;
	std::unordered_map<std::string_view, std::size_t> index;
	for (const Pending& entry : batch)
	{
		const auto [it, added] = index.emplace(entry.room, rooms.size());
		if (added) rooms.push_back(RoomRows{entry.room, entry.epoch, {}, {}, {}, {}, {}, {}, {}, {}});
		RoomRows& rows = rooms[it->second];
		if (!entry.message.deletedBy.empty())
		{
			rows.deletedIds.push_back(static_cast<Poco::Int64>(entry.message.id));
			rows.deletedBy.push_back(entry.message.deletedBy);
			continue;
		}
		rows.ids.push_back(static_cast<Poco::Int64>(entry.message.id));
		rows.times.push_back(entry.message.ts);
		rows.nicks.push_back(entry.message.nick);
		rows.texts.push_back(entry.message.text);
		rows.froms.push_back(entry.message.from);
		rows.verified.push_back(entry.message.verified ? 1 : 0);
	}

	Session& session = *_writer;
	// The rooms written and their newest ids, for trimWrittenRooms() once
	// committed.
	std::vector<std::pair<Poco::Int64, Poco::Int64>> trims;
	std::string problem;
	try
	{
		session << "BEGIN IMMEDIATE", now;
		for (RoomRows& rows : rooms)
		{
			session << "INSERT OR IGNORE INTO rooms (name, epoch, last_id) VALUES (?, ?, 0)", use(rows.name), use(rows.epoch), now;
			Poco::Int64 roomId = 0;
			session << "SELECT id FROM rooms WHERE name = ?", use(rows.name), into(roomId), now;
			if (!rows.ids.empty())
			{
				std::vector<Poco::Int64> roomIds(rows.ids.size(), roomId);
				// OR REPLACE: ids are never written twice by one process, and
				// should two processes share the file against the advice, the
				// newest row wins instead of the writer failing forever.
				session << "INSERT OR REPLACE INTO messages (room, id, ts, nick, text, from_id, verified) VALUES (?, ?, ?, ?, ?, ?, ?)",
					use(roomIds), use(rows.ids), use(rows.times), use(rows.nicks), use(rows.texts), use(rows.froms), use(rows.verified), now;
				Poco::Int64 lastId = rows.ids.back();
				session << "UPDATE rooms SET last_id = max(last_id, ?) WHERE id = ?", use(lastId), use(roomId), now;
				trims.emplace_back(roomId, lastId);
			}
			// After the rows: a message deleted within its batch window is
			// inserted first, then emptied.
			if (!rows.deletedIds.empty())
			{
				std::vector<Poco::Int64> deletedRooms(rows.deletedIds.size(), roomId);
				session << "UPDATE messages SET nick = '', text = '', from_id = '', verified = 0, deleted_by = ? WHERE room = ? AND id = ?",
					use(rows.deletedBy), use(deletedRooms), use(rows.deletedIds), now;
			}
		}
		session << "COMMIT", now;
	}
	catch (const std::exception& exc)
	{
		problem = explain(exc);
	}
	if (!problem.empty())
	{
		// Once a minute or so while it lasts, not at every retry.
		if (_failureStreak++ % 60 == 0)
		{
			_logger.error("history: cannot write " + std::to_string(batch.size()) + " messages to " + _options.path + ": " +
				problem + "; they are kept and retried");
		}
		rollback();
		return false;
	}
	if (_failureStreak > 0)
	{
		_logger.notice("history: writing to " + _options.path + " again after " + std::to_string(_failureStreak) + " failed attempts");
		_failureStreak = 0;
	}
	const auto keep = static_cast<Poco::Int64>(_options.retentionCount);
	for (const auto& [roomId, lastId] : trims)
	{
		if (keep > 0 && lastId > keep)
		{
			Poco::Int64& due = _trimDue[roomId];
			due = std::max(due, lastId);
		}
	}
	return true;
}

void SqliteHistoryStore::trimWrittenRooms()
{
	// Each a range of the primary key: what the batches since the last trim
	// pushed past retention_count.
	Session& session = *_writer;
	const auto keep = static_cast<Poco::Int64>(_options.retentionCount);
	std::uint64_t deleted = 0;
	std::string problem;
	try
	{
		session << "BEGIN IMMEDIATE", now;
		for (const auto& [id, lastId] : _trimDue)
		{
			Poco::Int64 roomId = id;
			Poco::Int64 upTo = lastId - keep;
			Statement trim(session);
			trim << "DELETE FROM messages WHERE room = ? AND id <= ?", use(roomId), use(upTo);
			deleted += trim.execute();
		}
		session << "COMMIT", now;
	}
	catch (const std::exception& exc)
	{
		problem = explain(exc);
	}
	if (!problem.empty())
	{
		// Kept due: tried again after the next batch (and the hourly pass
		// trims every room anyway).
		_logger.error("history: cannot trim rooms to retention_count in " + _options.path + ": " + problem);
		rollback();
		return;
	}
	_trimDue.clear();
	std::lock_guard<std::mutex> lock(_mutex);
	_stats.deletedByCount += deleted;
}

void SqliteHistoryStore::applyRetention()
{
	Session& session = *_writer;
	std::uint64_t byCount = 0;
	std::uint64_t byAge = 0;
	std::string problem;
	try
	{
		// By count: rooms written are trimmed after their batches already;
		// this catches a retention_count lowered since.
		const auto keep = static_cast<Poco::Int64>(_options.retentionCount);
		if (keep > 0)
		{
			std::vector<Poco::Int64> roomIds;
			std::vector<Poco::Int64> lastIds;
			Poco::Int64 threshold = keep;
			session << "SELECT id, last_id FROM rooms WHERE last_id > ?", use(threshold), into(roomIds), into(lastIds), now;
			if (!roomIds.empty())
			{
				session << "BEGIN IMMEDIATE", now;
				for (std::size_t i = 0; i < roomIds.size(); ++i)
				{
					Poco::Int64 roomId = roomIds[i];
					Poco::Int64 upTo = lastIds[i] - keep;
					Statement trim(session);
					trim << "DELETE FROM messages WHERE room = ? AND id <= ?", use(roomId), use(upTo);
					byCount += trim.execute();
				}
				session << "COMMIT", now;
			}
		}
		if (_options.retentionDays > 0)
		{
			Poco::Int64 cutoff = _options.wallClockMs() - _options.retentionDays * DayMs;
			Poco::Int64 chunk = static_cast<Poco::Int64>(AgeChunk);
			for (;;)
			{
				Statement trim(session);
				trim << "DELETE FROM messages WHERE (room, id) IN (SELECT room, id FROM messages WHERE ts < ? LIMIT ?)", use(cutoff), use(chunk);
				const std::size_t deleted = trim.execute();
				byAge += deleted;
				if (deleted < AgeChunk) break;
				std::lock_guard<std::mutex> lock(_mutex);
				if (_stopping) break;
			}
		}
	}
	catch (const std::exception& exc)
	{
		problem = explain(exc);
	}
	if (!problem.empty())
	{
		_logger.error("history: retention in " + _options.path + " failed: " + problem + "; retried at the next pass");
		rollback();
	}
	if (byCount + byAge > 0)
	{
		_logger.information("history: retention removed " + std::to_string(byCount) + " messages beyond retention_count and " +
			std::to_string(byAge) + " older than retention_days");
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_stats.deletedByCount += byCount;
	_stats.deletedByAge += byAge;
}

void SqliteHistoryStore::rollback()
{
	try
	{
		*_writer << "ROLLBACK", now;
	}
	catch (const Poco::Exception&)
	{
		// No transaction was open (BEGIN itself failed, or the error ended it).
	}
}

void SqliteHistoryStore::close()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (_closed) return;
		_closed = true;
		_stopping = true;
	}
	_wake.notify_all();
	if (_thread.joinable()) _thread.join();
	const Stats done = stats();
	// Ids not in the file (given up, or never kept) must not be given again
	// to other messages: an unclean close makes the next start rotate the
	// rooms' epochs.
	markClosed(done.messagesLost == 0 && done.messagesNotKept == 0);
	{
		std::lock_guard<std::mutex> lock(_readMutex);
		_reader.reset();
	}
	// The last connection to close checkpoints the log into the file.
	_writer.reset();
	releasePath();
	_logger.information("history: " + _options.path + " closed; " + std::to_string(done.messagesWritten) + " messages written in " +
		std::to_string(done.batches) + " batches" + (done.messagesLost ? ", " + std::to_string(done.messagesLost) + " lost" : std::string()));
}

void SqliteHistoryStore::markClosed(bool clean)
{
	if (!_writer) return;
	if (!clean)
	{
		_logger.error("history: " + _options.path + ": some messages could not be written; the next start gives every room a new epoch");
		return;
	}
	try
	{
		*_writer << "UPDATE meta SET value = '1' WHERE key = 'clean_shutdown'", now;
	}
	catch (const Poco::Exception& exc)
	{
		_logger.error("history: " + _options.path + ": cannot record the clean shutdown (" + explain(exc) + "); the next start gives every room a new epoch");
	}
}

} // namespace webchat::chatroom
