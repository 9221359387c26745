//
// RedisLink.h
//
// One connection to Redis through Poco::Redis::Client, with what the shared
// rooms need around it: a connect and a reply timeout (a Redis that stops
// answering is treated like one that went away), commands built from
// strings, pipelining (every command written, one flush, then every reply)
// and small readers for the replies' shapes. Not thread-safe: each thread of
// RedisRooms has its own.
//
// Poco::Redis is used rather than hiredis because POCO is already the
// project's one dependency and its client speaks RESP correctly; what it
// lacks (pub/sub, a reader that does not sleep) is not needed here: the
// feed is a stream read with XREAD on our own thread.
//

#ifndef WEBCHAT_CHATROOM_REDISLINK_INCLUDED
#define WEBCHAT_CHATROOM_REDISLINK_INCLUDED

#include "Poco/Redis/Array.h"
#include "Poco/Redis/Client.h"
#include "Poco/Timespan.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace webchat::chatroom::redis {

class RedisLink
{
public:
	using Command = Poco::Redis::Array;
	using Reply = Poco::Redis::RedisType::Ptr;

	RedisLink(std::string address, Poco::Timespan timeout);

	/// Connects unless connected. Throws Poco::Exception.
	void ensureConnected();
	bool connected() const { return _connected; }
	/// Drops the connection (after any failure: the stream may be mid-reply).
	void disconnect();

	/// Sends command and returns its reply; an error reply throws
	/// Poco::Redis::RedisException, a broken or silent connection
	/// Poco::Exception (and disconnects).
	Reply run(const Command& command);

	/// Sends every command at once, then reads every reply (errors are
	/// returned as error replies, not thrown). Throws like run() when the
	/// connection fails.
	std::vector<Reply> pipeline(const std::vector<Command>& commands);

	/// The reply timeout for the next commands (XREAD BLOCK needs more).
	void setTimeout(Poco::Timespan timeout);

	const std::string& address() const { return _address; }

	static Command command(std::initializer_list<std::string> words);

	// Reading replies (throw Poco::BadCastException for another shape).
	static bool isError(const Reply& reply);
	static std::string errorText(const Reply& reply);
	static std::optional<std::string> bulk(const Reply& reply); // none: nil
	static std::int64_t integer(const Reply& reply);
	/// By value (a vector of shared pointers): safe to call on a temporary reply.
	static Poco::Redis::Array array(const Reply& reply); // a nil array is null
	/// A stream entry [id, [field, value, ...]].
	static std::pair<std::string, std::vector<std::pair<std::string, std::string>>> streamEntry(const Reply& reply);

private:
	void connect();

	const std::string _address;
	Poco::Timespan _timeout;
	Poco::Redis::Client _client;
	bool _connected = false;
};

} // namespace webchat::chatroom::redis

#endif
