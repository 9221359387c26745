#include "SqliteNickReservations.h"

#include "SqliteHistoryStore.h"

#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"

#include <algorithm>
#include <chrono>
#include <optional>
#include <vector>

using namespace Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;

namespace webchat::chatroom {

namespace {

// A failed write is retried after this long (its claims stay answered from memory).
constexpr auto RetryAfter = std::chrono::seconds(1);

std::unique_ptr<Session> openSession(const std::string& path)
{
	auto session = std::make_unique<Session>(new Poco::Data::SQLite::SessionImpl(path));
	*session << "PRAGMA busy_timeout = 5000", now;
	// A reservation lost to a power failure frees a nick, no more: the
	// writer's commits need not wait for the disk.
	*session << "PRAGMA synchronous = NORMAL", now;
	return session;
}

} // namespace

SqliteNickReservations::SqliteNickReservations(const std::string& path, std::int64_t lifetimeMs, std::size_t maxReservations, Poco::Logger& logger):
	_path(path),
	_lifetimeMs(lifetimeMs),
	_maxReservations(maxReservations < 1 ? 1 : maxReservations),
	_logger(logger)
{
	try
	{
		_reader = openSession(path);
		_writer = openSession(path);
		// Fails here, not at the first join, when the table is missing.
		Poco::Int64 rows = 0;
		*_reader << "SELECT count(*) FROM nick_reservations", into(rows), now;
	}
	catch (const std::exception& exc)
	{
		throw Poco::IOException("database = " + path + ": cannot keep nick reservations there: " + SqliteHistoryStore::explain(exc));
	}
	_thread = std::thread([this] { writerLoop(); });
}

SqliteNickReservations::~SqliteNickReservations()
{
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_stopping = true;
	}
	_wake.notify_all();
	if (_thread.joinable()) _thread.join();
}

NickReservations::Claim SqliteNickReservations::claim(const std::string& nickKey, const std::string& holder, std::int64_t nowMs)
{
	std::unique_lock<std::mutex> lock(_mutex);
	std::optional<Reservation> current;
	if (const auto queued = _queue.find(nickKey); queued != _queue.end())
	{
		current = queued->second;
	}
	else if (const auto writing = _inFlight.find(nickKey); writing != _inFlight.end())
	{
		current = writing->second;
	}
	else
	{
		try
		{
			std::vector<std::string> holders;
			std::vector<Poco::Int64> lastUsed;
			std::string key = nickKey;
			*_reader << "SELECT holder, last_used FROM nick_reservations WHERE nick_key = ?", use(key), into(holders), into(lastUsed), now;
			if (!holders.empty()) current = Reservation{holders.front(), lastUsed.front()};
		}
		catch (const std::exception& exc)
		{
			lock.unlock();
			_logger.error("nick reservations: cannot read " + _path + " (" + SqliteHistoryStore::explain(exc) + "); the nick is let in unreserved");
			return Claim::Unavailable;
		}
	}
	if (current && current->holder != holder && current->lastUsedMs + _lifetimeMs > nowMs) return Claim::Reserved;
	_queue[nickKey] = Reservation{holder, nowMs};
	const bool wakeWriter = _granted++ == _settled;
	lock.unlock();
	if (wakeWriter) _wake.notify_one();
	return Claim::Granted;
}

void SqliteNickReservations::flush()
{
	std::unique_lock<std::mutex> lock(_mutex);
	const std::uint64_t target = _granted;
	_wake.notify_one();
	_written.wait(lock, [&] { return _settled >= target || _stopping; });
}

void SqliteNickReservations::writerLoop()
{
	std::unique_lock<std::mutex> lock(_mutex);
	while (true)
	{
		_wake.wait(lock, [&] { return _stopping || !_queue.empty(); });
		if (_queue.empty()) break; // stopping, all written
		_inFlight.swap(_queue);
		const std::uint64_t taken = _granted;
		lock.unlock();
		// Expiry goes by the time the claims give (the newest of them),
		// the clock their lifetimes were measured with.
		std::int64_t nowMs = 0;
		for (const auto& entry : _inFlight) nowMs = std::max(nowMs, entry.second.lastUsedMs);
		bool written = write(_inFlight, nowMs);
		if (!written)
		{
			std::this_thread::sleep_for(RetryAfter);
			written = write(_inFlight, nowMs);
		}
		lock.lock();
		if (!written)
		{
			// Given up: claimed again, they are kept in memory meanwhile.
			for (auto& [key, reservation] : _inFlight) _queue.emplace(key, std::move(reservation));
		}
		_inFlight.clear();
		_settled = written ? taken : _settled;
		if (written) _written.notify_all();
		if (!written && _stopping) break;
	}
	_settled = _granted;
	_written.notify_all();
}

bool SqliteNickReservations::write(const std::map<std::string, Reservation>& batch, std::int64_t nowMs)
{
	Session& session = *_writer;
	try
	{
		session << "BEGIN IMMEDIATE", now;
		for (const auto& [key, reservation] : batch)
		{
			std::string nickKey = key;
			std::string holder = reservation.holder;
			Poco::Int64 lastUsed = reservation.lastUsedMs;
			session << "INSERT OR REPLACE INTO nick_reservations (nick_key, holder, last_used) VALUES (?, ?, ?)", use(nickKey), use(holder), use(lastUsed), now;
		}
		// Range deletes on the index by last use: cheap when there is
		// nothing to drop, which is the rule.
		Poco::Int64 expiredBefore = nowMs - _lifetimeMs;
		session << "DELETE FROM nick_reservations WHERE last_used <= ?", use(expiredBefore), now;
		Poco::Int64 rows = 0;
		session << "SELECT count(*) FROM nick_reservations", into(rows), now;
		if (rows > static_cast<Poco::Int64>(_maxReservations))
		{
			Poco::Int64 excess = rows - static_cast<Poco::Int64>(_maxReservations);
			session << "DELETE FROM nick_reservations WHERE nick_key IN (SELECT nick_key FROM nick_reservations ORDER BY last_used LIMIT ?)", use(excess), now;
		}
		session << "COMMIT", now;
		return true;
	}
	catch (const std::exception& exc)
	{
		_logger.error("nick reservations: cannot write " + std::to_string(batch.size()) + " to " + _path + " (" + SqliteHistoryStore::explain(exc) + ")");
		try
		{
			session << "ROLLBACK", now;
		}
		catch (const std::exception&)
		{
			// Not in a transaction (BEGIN failed): nothing to undo.
		}
		return false;
	}
}

std::string SqliteNickReservations::describe() const
{
	return "in " + _path + " (table nick_reservations), " + describeLimits(_lifetimeMs, _maxReservations);
}

} // namespace webchat::chatroom
