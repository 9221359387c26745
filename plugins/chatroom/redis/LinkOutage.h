//
// LinkOutage.h
//
// How a role of RedisRooms that holds a connection of its own (the writer,
// the feed reader) lives through Redis going away: the outage is logged
// once, when it starts, with what the role does meanwhile, and once when it
// ends; reconnection is retried with backoff, 0.1 s doubling to 5 s. Used by
// one thread (the role's).
//

#ifndef WEBCHAT_CHATROOM_LINKOUTAGE_INCLUDED
#define WEBCHAT_CHATROOM_LINKOUTAGE_INCLUDED

#include "redis/RedisOptions.h"

#include "Poco/Logger.h"

#include <chrono>
#include <cstddef>
#include <exception>
#include <string>

namespace webchat::chatroom::redis {

/// Which connection failed: what the clients see depends on it.
enum class LinkRole
{
	Writer,    // the clients' messages and presence: an outage is an error, messages are queued
	FeedReader // what other instances publish: a warning, the rooms catch up on reconnection
};

class LinkOutage
{
public:
	/// instance: this webchatd's id in Redis, for the writer's first
	/// "connected" line.
	LinkOutage(LinkRole role, const RedisOptions& options, std::string instance, Poco::Logger& logger);

	/// The link failed for reason: logged if it is the outage's first
	/// failure. Returns how long to wait before the next attempt.
	std::chrono::milliseconds failed(const std::exception& reason);

	/// The link is up (again): the outage's end is logged, the backoff
	/// starts over.
	void connected();

private:
	const LinkRole _role;
	const std::string _address;
	const std::size_t _queueLimit;
	const std::string _instance;
	Poco::Logger& _logger;
	std::chrono::milliseconds _backoff;
	bool _logged = false; // this outage's first failure was logged
};

} // namespace webchat::chatroom::redis

#endif
