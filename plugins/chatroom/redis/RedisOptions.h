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
	/// redis_mode: one Redis (standalone; also what Sentinel's master is),
	/// or a Redis Cluster (ClusterLink.h, Keyspace.h).
	enum class Mode
	{
		Standalone,
		Cluster
	};

	Mode mode = Mode::Standalone;
	std::string address = "127.0.0.1:6379"; // cluster: seed nodes, comma-separated
	std::string ns = "webchat";            // key prefix: deployments sharing one Redis
	RedisLink::Credentials credentials;    // AUTH, when Redis wants it
	std::int64_t timeoutMs = 2000;         // connect and reply timeout; also what a join waits at most
	std::int64_t presenceTtlMs = 10000;    // a crashed instance's members leave after at most this (and a check)
	std::size_t queueLimit = 10000;        // posts waiting for Redis (unreachable, or slower than the clients)
	std::uint64_t logLength = 10000;       // messages kept per room (0: all)
	std::uint64_t feedLength = 100000;     // entries kept in each room's feed and the global feed

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
	/// A link of its own for one role: to the Redis, or to the cluster.
	std::unique_ptr<Link> link() const
	{
		if (cluster()) return std::make_unique<ClusterLink>(addresses(), timeout(), credentials);
		return std::make_unique<RedisLink>(address, timeout(), credentials);
	}
};

} // namespace webchat::chatroom::redis

#endif
