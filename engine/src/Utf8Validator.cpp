// UTF-8 validation as a deterministic finite automaton, after the idea of
// Bjoern Hoehrmann's "Flexible and Economical UTF-8 Decoder": every
// restriction of RFC 3629 (no overlongs, no surrogates, nothing above
// U+10FFFF) is encoded in which second byte each lead byte allows, so invalid
// input is refused at the first byte that proves it. The table here is our
// own, in the "shift DFA" layout: a state is a bit offset, and each byte's
// 64-bit row holds every state's successor, so one step is one load, one
// shift and one mask.
#include "webchat/engine/Utf8Validator.h"

#include <array>
#include <cstring>

namespace webchat::ws {

namespace {

// States, by index; the stored state is index * Bits.
enum State: unsigned
{
	StAccept = 0,     // between code points
	StReject = 1,     // sink
	StNeed1 = 2,      // one continuation byte (80-BF) left
	StNeed2 = 3,      // two left
	StAfterE0 = 4,    // E0 needs A0-BF next (no overlongs)
	StAfterED = 5,    // ED needs 80-9F next (no surrogates)
	StAfterF0 = 6,    // F0 needs 90-BF next (no overlongs)
	StNeed3 = 7,      // F1-F3: three left
	StAfterF4 = 8     // F4 needs 80-8F next (nothing above U+10FFFF)
};

constexpr unsigned Bits = 6;

constexpr unsigned next(unsigned state, unsigned byte)
{
	const bool cont = byte >= 0x80 && byte <= 0xBF;
	switch (state)
	{
	case StAccept:
		if (byte <= 0x7F) return StAccept;
		if (byte >= 0xC2 && byte <= 0xDF) return StNeed1;
		if (byte == 0xE0) return StAfterE0;
		if (byte == 0xED) return StAfterED;
		if (byte >= 0xE1 && byte <= 0xEF) return StNeed2;
		if (byte == 0xF0) return StAfterF0;
		if (byte >= 0xF1 && byte <= 0xF3) return StNeed3;
		if (byte == 0xF4) return StAfterF4;
		return StReject; // 80-BF stray, C0-C1 overlong, F5-FF out of range
	case StNeed1: return cont ? StAccept : StReject;
	case StNeed2: return cont ? StNeed1 : StReject;
	case StNeed3: return cont ? StNeed2 : StReject;
	case StAfterE0: return byte >= 0xA0 && byte <= 0xBF ? StNeed1 : StReject;
	case StAfterED: return byte >= 0x80 && byte <= 0x9F ? StNeed1 : StReject;
	case StAfterF0: return byte >= 0x90 && byte <= 0xBF ? StNeed2 : StReject;
	case StAfterF4: return byte >= 0x80 && byte <= 0x8F ? StNeed2 : StReject;
	default: return StReject;
	}
}

constexpr std::array<std::uint64_t, 256> makeTable()
{
	std::array<std::uint64_t, 256> table{};
	for (unsigned byte = 0; byte < 256; ++byte)
	{
		std::uint64_t row = 0;
		for (unsigned state = 0; state <= StAfterF4; ++state)
			row |= std::uint64_t(next(state, byte) * Bits) << (state * Bits);
		table[byte] = row;
	}
	return table;
}

constexpr std::array<std::uint64_t, 256> Table = makeTable();

static_assert(((Table[0xED] >> (StAccept * Bits)) & 63) == StAfterED * Bits);

constexpr std::uint64_t HighBits = 0x8080808080808080ull;

inline bool isAscii16(const unsigned char* p)
{
	std::uint64_t a, b;
	std::memcpy(&a, p, 8);
	std::memcpy(&b, p + 8, 8);
	return ((a | b) & HighBits) == 0;
}

} // namespace

static_assert(StReject * Bits == 6, "Utf8Validator::Reject must match the table");

bool Utf8Validator::feed(const char* data, std::size_t size)
{
	std::uint64_t state = _state;
	if (state == Reject) return false;
	const auto* p = reinterpret_cast<const unsigned char*>(data);
	const auto* const end = p + size;
	while (p != end)
	{
		// Chat text is mostly ASCII: skip it 16 bytes at a time.
		if (state == 0)
		{
			while (end - p >= 16 && isAscii16(p)) p += 16;
			if (p == end) break;
			// Fewer than 16 bytes left, all of them ASCII: the last 16
			// bytes of the piece (some already seen) say so at once.
			if (end - p < 16 && size >= 16 && isAscii16(end - 16)) break;
		}
		// Then up to 16 steps without a branch; Reject is a sink, so one
		// check per block still refuses within the feed that has the byte.
		const auto* const blockEnd = end - p > 16 ? p + 16 : end;
		for (; p != blockEnd; ++p) state = (Table[*p] >> state) & 63;
		if (state == Reject)
		{
			_state = static_cast<std::uint8_t>(state);
			return false;
		}
	}
	_state = static_cast<std::uint8_t>(state);
	return true;
}

bool isValidUtf8(std::string_view text)
{
	Utf8Validator validator;
	return validator.feed(text.data(), text.size()) && validator.complete();
}

} // namespace webchat::ws
