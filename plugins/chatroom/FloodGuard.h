//
// FloodGuard.h
//
// Decides when a client that keeps sending past its rate limit is closed:
// `limit` refused messages within `windowMs`. Remembers the times of the
// last `limit` refusals (only clients that get refused pay for the memory).
// The time is passed in (steady milliseconds).
//

#ifndef WEBCHAT_CHATROOM_FLOODGUARD_INCLUDED
#define WEBCHAT_CHATROOM_FLOODGUARD_INCLUDED

#include <cstddef>
#include <cstdint>
#include <vector>

namespace webchat::chatroom {

class FloodGuard
{
public:
	FloodGuard(std::size_t limit, std::int64_t windowMs);

	/// Records a refusal at nowMs. True when it is the limit-th within the
	/// window: time to close the client.
	bool refuse(std::int64_t nowMs);

private:
	std::size_t _limit;
	std::int64_t _windowMs;
	std::vector<std::int64_t> _times; // a ring of the last _limit refusals
	std::size_t _next = 0;            // where the next one goes (the oldest once full)
};

} // namespace webchat::chatroom

#endif
