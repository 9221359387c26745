#include "redis/RespReader.h"

#include "Poco/Exception.h"
#include "Poco/Redis/Array.h"
#include "Poco/Redis/Error.h"
#include "Poco/Redis/Exception.h"

#include <algorithm>
#include <cstring>

namespace webchat::chatroom::redis {

using Poco::Redis::Array;
using Poco::Redis::BulkString;
using Poco::Redis::RedisType;
using Poco::Redis::Type;

namespace {

constexpr std::size_t npos = std::string::npos;
constexpr std::size_t ReceiveChunk = 64 * 1024;

[[noreturn]] void malformed(const std::string& what)
{
	throw Poco::Redis::RedisException("malformed Redis reply: " + what);
}

// Where the line that starts at `from` ends: the index of its "\r", or
// npos when its end is not received yet.
std::size_t lineEnd(const char* data, std::size_t from, std::size_t end)
{
	if (from >= end) return npos;
	const void* cr = std::memchr(data + from, '\r', end - from);
	if (!cr) return npos;
	const std::size_t at = static_cast<std::size_t>(static_cast<const char*>(cr) - data);
	if (at + 1 >= end) return npos;
	if (data[at + 1] != '\n') malformed("a line ends without \\n");
	return at;
}

// A length or an integer: '-' and up to 18 digits.
long long number(std::string_view text)
{
	const bool negative = !text.empty() && text[0] == '-';
	if (negative) text.remove_prefix(1);
	if (text.empty() || text.size() > 18) malformed("a number of " + std::to_string(text.size()) + " digits");
	long long value = 0;
	for (const char c : text)
	{
		if (c < '0' || c > '9') malformed("a number with '" + std::string(1, c) + "'");
		value = value * 10 + (c - '0');
	}
	return negative ? -value : value;
}

// The length of the value that starts at data[at], or npos when it is not
// all received yet. Allocates nothing: run again as more arrives.
std::size_t scan(const char* data, std::size_t at, std::size_t end, int depth)
{
	if (depth > RespReader::MaxDepth) malformed("nested deeper than " + std::to_string(RespReader::MaxDepth));
	if (at >= end) return npos;
	const std::size_t cr = lineEnd(data, at + 1, end);
	if (cr == npos) return npos;
	const std::string_view header(data + at + 1, cr - at - 1);
	switch (data[at])
	{
	case '+':
	case '-':
		return cr + 2 - at;
	case ':':
		number(header);
		return cr + 2 - at;
	case '$':
	{
		const long long length = number(header);
		if (length == -1) return cr + 2 - at;
		if (length < 0 || static_cast<std::size_t>(length) > RespReader::MaxReplyBytes) malformed("a bulk string of " + std::to_string(length) + " bytes");
		const std::size_t last = cr + 2 + static_cast<std::size_t>(length);
		if (last + 2 > end) return npos;
		if (data[last] != '\r' || data[last + 1] != '\n') malformed("a bulk string longer than its length");
		return last + 2 - at;
	}
	case '*':
	{
		const long long count = number(header);
		if (count == -1) return cr + 2 - at;
		if (count < 0) malformed("an array of " + std::to_string(count) + " elements");
		std::size_t next = cr + 2;
		for (long long i = 0; i < count; ++i)
		{
			const std::size_t length = scan(data, next, end, depth + 1);
			if (length == npos) return npos;
			next += length;
		}
		return next - at;
	}
	default:
		malformed("type byte " + std::to_string(static_cast<unsigned char>(data[at])));
	}
}

// A whole reply, scanned already, read from its first byte.
class Parser
{
public:
	Parser(const char* data, std::size_t at, std::size_t end): _data(data), _at(at), _end(end) {}

	RedisType::Ptr poco()
	{
		const char type = _data[_at++];
		const std::string_view header = line();
		switch (type)
		{
		case '+':
			return new Type<std::string>(std::string(header));
		case '-':
			return new Type<Poco::Redis::Error>(Poco::Redis::Error(std::string(header)));
		case ':':
			return new Type<Poco::Int64>(number(header));
		case '$':
		{
			const long long length = number(header);
			if (length < 0) return new Type<BulkString>(BulkString());
			return new Type<BulkString>(BulkString(std::string(take(static_cast<std::size_t>(length)))));
		}
		default: // '*', the scan let nothing else through
		{
			// As POCO's reader: an empty array is a null one.
			Array array;
			for (long long i = number(header); i > 0; --i) array.addRedisType(poco());
			return new Type<Array>(array);
		}
		}
	}

	/// An array's element count (-1: nil); another type is malformed,
	/// an error reply throws its text.
	long long arrayHeader()
	{
		const char type = _data[_at++];
		const std::string_view header = line();
		if (type == '-') throw Poco::Redis::RedisException(std::string(header));
		if (type != '*') malformed("expected an array");
		return number(header);
	}

