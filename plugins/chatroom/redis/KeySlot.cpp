#include "redis/KeySlot.h"

namespace webchat::chatroom::redis {

std::uint16_t crc16(std::string_view bytes)
{
	// Bit by bit: keys are short, and a table would be 512 bytes of
	// constants to check.
	std::uint16_t crc = 0;
	for (const char c : bytes)
	{
		crc = static_cast<std::uint16_t>(crc ^ (static_cast<std::uint16_t>(static_cast<unsigned char>(c)) << 8));
		for (int bit = 0; bit < 8; ++bit)
			crc = static_cast<std::uint16_t>((crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1);
	}
	return crc;
}

std::uint16_t keySlot(std::string_view key)
{
	const auto open = key.find('{');
	if (open != std::string_view::npos)
	{
		const auto close = key.find('}', open + 1);
		// "{}" (an empty tag) hashes the whole key.
		if (close != std::string_view::npos && close > open + 1) key = key.substr(open + 1, close - open - 1);
	}
	return static_cast<std::uint16_t>(crc16(key) % SlotCount);
}

} // namespace webchat::chatroom::redis
