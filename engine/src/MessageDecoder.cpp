#include "webchat/engine/MessageDecoder.h"

#include "DeflateCodec.h"
#include "Masking.h"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace webchat::ws {

namespace {

// Above this, the reassembly buffer is released after each message rather
// than kept for the next: a connection that once sent a large message must
// not pin its memory while idle.
constexpr std::size_t KeptBufferCapacity = 4096;

// The header size announced by its second byte.
inline std::size_t headerLength(unsigned char b1)
{
	const unsigned char length = b1 & 0x7F;
	std::size_t size = length == 126 ? 4 : length == 127 ? 10 : 2;
	if (b1 & 0x80) size += 4;
	return size;
}

inline bool isKnownOpcode(unsigned opcode)
{
	return opcode <= 0x2 || (opcode >= 0x8 && opcode <= 0xA);
}

} // namespace

MessageDecoder::MessageDecoder(Role role, Limits limits, Handler& handler, Compression compression):
	_role(role),
	_compression(compression),
	_handler(handler),
	_maxMessageBytes(static_cast<std::uint32_t>(std::min<std::size_t>(limits.maxMessageBytes, UINT32_MAX)))
{
}

MessageDecoder::~MessageDecoder() = default;

void MessageDecoder::releaseIdleMemory()
{
	if (hasPartialMessage()) return;
	_inflater.reset();
	// A control frame cut across reads may be collected at its end.
	if (!hasPartialFrame()) _message.reset();
}

MessageDecoder::Error MessageDecoder::feed(char* data, std::size_t size)
{
	char* p = data;
	char* const end = data + size;
	while (!_closed && !_stopped && _errorCode == 0)
	{
		if (_inPayload)
		{
			const std::uint64_t left = _frameLength - _frameReceived;
			if (left != 0 && p == end) break;
			const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, static_cast<std::size_t>(end - p)));
			consumePayload(p, n);
			p += n;
			continue;
		}

		const std::size_t avail = static_cast<std::size_t>(end - p);
		if (avail == 0) break;

		// Common case: the whole header is here; parse it in place.
		if (_headerSize == 0 && avail >= 2)
		{
			const auto* h = reinterpret_cast<const unsigned char*>(p);
			const std::size_t need = headerLength(h[1]);
			if (avail >= need)
			{
				if (checkFirstByte(h[0]) && checkSecondByte(h[0], h[1])) parseHeader(h);
				p += need;
				continue;
			}
		}

		// The header is cut: collect it, checking each fixed byte as soon
		// as it arrives.
		if (_headerSize < 2)
		{
			_header[_headerSize++] = static_cast<unsigned char>(*p++);
			if (_headerSize == 1 ? !checkFirstByte(_header[0]) : !checkSecondByte(_header[0], _header[1])) break;
			if (_headerSize < 2) continue;
		}
		const std::size_t need = headerLength(_header[1]);
		const std::size_t take = std::min(need - _headerSize, static_cast<std::size_t>(end - p));
		std::memcpy(_header + _headerSize, p, take);
		_headerSize = static_cast<std::uint8_t>(_headerSize + take);
		p += take;
		if (_headerSize < need) break;
		_headerSize = 0;
		parseHeader(_header);
	}
	return error();
}

bool MessageDecoder::checkFirstByte(unsigned char b0)
{
	const unsigned opcode = b0 & 0x0F;
	if (b0 & 0x40)
	{
		// RSV1: a compressed message, marked on its first frame only.
		if (_compression == Compression::None)
		{
			fail(CloseCode::ProtocolError, "reserved bits set without an extension");
			return false;
		}
		if (opcode != 0x1 && opcode != 0x2)
		{
			fail(CloseCode::ProtocolError, "RSV1 on a control or continuation frame");
			return false;
		}
	}
	if (b0 & 0x30)
	{
		fail(CloseCode::ProtocolError, "reserved bits set without an extension");
		return false;
	}
	if (!isKnownOpcode(opcode))
	{
		fail(CloseCode::ProtocolError, "unknown opcode");
		return false;
	}
	if (opcode & 0x8)
	{
		if (!(b0 & 0x80))
		{
			fail(CloseCode::ProtocolError, "fragmented control frame");
			return false;
		}
	}
	else if (opcode == 0)
	{
		if (_messageOpcode == Opcode::Continuation)
		{
			fail(CloseCode::ProtocolError, "continuation frame without a message");
			return false;
		}
	}
	else if (_messageOpcode != Opcode::Continuation)
	{
		fail(CloseCode::ProtocolError, "new message inside a fragmented message");
		return false;
	}
	return true;
}

