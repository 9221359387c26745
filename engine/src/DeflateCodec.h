//
// DeflateCodec.h
//
// (Engine internals.) zlib for permessage-deflate (RFC 7692 7.2): raw
// deflate, each message compressed and inflated on its own (no context
// takeover in either direction, as the engine negotiates).
//

#ifndef WEBCHAT_ENGINE_DEFLATECODEC_INCLUDED
#define WEBCHAT_ENGINE_DEFLATECODEC_INCLUDED

#include <cstddef>
#include <string>
#include <string_view>

#include "webchat/engine/Protocol.h"

#include <zlib.h>

namespace webchat::ws {

/// Inflates one message at a time, bounded while it inflates. About 7 KiB
/// of zlib state plus the 32 KiB window zlib allocates with the first
/// output; the owner keeps it only while messages arrive.
class Inflater
{
public:
	enum class Result
	{
		Ok,      // all input taken
		TooBig,  // the output would exceed the limit (at most limit + 1 bytes were inflated)
		Corrupt  // not a deflate stream
	};

	Inflater();
	~Inflater();
	Inflater(const Inflater&) = delete;
	Inflater& operator=(const Inflater&) = delete;

	/// Inflates the next piece of the message, appending to out, which may
	/// not grow beyond limit bytes.
	Result inflate(const char* data, std::size_t size, std::string& out, std::size_t limit);

	/// Ends the message: inflates the flush marker the sender stripped
	/// (00 00 FF FF) and forgets the message's context.
	Result finish(std::string& out, std::size_t limit);

private:
	z_stream _stream{};
};

/// Compresses whole messages, each on its own. About 136 KiB of zlib state
/// (a 32 KiB window, a small hash table so that starting each message
/// afresh stays cheap); an event loop keeps one.
class Deflater
{
public:
	Deflater();
	~Deflater();
	Deflater(const Deflater&) = delete;
	Deflater& operator=(const Deflater&) = delete;

	/// payload compressed as one message's payload (the final 00 00 FF FF
	/// removed, RFC 7692 7.2.1), valid until the next call.
	std::string_view compress(std::string_view payload);

private:
	z_stream _stream{};
	std::string _output;
};

/// Appends one whole message as a frame: compressed (RSV1) when payload has
/// at least minBytes and compressing makes it smaller, as is otherwise.
void appendMessageFrame(std::string& out, Opcode opcode, std::string_view payload, Deflater& deflater, std::size_t minBytes);

/// Appends frames (whole unmasked frames, as a topic's batch holds them)
/// with each single-frame data message passed through appendMessageFrame;
/// control frames and fragments are copied as they are.
void appendDeflatedFrames(std::string& out, std::string_view frames, Deflater& deflater, std::size_t minBytes);

} // namespace webchat::ws

#endif
