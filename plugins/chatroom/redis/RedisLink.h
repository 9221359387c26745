//
// RedisLink.h
//
// One connection to Redis, with what the shared rooms need around it: a
// connect and a reply timeout (a Redis that stops answering is treated like
// one that went away), pipelining (every command in one write, then every
// reply) and small readers for the replies' shapes. Not thread-safe: each
// role of RedisRooms (writer, feed reader, queries) has its own.
//
// Replies are read by RespReader: the feed's XREAD walked in place, the rest
// handed on as POCO's types (RedisType).
// Poco::Redis::Client itself is not used: it offers no way to set
// TCP_NODELAY on its socket, and it writes through a 1 KiB buffer, so a
// command longer than that leaves in two segments and the second waits for
// Redis's delayed ACK (~40 ms per message of 900 bytes or more, measured).
// So the socket is ours, with TCP_NODELAY, and commands are serialised here
// (RESP arrays of bulk strings: a few lines) into one buffer per pipeline,
// which also spares a Poco::Redis::Array per command.
//

#ifndef WEBCHAT_CHATROOM_REDISLINK_INCLUDED
#define WEBCHAT_CHATROOM_REDISLINK_INCLUDED

#include "redis/Link.h"
#include "redis/RespReader.h"
#include "redis/Sentinels.h"

#include "Poco/Net/StreamSocket.h"
#include "Poco/Redis/Array.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webchat::chatroom::redis {

class RedisLink: public Link
{
public:

	/// Who to be in Redis (AUTH), when it asks: a password alone (the
	/// default user, requirepass) or an ACL user and its password.
	struct Credentials
	{
		std::string user;
		std::string password; // empty: no AUTH
	};

	/// To the Redis at address (host:port).
	RedisLink(std::string address, Poco::Timespan timeout, Credentials credentials = {});
	/// To the master the sentinels name, found again after every failure.
	RedisLink(Sentinels sentinels, Poco::Timespan timeout, Credentials credentials = {});

	// Link (see there). In sentinel mode ensureConnected() also throws
	// Poco::IOException when no sentinel names a master, or the one named
	// is not a master.
	using Link::readStreams;
	void ensureConnected() override;
	bool connected() const override { return _connected; }
	void disconnect() override;
	std::vector<Reply> pipeline(const std::vector<Command>& commands) override;
	std::size_t readStreams(const std::vector<Command>& reads, const RespReader::EntryVisitor& visit) override;
	void setTimeout(Poco::Timespan timeout) override;

	/// Sends commands without reading their replies (ClusterLink: every
	/// node's part of a pipeline leaves before any reply is awaited).
	/// Throws like pipeline(), and disconnects.
	void sendOnly(const std::vector<Command>& commands);
	/// Reads count replies of what sendOnly() sent. Throws like pipeline().
	std::vector<Reply> readReplies(std::size_t count);
	/// Reads the reply of one XREAD that sendOnly() sent.
	std::size_t readStreamsReply(const RespReader::EntryVisitor& visit);

	const std::string& address() const { return _address; }

	// Reading replies (throw Poco::BadCastException for another shape).
	static bool isError(const Reply& reply);
	static std::string errorText(const Reply& reply);
	/// An error reply's code, the first word Redis gives it (ERR, NOSCRIPT,
	/// LOADING, OOM, WRONGPASS...): what to branch on, not the text after.
	static std::string errorCode(const Reply& reply);
	static std::optional<std::string> bulk(const Reply& reply); // none: nil
	static std::int64_t integer(const Reply& reply);
	/// By value (a vector of shared pointers): safe to call on a temporary reply.
	static Poco::Redis::Array array(const Reply& reply); // a nil array is null
	/// A stream entry [id, [field, value, ...]].
	static std::pair<std::string, std::vector<std::pair<std::string, std::string>>> streamEntry(const Reply& reply);
	/// Where a read of stream that must miss nothing from now on starts:
	/// newestEntry() asks for the stream's newest entry, newestEntryId()
	/// gives its id from the reply ("0-0" for an empty or missing stream).
	static Command newestEntry(const std::string& stream);
	static std::string newestEntryId(const Reply& reply);

private:
	void send(const std::vector<Command>& commands);
	// Sentinel mode: the master named is asked whether it is one.
	void checkIsMaster();
	// Sentinel mode: a master demoted while connected refuses writes
	// (READONLY); the connection is dropped so the next one asks the
	// sentinels again.
	void dropIfDemoted(const std::vector<Reply>& replies);

	std::string _address; // of the master in use, in sentinel mode
	std::optional<Sentinels> _sentinels;
	Poco::Timespan _timeout;
	const Credentials _credentials;
	Poco::Net::StreamSocket _socket;
	RespReader _reader{&_socket};
	std::string _out; // the pipeline being written, kept for its capacity
	bool _connected = false;
};

} // namespace webchat::chatroom::redis

#endif
