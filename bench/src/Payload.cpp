#include "Payload.h"

#include <cstring>

namespace webchat::bench {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

void writeHex(char* out, std::uint64_t value, int digits)
{
	for (int i = digits - 1; i >= 0; --i)
	{
		out[i] = HexDigits[value & 0xF];
		value >>= 4;
	}
}

constexpr std::uint64_t Ones = 0x0101010101010101ull;
constexpr std::uint64_t HighBits = 0x8080808080808080ull;

// Eight lowercase hex digits at once (SWAR): every delivery is parsed, so
// this is the benchmark's hottest code; a byte-wise loop cost half its time.
// False if any byte is not 0-9 or a-f.
bool readHex8(const char* in, std::uint32_t& value)
{
	std::uint64_t v;
	std::memcpy(&v, in, 8);
	if (v & HighBits) return false;
	// Bytes are below 0x80, so adding up to 0x50 never carries into the next
	// byte; the high bit of each sum says "at least" the bound.
	const std::uint64_t atLeast0 = v + (0x80 - '0') * Ones;
	const std::uint64_t above9 = v + (0x80 - '9' - 1) * Ones;
	const std::uint64_t atLeastA = v + (0x80 - 'a') * Ones;
	const std::uint64_t aboveF = v + (0x80 - 'f' - 1) * Ones;
	const std::uint64_t digit = atLeast0 & ~above9 & HighBits;
	const std::uint64_t letter = atLeastA & ~aboveF & HighBits;
	if ((digit | letter) != HighBits) return false;
	// Nibble values, then pairs into bytes: in memory order the first
	// character is the most significant nibble.
	std::uint64_t nibbles = (v & 0x0F0F0F0F0F0F0F0Full) + (letter >> 7) * 9;
	if constexpr (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__) nibbles = __builtin_bswap64(nibbles);
	const std::uint64_t pairs = ((nibbles & 0x000F000F000F000Full) << 4) | ((nibbles >> 8) & 0x000F000F000F000Full);
	value = static_cast<std::uint32_t>(((pairs & 0xFF) << 24) | (((pairs >> 16) & 0xFF) << 16) |
		(((pairs >> 32) & 0xFF) << 8) | ((pairs >> 48) & 0xFF));
	return true;
}

char paddingFor(std::uint32_t seq)
{
	return static_cast<char>('A' + seq % 26);
}

} // namespace

void encodePayload(char* out, std::size_t size, const PayloadFields& fields)
{
	writeHex(out, fields.sender, 8);
	writeHex(out + 8, fields.seq, 8);
	writeHex(out + 16, fields.sentNs, 16);
	const char pad = paddingFor(fields.seq);
	for (std::size_t i = MinPayloadSize; i < size; ++i) out[i] = pad;
}

bool decodePayload(std::string_view payload, std::size_t expectedSize, PayloadFields& fields)
{
	if (payload.size() != expectedSize || payload.size() < MinPayloadSize) return false;
	std::uint32_t sender = 0, seq = 0, sentHigh = 0, sentLow = 0;
	if (!readHex8(payload.data(), sender) || !readHex8(payload.data() + 8, seq) ||
		!readHex8(payload.data() + 16, sentHigh) || !readHex8(payload.data() + 24, sentLow))
		return false;
	fields.sender = sender;
	fields.seq = seq;
	fields.sentNs = (std::uint64_t{sentHigh} << 32) | sentLow;
	if (payload.size() == MinPayloadSize) return true;
	// All padding bytes equal the first one exactly when the padding equals
	// itself shifted by one byte: one vectorized memcmp.
	const char* padding = payload.data() + MinPayloadSize;
	const std::size_t length = payload.size() - MinPayloadSize;
	return padding[0] == paddingFor(seq) && std::memcmp(padding, padding + 1, length - 1) == 0;
}

} // namespace webchat::bench
