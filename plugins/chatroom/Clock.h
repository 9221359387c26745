//
// Clock.h
//
// The two clocks of the chat room: wall time for the events' ts, steady
// time for rate limits (never jumps with the system clock).
//

#ifndef WEBCHAT_CHATROOM_CLOCK_INCLUDED
#define WEBCHAT_CHATROOM_CLOCK_INCLUDED

#include <chrono>
#include <cstdint>

namespace webchat::chatroom {

/// Milliseconds since the Unix epoch.
inline std::int64_t wallClockMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// Milliseconds of a monotonic clock.
inline std::int64_t steadyMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

} // namespace webchat::chatroom

#endif
