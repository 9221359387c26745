//
// MemoryNickReservations.h
//
// backend = memory: nick reservations in this process only, gone at a
// restart like the history. claim() takes one mutex for a map lookup and,
// when one is due, the removal of the oldest reservations: it never waits
// on anything else.
//

#ifndef WEBCHAT_CHATROOM_MEMORYNICKRESERVATIONS_INCLUDED
#define WEBCHAT_CHATROOM_MEMORYNICKRESERVATIONS_INCLUDED

#include "NickReservations.h"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

namespace webchat::chatroom {

class MemoryNickReservations final: public NickReservations
{
public:
	/// lifetimeMs after its last claim a reservation is gone; at most
	/// maxReservations are kept (at least 1).
	MemoryNickReservations(std::int64_t lifetimeMs, std::size_t maxReservations);

	Claim claim(const std::string& nickKey, const std::string& holder, std::int64_t nowMs) override;
	std::string describe() const override;

	/// Reservations kept now, expired ones not yet dropped included.
	std::size_t size() const;

private:
	struct Reservation
	{
		std::string holder;
		std::int64_t lastUsedMs = 0;
	};

	// Under _mutex: drops reservations expired at nowMs, then the oldest
	// until at most keep are left.
	void dropOldest(std::int64_t nowMs, std::size_t keep);

	const std::int64_t _lifetimeMs;
	const std::size_t _maxReservations;
	mutable std::mutex _mutex;
	std::map<std::string, Reservation> _byNick;
	std::set<std::pair<std::int64_t, std::string>> _byLastUse; // (lastUsedMs, nickKey), oldest first
};

} // namespace webchat::chatroom

#endif
