//
// RedisOptions.h
//
// The settings of rooms shared through Redis (backend = redis), as
// HistorySettings reads them from the listener's section; every role of
// RedisRooms (the writer, the feed reader, the queries) reads its part.
//

#ifndef WEBCHAT_CHATROOM_REDISOPTIONS_INCLUDED
#define WEBCHAT_CHATROOM_REDISOPTIONS_INCLUDED

#include "redis/ClusterLink.h"
#include "redis/RedisLink.h"

#include "Poco/Timespan.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace webchat::chatroom::redis {

struct RedisOptions
{
	/// redis_mode: one Redis (standalone), the master Redis Sentinel names
	/// (Sentinels.h), or a Redis Cluster (ClusterLink.h, Keyspace.h).
	enum class Mode
	{
		Standalone,
		Sentinel,
		Cluster
	};

	Mode mode = Mode::Standalone;
	std::string address = "127.0.0.1:6379"; // cluster: seed nodes, comma-separated
	std::vector<std::string> sentinels;      // sentinel: host:port of each
	std::string masterName = "mymaster";     // sentinel: the name they monitor it under
	std::string ns = "webchat";            // key prefix: deployments sharing one Redis
	RedisLink::Credentials credentials;    // AUTH, when Redis wants it
	std::int64_t timeoutMs = 2000;         // connect and reply timeout; also what a join waits at most
	std::int64_t presenceTtlMs = 10000;    // a crashed instance's members leave after at most this (and a check)
	std::size_t queueLimit = 10000;        // posts waiting for Redis (unreachable, or slower than the clients)
	std::uint64_t logLength = 10000;       // messages kept per room (0: all)
	std::uint64_t feedLength = 100000;     // entries kept in the global feed
	std::int64_t feedWindowMs = 300000;    // how long a room's feed keeps its changes
	std::int64_t idleRoomMs = 60000;       // a room without members here is forgotten (its feed unread) after this; 0: never

	Poco::Timespan timeout() const { return Poco::Timespan(timeoutMs * 1000); }
	bool cluster() const { return mode == Mode::Cluster; }
	/// The addresses of address (one, or a cluster's seed nodes).
	std::vector<std::string> addresses() const
	{
		std::vector<std::string> result;
		for (std::size_t at = 0; at <= address.size();)
		{
			const auto comma = std::min(address.find(',', at), address.size());
			result.push_back(address.substr(at, comma - at));
			at = comma + 1;
		}
		return result;
	}
	/// A link of its own for one role: to the Redis, the master the
	/// sentinels name, or the cluster.
	std::unique_ptr<Link> link() const
	{
		if (cluster()) return std::make_unique<ClusterLink>(addresses(), timeout(), credentials);
		if (mode == Mode::Sentinel) return std::make_unique<RedisLink>(Sentinels(sentinels, masterName, timeout()), timeout(), credentials);
		return std::make_unique<RedisLink>(address, timeout(), credentials);
	}
	/// Which Redis, for the log: "127.0.0.1:6379", a cluster's seeds, or in
	/// sentinel mode "master mymaster (sentinels host:port,...)".
	std::string where() const
	{
		if (mode == Mode::Cluster) return "cluster " + address;
		if (mode != Mode::Sentinel) return address;
		std::string list;
		for (const auto& sentinel : sentinels) list += (list.empty() ? "" : ",") + sentinel;
		return "master " + masterName + " (sentinels " + list + ")";
	}
};

} // namespace webchat::chatroom::redis

#endif
