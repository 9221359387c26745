//
// Protocol.h
//
// RFC 6455 basics: opcodes, close codes and frame building. Pure functions,
// no I/O and no global state.
//
// Frame layout (RFC 6455 5.2):
//   byte 0: FIN, RSV1-3, opcode (4 bits)
//   byte 1: MASK, payload length (7 bits: 0-125, or 126 = 16-bit length
//           follows, or 127 = 64-bit length follows, network byte order)
//   then the 4-byte masking key if MASK is set, then the payload.
//

#ifndef WEBCHAT_ENGINE_PROTOCOL_INCLUDED
#define WEBCHAT_ENGINE_PROTOCOL_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace webchat::ws {

enum class Opcode: std::uint8_t
{
	Continuation = 0x0,
	Text = 0x1,
	Binary = 0x2,
	Close = 0x8,
	Ping = 0x9,
	Pong = 0xA
};

/// Close, Ping and Pong: at most 125 bytes of payload, never fragmented.
constexpr bool isControl(Opcode opcode) { return (static_cast<std::uint8_t>(opcode) & 0x8) != 0; }

/// The largest payload of a control frame, and so of a close frame's body.
constexpr std::size_t MaxControlPayload = 125;

/// The largest frame header: 2 bytes, a 64-bit length, a masking key.
constexpr std::size_t MaxFrameHeaderSize = 14;

namespace CloseCode {
constexpr std::uint16_t Normal = 1000;
constexpr std::uint16_t GoingAway = 1001;
constexpr std::uint16_t ProtocolError = 1002;
constexpr std::uint16_t Unsupported = 1003;
constexpr std::uint16_t NoStatus = 1005;       // never sent: "the close frame had no body"
constexpr std::uint16_t Abnormal = 1006;       // never sent: "the connection dropped without a close frame"
constexpr std::uint16_t InvalidPayload = 1007;
constexpr std::uint16_t PolicyViolation = 1008;
constexpr std::uint16_t MessageTooBig = 1009;
constexpr std::uint16_t InternalError = 1011;
} // namespace CloseCode

/// True for the codes a peer may send in a close frame (RFC 6455 7.4):
/// 1000-1003, 1007-1011 and 3000-4999. 1004-1006, 1012-1016 and everything
/// else below 3000 or above 4999 are refused.
bool isValidCloseCode(std::uint16_t code);

/// The size of the header of a frame with this payload: 2, 4 or 10 bytes,
/// plus 4 for the masking key.
std::size_t frameHeaderSize(std::size_t payloadSize, bool masked);

/// Appends one unmasked frame (what a server sends). The caller keeps control
/// frames within MaxControlPayload and unfragmented (fin = true); that is not
/// checked here. compressed sets RSV1: the first frame of a message whose
/// payload is compressed (permessage-deflate, RFC 7692).
void appendFrame(std::string& out, Opcode opcode, std::string_view payload, bool fin = true, bool compressed = false);

/// Appends one masked frame (what a client sends). The key's most significant
/// byte is the first masking byte on the wire.
void appendMaskedFrame(std::string& out, Opcode opcode, std::string_view payload, std::uint32_t maskKey, bool fin = true,
	bool compressed = false);

/// The body of a close frame: the code in network byte order, then the
/// longest prefix of reason that is valid UTF-8, ends on a character boundary
/// and fits the 125-byte control payload (123 bytes). The codes that must
/// never appear on the wire (1005 NoStatus, 1006 Abnormal, 1015 TLS failure)
/// give an empty body, which the peer reads as NoStatus.
std::string closePayload(std::uint16_t code, std::string_view reason = {});

/// XORs data with the masking key, starting at byte `offset` of the masked
/// payload (so a payload can be (un)masked piecewise). Same key convention as
/// appendMaskedFrame; applying it twice restores the data.
void applyMask(char* data, std::size_t size, std::uint32_t maskKey, std::size_t offset = 0);

} // namespace webchat::ws

#endif // WEBCHAT_ENGINE_PROTOCOL_INCLUDED
