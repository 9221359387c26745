//
// KeySlot.h
//
// Where a key lives in a Redis Cluster: its hash slot, CRC16 (XMODEM:
// polynomial 0x1021, initial value 0) of the key modulo 16384, or of its
// hash tag when it has one: the bytes between the first '{' and the first
// '}' after it, when there are any (the Cluster specification, "Hash tags").
// Keys with one tag share a slot, hence a node: every key of a room carries
// {<room>} (Keyspace.h), so a room's scripts touch one slot.
//

#ifndef WEBCHAT_CHATROOM_KEYSLOT_INCLUDED
#define WEBCHAT_CHATROOM_KEYSLOT_INCLUDED

#include <cstdint>
#include <string_view>

namespace webchat::chatroom::redis {

constexpr std::uint16_t SlotCount = 16384;

/// CRC16/XMODEM of bytes ("123456789": 0x31C3).
std::uint16_t crc16(std::string_view bytes);

/// The key's slot, 0 to 16383.
std::uint16_t keySlot(std::string_view key);

} // namespace webchat::chatroom::redis

#endif
