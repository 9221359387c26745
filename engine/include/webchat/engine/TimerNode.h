//
// TimerNode.h
//
// A place in an event loop's timer wheel (engine/src/TimerWheel.h): the
// links of an intrusive list and when it is due. Public only because a
// Connection carries one (through LoopMember); plugins never touch it.
//

#ifndef WEBCHAT_ENGINE_TIMERNODE_INCLUDED
#define WEBCHAT_ENGINE_TIMERNODE_INCLUDED

#include <cstdint>

namespace webchat::engine {

struct TimerNode
{
	TimerNode* prev = nullptr; // null while not armed
	TimerNode* next = nullptr;
	std::int64_t dueMs = 0;    // std::chrono::steady_clock milliseconds, while armed

	bool armed() const { return next != nullptr; }
};

} // namespace webchat::engine

#endif
