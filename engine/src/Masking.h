// Payload masking (RFC 6455 5.3), shared by the frame builder and the
// decoder. Internal to the engine.
#ifndef WEBCHAT_ENGINE_MASKING_INCLUDED
#define WEBCHAT_ENGINE_MASKING_INCLUDED

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace webchat::ws::detail {

/// XORs data with the 4 key bytes as they appear on the wire, starting at
/// byte `offset` of the masked payload. 16 bytes per step: the key repeats
/// every 4 bytes, so a 64-bit word of it (built in memory order, hence
/// endian-neutral) lines up with every 8-byte block.
inline void mask(char* data, std::size_t size, const unsigned char key[4], std::size_t offset)
{
	unsigned char rotated[8];
	for (std::size_t i = 0; i < 8; ++i) rotated[i] = key[(offset + i) & 3];
	std::uint64_t word;
	std::memcpy(&word, rotated, 8);
	std::size_t i = 0;
	for (; i + 16 <= size; i += 16)
	{
		std::uint64_t a, b;
		std::memcpy(&a, data + i, 8);
		std::memcpy(&b, data + i + 8, 8);
		a ^= word;
		b ^= word;
		std::memcpy(data + i, &a, 8);
		std::memcpy(data + i + 8, &b, 8);
	}
	for (; i < size; ++i) data[i] = static_cast<char>(data[i] ^ rotated[i & 7]);
}

} // namespace webchat::ws::detail

#endif
