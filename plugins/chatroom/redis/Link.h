//
// Link.h
//
// What each role of RedisRooms (the writer, the feed reader, the queries,
// moderation, nick reservations) talks to Redis through: one Redis
// (RedisLink, a connection) or a Redis Cluster (ClusterLink, a connection
// per master, each command sent to the node of its key's slot).
// RedisOptions::link() makes the one redis_mode asks for. Not thread-safe:
// each role has its own.
//

#ifndef WEBCHAT_CHATROOM_LINK_INCLUDED
#define WEBCHAT_CHATROOM_LINK_INCLUDED

#include "redis/RespReader.h"

#include "Poco/Redis/Type.h"
#include "Poco/Timespan.h"

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::chatroom::redis {

class Link
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
		/// How many words, and one of them (index < size()): what a Redis
		/// Cluster routes by (ClusterLink finds the key among them).
		std::size_t size() const { return _count; }
		std::string_view word(std::size_t index) const;

	private:
		std::string _words; // "$<length>\r\n<bytes>\r\n" each
		std::size_t _count = 0;
	};


	virtual ~Link() = default;

	/// Connects (and authenticates) unless connected. Throws Poco::Exception
	/// (Poco::Redis::RedisException when Redis refuses the credentials).
	virtual void ensureConnected() = 0;
	virtual bool connected() const = 0;
	/// Drops the connection(s) (after any failure: a stream may be mid-reply).
	virtual void disconnect() = 0;

	/// Sends every command at once, then reads every reply, in the
	/// commands' order (errors are returned as error replies, not thrown).
	/// A broken or silent connection throws Poco::Exception (and
	/// disconnects): which of the commands Redis ran is then unknown.
	virtual std::vector<Reply> pipeline(const std::vector<Command>& commands) = 0;

	/// Sends XREADs and walks their entries as RespReader::readStreams()
	/// does (no allocation per field): the feed's hot path. Returns the
	/// number of entries. Throws like pipeline(); an error reply throws
	/// Poco::Redis::RedisException.
	virtual std::size_t readStreams(const std::vector<Command>& reads, const RespReader::EntryVisitor& visit) = 0;
	std::size_t readStreams(const Command& read, const RespReader::EntryVisitor& visit) { return readStreams(std::vector<Command>{read}, visit); }

	/// The reply timeout for the next commands (XREAD BLOCK needs more).
	virtual void setTimeout(Poco::Timespan timeout) = 0;

	/// Sends command and returns its reply; an error reply throws
	/// Poco::Redis::RedisException, a failure like pipeline().
	Reply run(const Command& command);

	static Command command(std::initializer_list<std::string_view> words) { return Command(words); }
};

} // namespace webchat::chatroom::redis

#endif
