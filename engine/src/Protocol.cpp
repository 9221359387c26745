#include "webchat/engine/Protocol.h"

#include "webchat/engine/Utf8Validator.h"

#include "Masking.h"

#include <algorithm>

namespace webchat::ws {

namespace {

// Writes a frame header to out (at least MaxFrameHeaderSize - 4 bytes) and
// returns its size, without the masking key.
std::size_t writeHeader(unsigned char* out, Opcode opcode, std::size_t size, bool masked, bool fin, bool compressed)
{
	out[0] = static_cast<unsigned char>((fin ? 0x80 : 0x00) | (compressed ? 0x40 : 0x00) | static_cast<unsigned char>(opcode));
	const unsigned char maskBit = masked ? 0x80 : 0x00;
	if (size < 126)
	{
		out[1] = static_cast<unsigned char>(maskBit | size);
		return 2;
	}
	if (size <= 0xFFFF)
	{
		out[1] = maskBit | 126;
		out[2] = static_cast<unsigned char>(size >> 8);
		out[3] = static_cast<unsigned char>(size);
		return 4;
	}
	out[1] = maskBit | 127;
	const std::uint64_t length = size;
	for (int i = 0; i < 8; ++i) out[2 + i] = static_cast<unsigned char>(length >> (56 - 8 * i));
	return 10;
}

void keyBytes(std::uint32_t maskKey, unsigned char key[4])
{
	key[0] = static_cast<unsigned char>(maskKey >> 24);
	key[1] = static_cast<unsigned char>(maskKey >> 16);
	key[2] = static_cast<unsigned char>(maskKey >> 8);
	key[3] = static_cast<unsigned char>(maskKey);
}

} // namespace

bool isValidCloseCode(std::uint16_t code)
{
	return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

std::size_t frameHeaderSize(std::size_t payloadSize, bool masked)
{
	const std::size_t base = payloadSize < 126 ? 2 : payloadSize <= 0xFFFF ? 4 : 10;
	return masked ? base + 4 : base;
}

void appendFrame(std::string& out, Opcode opcode, std::string_view payload, bool fin, bool compressed)
{
	unsigned char header[MaxFrameHeaderSize];
	const std::size_t headerSize = writeHeader(header, opcode, payload.size(), false, fin, compressed);
	out.reserve(out.size() + headerSize + payload.size());
	out.append(reinterpret_cast<const char*>(header), headerSize);
	out.append(payload.data(), payload.size());
}

void appendMaskedFrame(std::string& out, Opcode opcode, std::string_view payload, std::uint32_t maskKey, bool fin, bool compressed)
{
	unsigned char header[MaxFrameHeaderSize];
	std::size_t headerSize = writeHeader(header, opcode, payload.size(), true, fin, compressed);
	keyBytes(maskKey, header + headerSize);
	headerSize += 4;
	out.reserve(out.size() + headerSize + payload.size());
	out.append(reinterpret_cast<const char*>(header), headerSize);
	const std::size_t start = out.size();
	out.append(payload.data(), payload.size());
	detail::mask(out.data() + start, payload.size(), header + headerSize - 4, 0);
}

std::string closePayload(std::uint16_t code, std::string_view reason)
{
	std::string out;
	if (code == CloseCode::NoStatus || code == CloseCode::Abnormal || code == 1015) return out;
	// Keep the longest prefix that ends on a character boundary and is valid,
	// so the peer never fails the close frame with 1007.
	const std::size_t limit = std::min(reason.size(), MaxControlPayload - 2);
	std::size_t keep = 0;
	Utf8Validator validator;
	for (std::size_t i = 0; i < limit; ++i)
	{
		if (!validator.feed(reason.data() + i, 1)) break;
		if (validator.complete()) keep = i + 1;
	}
	out.reserve(2 + keep);
	out.push_back(static_cast<char>(code >> 8));
	out.push_back(static_cast<char>(code & 0xFF));
	out.append(reason.data(), keep);
	return out;
}

void applyMask(char* data, std::size_t size, std::uint32_t maskKey, std::size_t offset)
{
	unsigned char key[4];
	keyBytes(maskKey, key);
	detail::mask(data, size, key, offset);
}

} // namespace webchat::ws