bool MessageDecoder::checkSecondByte(unsigned char b0, unsigned char b1)
{
	const bool masked = (b1 & 0x80) != 0;
	if (_role == Role::Server && !masked)
	{
		fail(CloseCode::ProtocolError, "unmasked frame from a client");
		return false;
	}
	if (_role == Role::Client && masked)
	{
		fail(CloseCode::ProtocolError, "masked frame from a server");
		return false;
	}
	if ((b0 & 0x8) && (b1 & 0x7F) > MaxControlPayload)
	{
		fail(CloseCode::ProtocolError, "control frame over 125 bytes");
		return false;
	}
	return true;
}

void MessageDecoder::parseHeader(const unsigned char* h)
{
	std::uint64_t length = h[1] & 0x7F;
	const unsigned char* q = h + 2;
	if (length == 126)
	{
		length = (std::uint64_t(q[0]) << 8) | q[1];
		q += 2;
		if (length < 126) return fail(CloseCode::ProtocolError, "non-minimal frame length");
	}
	else if (length == 127)
	{
		length = 0;
		for (int i = 0; i < 8; ++i) length = (length << 8) | q[i];
		q += 8;
		if (length >> 63) return fail(CloseCode::ProtocolError, "frame length over 63 bits");
		if (length <= 0xFFFF) return fail(CloseCode::ProtocolError, "non-minimal frame length");
	}
	if (h[1] & 0x80) std::memcpy(_mask, q, 4);

	_opcode = static_cast<Opcode>(h[0] & 0x0F);
	_fin = (h[0] & 0x80) != 0;
	if (!isControl(_opcode))
	{
		// Before a byte of the payload is buffered.
		if (length > _maxMessageBytes - _messageBytes)
			return fail(CloseCode::MessageTooBig, "message too big");
		_messageBytes += static_cast<std::uint32_t>(length);
		if (_opcode != Opcode::Continuation)
		{
			_messageOpcode = _opcode;
			_messageCompressed = (h[0] & 0x40) != 0;
			_utf8.reset();
		}
	}
	// Within the limit (data) or 125 (control): 32 bits hold it.
	_frameLength = static_cast<std::uint32_t>(length);
	_frameReceived = 0;
	_inPayload = true;
}

void MessageDecoder::consumePayload(char* data, std::size_t size)
{
	if (_role == Role::Server) detail::mask(data, size, _mask, static_cast<std::size_t>(_frameReceived));
	const std::size_t offset = static_cast<std::size_t>(_frameReceived);
	_frameReceived += static_cast<std::uint32_t>(size);
	const bool done = _frameReceived == _frameLength;
	if (done) _inPayload = false;

	if (isControl(_opcode))
	{
		if (offset == 0 && done)
			finishControl(data, size);
		else
		{
			std::string& message = buffer();
			message.append(data, size);
			if (done)
			{
				const std::size_t start = message.size() - static_cast<std::size_t>(_frameLength);
				finishControl(message.data() + start, static_cast<std::size_t>(_frameLength));
				message.resize(start);
			}
		}
		return;
	}

	if (_messageCompressed) return inflatePayload(data, size, done && _fin);

	// Text is checked piece by piece, so an invalid byte fails the message
	// before the rest of it arrives.
	if (_messageOpcode == Opcode::Text && !_utf8.feed(data, size))
		return fail(CloseCode::InvalidPayload, "invalid UTF-8 in text message");
	if (done && _fin)
	{
		if (_messageOpcode == Opcode::Text && !_utf8.complete())
			return fail(CloseCode::InvalidPayload, "text message ends inside a UTF-8 sequence");
		// Nothing buffered: the message is exactly this piece of the
		// caller's buffer, delivered without a copy.
		if (!_message || _message->empty())
			deliverMessage(data, size);
		else
		{
			_message->append(data, size);
			deliverMessage(_message->data(), _message->size());
		}
	}
	else
		buffer().append(data, size);
}

