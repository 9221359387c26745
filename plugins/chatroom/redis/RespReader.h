//
// RespReader.h
//
// Redis's replies (RESP2) as RedisLink reads them: received into one buffer
// of the connection's and parsed there, two ways.
//   - readReply(): any reply, as POCO's types (RedisLink::Reply), which the
//     rest of the Redis code reads (queries, scripts' verdicts: not hot).
//   - readStreams(): the reply of an XREAD, the feeds an instance reads
//     with every change of its rooms, walked entry by entry as string_views
//     into the buffer: no allocation per field, where POCO's reader makes an
//     object and a string for each (a feed entry has 10 to 20 fields).
// Our own, for that hot reply only (POCO's reader has no such mode); POCO's
// types stay everywhere else.
//
// A reply is taken whole: the buffer grows until it holds all of it (up to
// MaxReplyBytes, a bound against a runaway peer), checked by a scan that
// allocates nothing, then parsed. Every malformed reply throws
// Poco::Redis::RedisException; the connection is then of no further use.
//

#ifndef WEBCHAT_CHATROOM_RESPREADER_INCLUDED
#define WEBCHAT_CHATROOM_RESPREADER_INCLUDED

#include "Poco/Net/StreamSocket.h"
#include "Poco/Redis/Type.h"

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webchat::chatroom::redis {

class RespReader
{
public:
	/// A stream entry's field/value pairs, in order.
	using Fields = std::vector<std::pair<std::string_view, std::string_view>>;
	/// Called for each entry: the stream's key, the entry's id and fields,
	/// valid during the call.
	using EntryVisitor = std::function<void(std::string_view stream, std::string_view id, const Fields& fields)>;

	/// Largest reply taken (an XREAD of 1,000 entries of 4 KiB texts is
	/// about 5 MiB).
	static constexpr std::size_t MaxReplyBytes = 256u << 20;
	/// Deepest nesting taken (an XREAD reply is 5 deep).
	static constexpr int MaxDepth = 8;

	/// Reads from source (or, when null, only from what feed() gave: for
	/// tests and the benchmark).
	explicit RespReader(Poco::Net::StreamSocket* source = nullptr);

	/// Forgets what is buffered (a new connection).
	void reset();

	/// Appends bytes as if received (tests, benchmark).
	void feed(std::string_view bytes);

	/// The next reply, as POCO's types (an empty or nil array is a null
	/// Array, as POCO's own reader makes it). Throws Poco::IOException when
	/// the peer closes, Poco::TimeoutException when it stays silent,
	/// Poco::Redis::RedisException when the reply is malformed or too big.
	Poco::Redis::RedisType::Ptr readReply();

	/// The next reply, which must answer an XREAD: every entry of every
	/// stream, in order, to visit (which may run commands on the same
	/// connection, readStreams() excepted). Returns the number of entries (0 for a
	/// nil reply: BLOCK timed out). An error reply throws
	/// Poco::Redis::RedisException with its text; so does any other shape.
	std::size_t readStreams(const EntryVisitor& visit);

	/// Bytes received and not yet taken by a reply.
	std::size_t buffered() const { return _end - _start; }

private:
	// Waits until the buffer holds one whole reply; its length.
	std::size_t awaitReply();
	void receiveMore();

	Poco::Net::StreamSocket* const _source;
	std::string _buffer;
	std::size_t _start = 0; // the next reply's first byte
	std::size_t _end = 0;   // one past the last byte received
	std::string _walk;      // the reply readStreams() walks, kept for its capacity
	Fields _fields;         // readStreams()'s, kept for its capacity
	bool _walking = false;  // within readStreams()
};

} // namespace webchat::chatroom::redis

#endif
