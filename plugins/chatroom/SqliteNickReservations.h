//
// SqliteNickReservations.h
//
// backend = sqlite: nick reservations in the history database's table
// nick_reservations (nick_key, holder, last_used; SqliteHistoryStore creates
// it), so they hold across restarts.
//
// What claim() blocks on, on a join thread (JoinQueue.h): one
// mutex (other claims), held for one indexed SELECT by primary key on its own connection
// (WAL: a read never waits for a writer), tens of microseconds, as a room's
// loadRoom() does. The write that records a claim is queued for a writer
// thread of its own (one transaction per burst of claims), so a slow disk
// or the history writer's commit never stalls a join; claims not yet
// written are answered from the queue. A crash loses at most the claims of
// the last moment: their nicks are free again, nothing worse.
//
// The writer also drops reservations past their lifetime, and the oldest
// beyond maxReservations.
//

#ifndef WEBCHAT_CHATROOM_SQLITENICKRESERVATIONS_INCLUDED
#define WEBCHAT_CHATROOM_SQLITENICKRESERVATIONS_INCLUDED

#include "NickReservations.h"

#include "Poco/Logger.h"

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

namespace Poco::Data {
class Session;
}

namespace webchat::chatroom {

class SqliteNickReservations final: public NickReservations
{
public:
	/// path: the history database, opened (so created and migrated) by a
	/// SqliteHistoryStore before. Throws Poco::Exception when it cannot be
	/// opened.
	SqliteNickReservations(const std::string& path, std::int64_t lifetimeMs, std::size_t maxReservations, Poco::Logger& logger);
	~SqliteNickReservations() override;

	SqliteNickReservations(const SqliteNickReservations&) = delete;
	SqliteNickReservations& operator=(const SqliteNickReservations&) = delete;

	Claim claim(const std::string& nickKey, const std::string& holder, std::int64_t nowMs) override;
	std::string describe() const override;

	/// Waits until every claim granted so far is written (tests, shutdown).
	void flush();

private:
	struct Reservation
	{
		std::string holder;
		std::int64_t lastUsedMs = 0;
	};

	void writerLoop();
	// On the writer thread: writes batch and trims the table (false: failed, logged).
	bool write(const std::map<std::string, Reservation>& batch, std::int64_t nowMs);

	const std::string _path;
	const std::int64_t _lifetimeMs;
	const std::size_t _maxReservations;
	Poco::Logger& _logger;

	std::unique_ptr<Poco::Data::Session> _reader; // claim()'s, under _mutex
	std::unique_ptr<Poco::Data::Session> _writer; // the writer thread's

	std::mutex _mutex;
	std::condition_variable _wake;
	std::condition_variable _written;
	std::map<std::string, Reservation> _queue;    // granted, not yet taken by the writer
	std::map<std::string, Reservation> _inFlight; // taken by the writer, not yet committed
	std::uint64_t _granted = 0;  // claims queued so far...
	std::uint64_t _settled = 0;  // ...and written (or given up)
	bool _stopping = false;
	std::thread _thread;
};

} // namespace webchat::chatroom

#endif