void MessageDecoder::inflatePayload(const char* data, std::size_t size, bool last)
{
	if (!_inflater) _inflater = std::make_unique<Inflater>();
	std::string& message = buffer();
	const std::size_t before = message.size();
	Inflater::Result result = _inflater->inflate(data, size, message, _maxMessageBytes);
	if (result == Inflater::Result::Ok && last) result = _inflater->finish(message, _maxMessageBytes);
	if (result == Inflater::Result::TooBig)
	{
		// The bytes within the limit are checked first: a text invalid
		// before its limit fails as invalid however its frames were cut
		// (cut finer, that part is inflated and checked in an earlier feed).
		const std::size_t within = std::min<std::size_t>(message.size(), _maxMessageBytes);
		if (_messageOpcode == Opcode::Text && within > before && !_utf8.feed(message.data() + before, within - before))
			return fail(CloseCode::InvalidPayload, "invalid UTF-8 in text message");
		return fail(CloseCode::MessageTooBig, "message too big once inflated");
	}
	if (result == Inflater::Result::Corrupt) return fail(CloseCode::InvalidPayload, "compressed payload is not a deflate stream");
	if (_messageOpcode == Opcode::Text && !_utf8.feed(message.data() + before, message.size() - before))
		return fail(CloseCode::InvalidPayload, "invalid UTF-8 in text message");
	if (!last) return;
	if (_messageOpcode == Opcode::Text && !_utf8.complete())
		return fail(CloseCode::InvalidPayload, "text message ends inside a UTF-8 sequence");
	_messageCompressed = false;
	deliverMessage(message.data(), message.size());
}

void MessageDecoder::finishControl(const char* payload, std::size_t size)
{
	switch (_opcode)
	{
	case Opcode::Ping:
		_handler.onPing(std::string_view(payload, size));
		break;
	case Opcode::Pong:
		_handler.onPong(std::string_view(payload, size));
		break;
	default: // Close
	{
		if (size == 1) return fail(CloseCode::ProtocolError, "close frame with a 1-byte body");
		std::uint16_t code = CloseCode::NoStatus;
		std::string_view reason;
		if (size >= 2)
		{
			code = static_cast<std::uint16_t>((static_cast<unsigned char>(payload[0]) << 8) | static_cast<unsigned char>(payload[1]));
			if (!isValidCloseCode(code)) return fail(CloseCode::ProtocolError, "invalid close code");
			reason = std::string_view(payload + 2, size - 2);
			if (!isValidUtf8(reason)) return fail(CloseCode::InvalidPayload, "close reason is not UTF-8");
		}
		_closed = true;
		_handler.onClose(code, reason);
		break;
	}
	}
}

void MessageDecoder::deliverMessage(const char* payload, std::size_t size)
{
	const Opcode opcode = _messageOpcode;
	_messageOpcode = Opcode::Continuation;
	_messageBytes = 0;
	_handler.onMessage(opcode, std::string_view(payload, size));
	if (!_message) return;
	if (_message->capacity() > KeptBufferCapacity)
		_message.reset();
	else
		_message->clear();
}

std::string& MessageDecoder::buffer()
{
	if (!_message) _message = std::make_unique<std::string>();
	return *_message;
}

void MessageDecoder::fail(std::uint16_t closeCode, const char* reason)
{
	_errorCode = closeCode;
	_errorReason = reason;
}

} // namespace webchat::ws
