//
// RedisOptions.h
//
// The settings of rooms shared through Redis (backend = redis), as
// HistorySettings reads them from the listener's section; every role of
// RedisRooms (the writer, the feed reader, the queries) reads its part.
//

#ifndef WEBCHAT_CHATROOM_REDISOPTIONS_INCLUDED
#define WEBCHAT_CHATROOM_REDISOPTIONS_INCLUDED

#include "redis/RedisLink.h"

#include "Poco/Timespan.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace webchat::chatroom::redis {

struct RedisOptions
{
	enum class Mode
	{
		Standalone, // one Redis at address
		Sentinel    // the master the sentinels name masterName
	};

	Mode mode = Mode::Standalone;
	std::string address = "127.0.0.1:6379";
	std::vector<std::string> sentinels;    // host:port of each
	std::string masterName = "mymaster";
	std::string ns = "webchat";            // key prefix: deployments sharing one Redis
	RedisLink::Credentials credentials;    // AUTH, when Redis wants it
	std::int64_t timeoutMs = 2000;         // connect and reply timeout; also what a join waits at most
	std::int64_t presenceTtlMs = 10000;    // a crashed instance's members leave after at most this (and a check)
	std::size_t queueLimit = 10000;        // posts waiting for Redis (unreachable, or slower than the clients)
	std::uint64_t logLength = 10000;       // messages kept per room (0: all)
	std::uint64_t feedLength = 100000;     // entries kept in each room's feed and the global feed

	Poco::Timespan timeout() const { return Poco::Timespan(timeoutMs * 1000); }
	/// A connection of its own for one role.
	RedisLink link() const
	{
		if (mode == Mode::Sentinel) return RedisLink(Sentinels(sentinels, masterName, timeout()), timeout(), credentials);
		return RedisLink(address, timeout(), credentials);
	}
	/// Which Redis, for the log: "127.0.0.1:6379", or in sentinel mode
	/// "master mymaster (sentinels host:port,...)".
	std::string where() const
	{
		if (mode == Mode::Standalone) return address;
		std::string list;
		for (const auto& sentinel : sentinels) list += (list.empty() ? "" : ",") + sentinel;
		return "master " + masterName + " (sentinels " + list + ")";
	}
};

} // namespace webchat::chatroom::redis

#endif
