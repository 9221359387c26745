#include "MemoryHistoryStore.h"

namespace webchat::chatroom {

HistoryStore::Room MemoryHistoryStore::loadRoom(const std::string&, std::size_t)
{
	Room room;
	room.epoch = newEpoch();
	return room;
}

std::string MemoryHistoryStore::describe() const
{
	return "memory (history is lost at a restart)";
}

} // namespace webchat::chatroom
