//
// RedisRooms.h
//
// backend = redis: rooms shared by every webchatd instance using the same
// Redis (and redis_namespace). Redis orders each room (one Lua script per
// change, RedisScripts.h), keeps its log and presence, and carries every
// change to every instance in one stream, the feed. Three connections, so no
// I/O thread ever waits on the feed:
//   - the writer thread sends what the rooms hand over (posts, joins,
//     leaves, renames) in order, pipelined, and renews this instance's
//     presence key; while Redis is unreachable it keeps them (posts up to
//     redis_queue_limit) and retries with backoff; a post resent after a
//     lost reply is recognised by its sequence number and not added twice;
//   - the reader thread reads the feed (XREAD BLOCK) and hands each change
//     to the rooms loaded here in the rooms' order, filling gaps from the
//     room's log; after a reconnection it catches up every loaded room from
//     its log and presence; it also notices instances that stopped renewing
//     their key (crashed) and removes their members;
//   - a query connection, under a mutex, for loading a room on its first
//     join (an I/O thread waits for that read, once per room).
//

#ifndef WEBCHAT_CHATROOM_REDISROOMS_INCLUDED
#define WEBCHAT_CHATROOM_REDISROOMS_INCLUDED

#include "HistoryStore.h"
#include "SharedRooms.h"
#include "redis/RedisLink.h"

#include "Poco/Logger.h"

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace webchat::chatroom::redis {

class RedisRooms final: public HistoryStore, public SharedRooms
{
public:
	struct Options
	{
		std::string address = "127.0.0.1:6379";
		std::string ns = "webchat";            // key prefix: deployments sharing one Redis
		RedisLink::Credentials credentials;    // AUTH, when Redis wants it
		std::int64_t timeoutMs = 2000;         // connect and reply timeout; also what a join waits at most
		std::int64_t presenceTtlMs = 10000;    // a crashed instance's members leave after at most this (and a check)
		std::size_t queueLimit = 10000;        // posts waiting for Redis (unreachable, or slower than the clients)
		std::uint64_t logLength = 10000;       // messages kept per room (0: all)
		std::uint64_t feedLength = 100000;     // entries kept in the feed
	};

	RedisRooms(Options options, Poco::Logger& logger);
	~RedisRooms() override;

	// HistoryStore
	Room loadRoom(const std::string& name, std::size_t maxMessages) override;
	void append(const std::string&, const std::string&, Message) override {}
	bool flush() override;
	void close() override;
	SharedRooms* shared() override { return this; }
	std::string describe() const override;

	// SharedRooms
	void attach(Sink& sink) override;
	Posted post(const std::string& room, const Position& seen, Message message) override;
	Verdict join(const std::string& room, const std::string& nick) override;
	Verdict rename(const std::string& room, const std::string& from, const std::string& to) override;
	void leave(const std::string& room, const std::string& nick) override;

	/// For metrics and tests.
	bool linkUp() const { return _linkUp.load(std::memory_order_relaxed); }
	std::size_t queued() const;

private:
	struct Operation
	{
		enum class Kind
		{
			Post,
			Join,
			Leave,
			Rename,
			Sync
		};
		Kind kind;
		std::string room;
		std::vector<std::string> args; // the script's ARGV after instance (see build())
		std::shared_ptr<std::promise<bool>> verdict; // Join, Rename: whether the script said 1
	};

	std::string key(const std::string& room, const char* part) const;
	std::string instanceKey(const std::string& instance) const;
	RedisLink::Command build(const Operation& operation) const;
	Verdict waitFor(Operation operation);
	void enqueue(Operation operation);

	void writerLoop();
	void connectWriter();
	bool writeBatch();
	void queueResync();
	void readerLoop();
	void connectReader();
	void readFeed();
	void handle(const std::vector<std::pair<std::string, std::string>>& fields);
	void deliverInOrder(const std::string& room, const std::string& epoch, const Message& message);
	bool fillFrom(const std::string& room, const std::string& epoch, std::uint64_t first, std::uint64_t last);
	void catchUp();
	void checkInstances();
	// Other instances' members of room, nick -> instance; onlyLive: without
	// (and forgetting) those of instances whose key expired.
	std::map<std::string, std::string> remoteMembers(RedisLink& link, const std::string& room, bool onlyLive);
	void linkFailed(const char* who, const std::exception& reason);

	const Options _options;
	const std::string _instance;
	Poco::Logger& _logger;
	Sink* _sink = nullptr;

	// Writer
	mutable std::mutex _mutex;
	std::condition_variable _wake;
	std::deque<Operation> _operations; // oldest first; the front ones may be in flight
	std::size_t _queuedPosts = 0;
	std::uint64_t _postSequence = 0;
	bool _closed = false; // close() was called: the threads end, nothing more is queued
	std::atomic<bool> _linkUp{false};
	std::string _scriptIds[5];
	RedisLink _writer;
	std::thread _writerThread;

	// Reader
	RedisLink _reader;
	std::string _feedPosition;
	std::thread _readerThread;

	// Query (loadRoom)
	std::mutex _queryMutex;
	RedisLink _query;

	std::mutex _logMutex;
	bool _outageLogged = false;       // by the writer
	bool _readerOutageLogged = false;
};

} // namespace webchat::chatroom::redis

#endif
