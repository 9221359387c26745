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

#include "redis/RespReader.h"
#include "redis/Sentinels.h"

#include "Poco/Net/StreamSocket.h"
#include "Poco/Redis/Array.h"
#include "Poco/Timespan.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webchat::chatroom::redis {

class RedisLink
{
public:
	using Reply = Poco::Redis::RedisType::Ptr;

	/// A command: its words, serialised as RESP as they are added.
	class Command
	{
	public:
		Command() = default;
		Command(std::initializer_list<std::string_view> words);
		Command& operator<<(std::string_view word);
		/// Appends the whole command to out.
		void appendTo(std::string& out) const;

	private:
		std::string _words; // "$<length>\r\n<bytes>\r\n" each
		std::size_t _count = 0;
	};

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

	/// Connects (and authenticates) unless connected. Throws Poco::Exception
	/// (Poco::Redis::RedisException when Redis refuses the credentials;
	/// Poco::IOException when no sentinel names a master, or the one named
	/// is not a master).
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

	/// Sends an XREAD and walks its entries as RespReader::readStreams()
	/// does (no allocation per field): the feed's hot path. Returns the
	/// number of entries. Throws like run().
	std::size_t readStreams(const Command& command, const RespReader::EntryVisitor& visit);

	/// The reply timeout for the next commands (XREAD BLOCK needs more).
	void setTimeout(Poco::Timespan timeout);

	static Command command(std::initializer_list<std::string_view> words) { return Command(words); }

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
