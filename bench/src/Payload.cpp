#include "Payload.h"

#include <array>

namespace webchat::bench {

namespace {

constexpr char HexDigits[] = "0123456789abcdef";

// Maps a character to its hex value, or 0xFF when it is not a lowercase hex digit.
constexpr std::array<std::uint8_t, 256> makeHexTable()
{
	std::array<std::uint8_t, 256> table{};
	for (auto& entry : table) entry = 0xFF;
	for (int i = 0; i < 10; ++i) table['0' + i] = static_cast<std::uint8_t>(i);
	for (int i = 0; i < 6; ++i) table['a' + i] = static_cast<std::uint8_t>(10 + i);
	return table;
}

constexpr std::array<std::uint8_t, 256> HexTable = makeHexTable();

void writeHex(char* out, std::uint64_t value, int digits)
{
	for (int i = digits - 1; i >= 0; --i)
	{
		out[i] = HexDigits[value & 0xF];
		value >>= 4;
	}
}

bool readHex(const char* in, int digits, std::uint64_t& value)
{
	std::uint64_t result = 0;
	std::uint8_t bad = 0;
	for (int i = 0; i < digits; ++i)
	{
		const std::uint8_t digit = HexTable[static_cast<unsigned char>(in[i])];
		bad |= digit & 0xF0;
		result = (result << 4) | (digit & 0xF);
	}
	value = result;
	return bad == 0;
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
	std::uint64_t sender = 0, seq = 0, sentNs = 0;
	if (!readHex(payload.data(), 8, sender) || !readHex(payload.data() + 8, 8, seq) ||
		!readHex(payload.data() + 16, 16, sentNs))
		return false;
	fields.sender = static_cast<std::uint32_t>(sender);
	fields.seq = static_cast<std::uint32_t>(seq);
	fields.sentNs = sentNs;
	const char pad = paddingFor(fields.seq);
	unsigned mismatch = 0;
	for (std::size_t i = MinPayloadSize; i < payload.size(); ++i) mismatch |= static_cast<unsigned>(payload[i] != pad);
	return mismatch == 0;
}

} // namespace webchat::bench
