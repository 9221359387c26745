#include "DeflateCodec.h"

#include "Poco/Exception.h"

#include <algorithm>

namespace webchat::ws {

namespace {

// Raw deflate (no zlib header), 32 KiB window.
constexpr int WindowBits = -15;

// 2 KiB of hash table (zlib's default is 64 KiB): deflateReset clears it
// before every message, and chat messages are short.
constexpr int MemLevel = 4;

// The output is inflated in steps of this size (a buffer on the stack), so
// a message never makes zlib write past what the limit allows.
constexpr std::size_t InflateStep = 16 * 1024;

const unsigned char FlushMarker[4] = {0x00, 0x00, 0xFF, 0xFF};

} // namespace

Inflater::Inflater()
{
	if (inflateInit2(&_stream, WindowBits) != Z_OK) throw Poco::OutOfMemoryException("inflateInit2");
}

Inflater::~Inflater()
{
	inflateEnd(&_stream);
}

Inflater::Result Inflater::inflate(const char* data, std::size_t size, std::string& out, std::size_t limit)
{
	_stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data));
	_stream.avail_in = static_cast<uInt>(size);
	// zlib writes into this buffer, then what it wrote is appended: out never
	// grows (or is zero-filled) beyond what the message holds.
	char buffer[InflateStep];
	for (;;)
	{
		// One byte of room past the limit tells a message that reaches it
		// from one that exceeds it.
		const std::size_t room = limit >= out.size() ? limit - out.size() + 1 : 1;
		const std::size_t step = std::min(room, InflateStep);
		_stream.next_out = reinterpret_cast<Bytef*>(buffer);
		_stream.avail_out = static_cast<uInt>(step);
		const int status = ::inflate(&_stream, Z_SYNC_FLUSH);
		out.append(buffer, step - _stream.avail_out);
		if (out.size() > limit) return Result::TooBig;
		if (status == Z_STREAM_END)
		{
			// A final block ends the deflate stream; the message may go on
			// with a new one (RFC 7692 7.2.3.3).
			inflateReset(&_stream);
			if (_stream.avail_in == 0) return Result::Ok;
			continue;
		}
		if (status != Z_OK && status != Z_BUF_ERROR) return Result::Corrupt;
		if (_stream.avail_in == 0 && _stream.avail_out != 0) return Result::Ok;
		if (status == Z_BUF_ERROR && _stream.avail_out != 0) return Result::Ok; // no progress possible: input taken
	}
}

Inflater::Result Inflater::finish(std::string& out, std::size_t limit)
{
	const Result result = inflate(reinterpret_cast<const char*>(FlushMarker), sizeof(FlushMarker), out, limit);
	inflateReset(&_stream);
	return result;
}

Deflater::Deflater()
{
	if (deflateInit2(&_stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, WindowBits, MemLevel, Z_DEFAULT_STRATEGY) != Z_OK)
		throw Poco::OutOfMemoryException("deflateInit2");
}

Deflater::~Deflater()
{
	deflateEnd(&_stream);
}

std::string_view Deflater::compress(std::string_view payload)
{
	deflateReset(&_stream);
	_stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(payload.data()));
	_stream.avail_in = static_cast<uInt>(payload.size());
	_output.clear();
	// deflateBound covers Z_SYNC_FLUSH's empty block too; the loop grows
	// the buffer should it not.
	std::size_t capacity = deflateBound(&_stream, static_cast<uLong>(payload.size())) + 8;
	for (;;)
	{
		const std::size_t before = _output.size();
		_output.resize(before + capacity);
		_stream.next_out = reinterpret_cast<Bytef*>(&_output[before]);
		_stream.avail_out = static_cast<uInt>(capacity);
		deflate(&_stream, Z_SYNC_FLUSH);
		_output.resize(before + capacity - _stream.avail_out);
		if (_stream.avail_out != 0) break;
		capacity = 4096;
	}
	// Z_SYNC_FLUSH ends with an empty stored block, 00 00 FF FF, which the
	// receiver appends again.
	std::string_view compressed(_output);
	if (compressed.size() >= 4) compressed.remove_suffix(4);
	return compressed;
}

void appendMessageFrame(std::string& out, Opcode opcode, std::string_view payload, Deflater& deflater, std::size_t minBytes)
{
	if (payload.size() >= minBytes && !isControl(opcode))
	{
		const std::string_view compressed = deflater.compress(payload);
		if (compressed.size() < payload.size())
		{
			appendFrame(out, opcode, compressed, true, true);
			return;
		}
	}
	appendFrame(out, opcode, payload);
}

void appendDeflatedFrames(std::string& out, std::string_view frames, Deflater& deflater, std::size_t minBytes)
{
	out.reserve(out.size() + frames.size());
	while (frames.size() >= 2)
	{
		const auto* h = reinterpret_cast<const unsigned char*>(frames.data());
		std::size_t headerSize = 2;
		std::uint64_t length = h[1] & 0x7F;
		if (length == 126)
		{
			headerSize = 4;
			length = frames.size() >= 4 ? (std::uint64_t(h[2]) << 8) | h[3] : 0;
		}
		else if (length == 127)
		{
			headerSize = 10;
			length = 0;
			for (std::size_t i = 0; i < 8 && 2 + i < frames.size(); ++i) length = (length << 8) | h[2 + i];
		}
		if (frames.size() < headerSize || frames.size() - headerSize < length) break; // not whole frames: left as they are
		const std::size_t frameSize = headerSize + static_cast<std::size_t>(length);
		const auto opcode = static_cast<Opcode>(h[0] & 0x0F);
		const bool wholeDataMessage = (h[0] & 0xF0) == 0x80 && (opcode == Opcode::Text || opcode == Opcode::Binary);
		if (wholeDataMessage)
			appendMessageFrame(out, opcode, frames.substr(headerSize, static_cast<std::size_t>(length)), deflater, minBytes);
		else
			out.append(frames.data(), frameSize);
		frames.remove_prefix(frameSize);
	}
	out.append(frames.data(), frames.size());
}

} // namespace webchat::ws
