//
// Payload.h
//
// What every benchmark message carries, so each delivery can be checked:
// who sent it, its place in that sender's sequence and when it was sent.
// Fixed-width lowercase hex (valid UTF-8, so it can travel as a text
// message), then padding up to the requested size. The padding character
// depends on the sequence number, so a payload spliced from two messages or
// cut short does not pass for a valid one.
//
//   sender (8 hex) | seq (8 hex) | sent at, steady clock ns (16 hex) | padding
//

#ifndef WEBCHAT_BENCH_PAYLOAD_INCLUDED
#define WEBCHAT_BENCH_PAYLOAD_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace webchat::bench {

struct PayloadFields
{
	std::uint32_t sender = 0;
	std::uint32_t seq = 0;
	std::uint64_t sentNs = 0;
};

/// The smallest payload: the fields without padding.
constexpr std::size_t MinPayloadSize = 32;

/// Writes a payload of exactly size bytes (>= MinPayloadSize) to out.
void encodePayload(char* out, std::size_t size, const PayloadFields& fields);

/// Parses and checks a payload: false when it is not exactly expectedSize
/// bytes, a field is not hex or the padding is wrong.
bool decodePayload(std::string_view payload, std::size_t expectedSize, PayloadFields& fields);

} // namespace webchat::bench

#endif
