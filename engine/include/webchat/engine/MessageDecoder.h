//
// MessageDecoder.h
//
// Incremental RFC 6455 decoder for one connection: turns received bytes, cut
// anywhere, into whole validated messages and control frames. No I/O; the
// event loop feeds it what it reads and acts on the result.
//
// With Compression::PerMessageDeflate (RFC 7692, negotiated in the
// handshake) a data message whose first frame has RSV1 set is compressed:
// its payload is inflated as it arrives, never to more than
// Limits::maxMessageBytes (a deflate bomb fails with 1009 once the limit is
// reached), and text is checked for UTF-8 after inflating. Each message is
// inflated on its own: the peer must not keep its compression context
// between messages (client_no_context_takeover, which the engine asks of
// every client; the server does the same for what it sends). The inflate
// state (about 40 KiB) exists from the first compressed message on, until
// releaseIdleMemory().
//
// Enforced, each with its close code (RFC 6455 7.4.1):
//   1002 ProtocolError: wrong masking for the role, RSV1-3 set (RSV1 allowed
//        on the first frame of a data message with compression), unknown
//        opcode, control frame fragmented or over 125 bytes, continuation
//        without a message, new message inside a fragmented one, non-minimal
//        or 64-bit-overflowing length, close body of 1 byte or invalid code
//   1007 InvalidPayload: text (or close reason) not UTF-8, detected at the
//        first invalid byte, before the message completes; a compressed
//        payload that is not a deflate stream
//   1009 MessageTooBig: the fragments so far plus the frame's announced
//        length exceed Limits::maxMessageBytes, detected from the header
//        before any of its payload is buffered; or a compressed message
//        inflates to more than that
//
// Memory: a message that arrives whole within one feed() is delivered from
// the caller's buffer without copying; otherwise the decoder buffers only
// the bytes actually received (never the announced length up front), in a
// buffer it makes then and gives back at releaseIdleMemory().
//

#ifndef WEBCHAT_ENGINE_MESSAGEDECODER_INCLUDED
#define WEBCHAT_ENGINE_MESSAGEDECODER_INCLUDED

#include "webchat/engine/Protocol.h"
#include "webchat/engine/Utf8Validator.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace webchat::ws {

class Inflater;

class MessageDecoder
{
public:
	enum class Role: std::uint8_t
	{
		Server, // the peer is a client: its frames MUST be masked
		Client  // the peer is a server: its frames MUST NOT be masked
	};

	enum class Compression: std::uint8_t
	{
		None,             // RSV1 is a protocol error
		PerMessageDeflate // RSV1 marks a compressed message (RFC 7692)
	};

	struct Limits
	{
		std::size_t maxMessageBytes = 64 * 1024; // reassembled payload of one data message (at most 4 GiB - 1: more is taken as that)
	};

	/// Receives what feed() decodes, synchronously, from inside feed(). The
	/// payloads point into the caller's buffer or the decoder's own and are
	/// valid only during the call. A handler may call stop() on the decoder;
	/// it must not destroy the decoder, call feed() again or throw.
	class Handler
	{
	public:
		/// A whole, reassembled message; Text is valid UTF-8.
		virtual void onMessage(Opcode opcode, std::string_view payload) = 0;
		virtual void onPing(std::string_view payload) = 0;
		virtual void onPong(std::string_view payload) = 0;
		/// A valid close frame (code NoStatus when it had no body). The
		/// decoder ignores all input after it.
		virtual void onClose(std::uint16_t code, std::string_view reason) = 0;

	protected:
		// Not deleted through this interface; virtual anyway so that deleting
		// a non-final handler class through its own type stays warning-free.
		virtual ~Handler() = default;
	};

	/// closeCode 0 means no error; otherwise the code to close with and a
	/// short reason that fits a close frame.
	struct Error
	{
		std::uint16_t closeCode = 0;
		std::string reason;

		explicit operator bool() const { return closeCode != 0; }
	};

	MessageDecoder(Role role, Limits limits, Handler& handler, Compression compression = Compression::None);
	~MessageDecoder();

	MessageDecoder(const MessageDecoder&) = delete;
	MessageDecoder& operator=(const MessageDecoder&) = delete;

	/// Consumes all of data, calling the handler for each complete message and
	/// control frame. Unmasks in place (data is scratch afterwards). Returns
	/// the protocol error if the input breaks a rule; the error is sticky:
	/// later calls ignore their input and return it again. After a close
	/// frame or stop(), input is ignored and no error is returned.
	Error feed(char* data, std::size_t size);