	std::string_view string()
	{
		const char type = _data[_at++];
		const std::string_view header = line();
		if (type == '+') return header;
		if (type != '$') malformed("expected a string");
		const long long length = number(header);
		return length < 0 ? std::string_view() : take(static_cast<std::size_t>(length));
	}

private:
	std::string_view line()
	{
		const char* cr = static_cast<const char*>(std::memchr(_data + _at, '\r', _end - _at));
		const std::string_view text(_data + _at, static_cast<std::size_t>(cr - (_data + _at)));
		_at += text.size() + 2;
		return text;
	}

	std::string_view take(std::size_t length)
	{
		const std::string_view bytes(_data + _at, length);
		_at += length + 2;
		return bytes;
	}

	const char* const _data;
	std::size_t _at;
	const std::size_t _end; // the reply's end: scan() found every line's "\r\n" before it
};

} // namespace

RespReader::RespReader(Poco::Net::StreamSocket* source): _source(source)
{
}

void RespReader::reset()
{
	_start = _end = 0;
	if (_buffer.size() > 4 * ReceiveChunk) std::string().swap(_buffer);
}

void RespReader::feed(std::string_view bytes)
{
	if (_buffer.size() < _end + bytes.size()) _buffer.resize(_end + bytes.size());
	std::memcpy(&_buffer[_end], bytes.data(), bytes.size());
	_end += bytes.size();
}

void RespReader::receiveMore()
{
	if (!_source) throw Poco::IOException("Redis reply cut short");
	const std::size_t held = _end - _start;
	if (held >= MaxReplyBytes) malformed("longer than " + std::to_string(MaxReplyBytes) + " bytes");
	// Room for at least as much again as is held: a long reply is scanned
	// a logarithmic number of times, not once per chunk.
	const std::size_t wanted = std::max(ReceiveChunk, held);
	if (_start > 0 && _buffer.size() - _end < wanted)
	{
		std::memmove(&_buffer[0], &_buffer[_start], held);
		_start = 0;
		_end = held;
	}
	if (_buffer.size() - _end < wanted) _buffer.resize(_end + wanted);
	const int received = _source->receiveBytes(&_buffer[_end], static_cast<int>(std::min<std::size_t>(_buffer.size() - _end, 1u << 30)));
	if (received <= 0) throw Poco::IOException("Redis closed the connection");
	_end += static_cast<std::size_t>(received);
}

std::size_t RespReader::awaitReply()
{
	for (;;)
	{
		if (_end > _start)
		{
			const std::size_t length = scan(_buffer.data(), _start, _end, 0);
			if (length != npos) return length;
		}
		receiveMore();
	}
}

RedisType::Ptr RespReader::readReply()
{
	const std::size_t length = awaitReply();
	Parser parser(_buffer.data(), _start, _start + length);
	// Taken before it is parsed: whatever happens, the next read starts
	// after it.
	_start += length;
	return parser.poco();
}

std::size_t RespReader::readStreams(const EntryVisitor& visit)
{
	if (_walking) throw Poco::IllegalStateException("RespReader::readStreams() called from its own visitor");
	const std::size_t length = awaitReply();
	// Walked from a copy: a visitor may send commands on the same
	// connection (a gap filled from a room's log), whose replies move this
	// buffer. One copy per reply, not per field.
	_walk.assign(_buffer, _start, length);
	_start += length;
	Parser parser(_walk.data(), 0, length);
	struct Walking
	{
		bool& flag;
		explicit Walking(bool& f): flag(f) { flag = true; }
		~Walking() { flag = false; }
	} walking(_walking);
	std::size_t entries = 0;
	// [[key, [[id, [field, value, ...]], ...]], ...]
	for (long long streams = parser.arrayHeader(); streams > 0; --streams)
	{
		if (parser.arrayHeader() != 2) malformed("a stream that is not [key, entries]");
		const std::string_view stream = parser.string();
		for (long long count = parser.arrayHeader(); count > 0; --count)
		{
			if (parser.arrayHeader() != 2) malformed("an entry that is not [id, fields]");
			const std::string_view id = parser.string();
			const long long values = parser.arrayHeader();
			if (values > 0 && values % 2 != 0) malformed("an entry with an odd number of fields and values");
			_fields.clear();
			for (long long i = 0; i < values; i += 2)
			{
				const std::string_view name = parser.string();
				_fields.emplace_back(name, parser.string());
			}
			visit(stream, id, _fields);
			++entries;
		}
	}
	return entries;
}

} // namespace webchat::chatroom::redis
