//
// Stamp.h
//
// (Engine internals.) A moment as a connection keeps it: the low 32 bits
// of the steady clock in milliseconds, 4 bytes where a full reading takes
// 8. A stamp is only ever compared with now, over spans far shorter than
// the 49.7 days after which the low bits wrap (the engine's timeouts are
// an hour at most), so since() is exact across the wrap.
//

#ifndef WEBCHAT_ENGINE_STAMP_INCLUDED
#define WEBCHAT_ENGINE_STAMP_INCLUDED

#include <cstdint>

namespace webchat::engine {

using Stamp = std::uint32_t;

/// nowMs (std::chrono::steady_clock milliseconds) as a stamp.
constexpr Stamp stampOf(std::int64_t nowMs)
{
	return static_cast<Stamp>(nowMs);
}

/// Milliseconds from stamp to nowMs, for a stamp taken at most 49.7 days
/// before nowMs (and not after it).
constexpr std::int64_t msSince(Stamp stamp, std::int64_t nowMs)
{
	return static_cast<Stamp>(stampOf(nowMs) - stamp);
}

} // namespace webchat::engine

#endif