	/// Bytes of an unfinished frame (header or payload) are pending: the
	/// peer stopped mid-frame.
	bool hasPartialFrame() const { return _headerSize != 0 || _inPayload; }

	/// A data message has started and not yet been delivered: a fragmented
	/// message between its frames, or a frame still arriving (the loop
	/// times out a peer stalled there).
	bool hasPartialMessage() const { return _messageOpcode != Opcode::Continuation; }

	/// A close frame was received (and delivered to onClose).
	bool closed() const { return _closed; }

	/// feed() has reported an error; error() returns it.
	bool failed() const { return _errorCode != 0; }
	Error error() const { return Error{_errorCode, _errorReason ? _errorReason : ""}; }

	/// Ignore all further input, e.g. because the handler decided to close
	/// the connection. Safe to call from inside a handler callback: feed()
	/// returns as soon as the callback does.
	void stop() { _stopped = true; }

	/// Memory the decoder holds for reassembly (its buffer's capacity), for
	/// accounting and tests.
	std::size_t bufferCapacity() const { return _message ? _message->capacity() : 0; }

	/// Releases the inflate state and the reassembly buffer unless a
	/// message (or a control frame) is arriving; the next one that needs
	/// them makes new ones.
	void releaseIdleMemory();

	/// Whether the decoder holds a reassembly buffer (for tests).
	bool holdsBuffer() const { return _message != nullptr; }

	/// Whether the decoder holds an inflate state (for tests).
	bool holdsInflateState() const { return _inflater != nullptr; }

	Role role() const { return _role; }
	Limits limits() const { return Limits{_maxMessageBytes}; }

private:
	bool checkFirstByte(unsigned char b0);
	bool checkSecondByte(unsigned char b0, unsigned char b1);
	void parseHeader(const unsigned char* header);
	void consumePayload(char* data, std::size_t size);
	void inflatePayload(const char* data, std::size_t size, bool last);
	void finishControl(const char* payload, std::size_t size);
	void deliverMessage(const char* payload, std::size_t size);
	void fail(std::uint16_t closeCode, const char* reason);
	// The reassembly buffer, made on first use.
	std::string& buffer();

	// Ordered to pack (every connection has one): the bytes first, then
	// the words.
	const Role _role;
	const Compression _compression;

	// The frame being read. A header cut across feeds is collected in
	// _header; a complete one in the caller's buffer is parsed in place.
	unsigned char _header[MaxFrameHeaderSize];
	std::uint8_t _headerSize = 0;
	bool _inPayload = false;
	bool _fin = false;
	Opcode _opcode = Opcode::Continuation;
	unsigned char _mask[4] = {};

	// The data message being reassembled (_messageOpcode is Continuation
	// when none is in progress).
	Opcode _messageOpcode = Opcode::Continuation;
	bool _messageCompressed = false;
	Utf8Validator _utf8;

	bool _closed = false;
	bool _stopped = false;
	// The error feed() reports (fail()): reasons are string literals.
	std::uint16_t _errorCode = 0;
	const char* _errorReason = nullptr;

	Handler& _handler;
	// Lengths in 32 bits (every connection has them): the limit, held to
	// 4 GiB - 1, bounds every data frame and message before it is taken,
	// and a control frame is at most 125 bytes.
	const std::uint32_t _maxMessageBytes; // Limits::maxMessageBytes
	// The announced lengths of the message's frames so far, for the size
	// check before buffering.
	std::uint32_t _messageBytes = 0;
	std::uint32_t _frameLength = 0;
	std::uint32_t _frameReceived = 0;
	// Its bytes, from the first message (or control frame) that spans
	// feeds until releaseIdleMemory(), or at once when it grew past 4 KiB:
	// 8 bytes in an idle connection, where a std::string takes 32. A
	// control frame's payload cut across feeds is collected at the end,
	// after the message's (a control frame comes whole between two of its
	// frames), and taken off once handled: no buffer of its own.
	std::unique_ptr<std::string> _message;
	std::unique_ptr<Inflater> _inflater; // from the first compressed message until releaseIdleMemory()
};

} // namespace webchat::ws

#endif // WEBCHAT_ENGINE_MESSAGEDECODER_INCLUDED
