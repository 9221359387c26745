#include "HistoryStore.h"

#include <random>

namespace webchat::chatroom {

std::unique_ptr<ModerationStore> HistoryStore::moderationStore(Poco::Logger&)
{
	return std::make_unique<MemoryModerationStore>();
}

std::string HistoryStore::newEpoch()
{
	// random_device reads the kernel's generator (getrandom); rooms are
	// created rarely enough that its cost does not matter.
	static constexpr char digits[] = "0123456789abcdef";
	std::random_device random;
	std::uint64_t bits = (std::uint64_t(random()) << 32) | random();
	std::string epoch(16, '0');
	for (char& c : epoch)
	{
		c = digits[bits & 0xf];
		bits >>= 4;
	}
	return epoch;
}

void HistoryStore::keepNewestRun(Room& room, std::size_t maxMessages)
{
	// Walk back from the newest: the run stops at the first message that is
	// not the id just below the previous one (lost in a crash, deleted by age
	// while an older one stayed because clocks went back...).
	std::size_t first = room.recent.size();
	std::uint64_t expected = room.lastId;
	while (first > 0 && room.recent.size() - first < maxMessages && expected > 0 && room.recent[first - 1].id == expected)
	{
		--first;
		--expected;
	}
	room.recent.erase(room.recent.begin(), room.recent.begin() + static_cast<std::ptrdiff_t>(first));
}

} // namespace webchat::chatroom
