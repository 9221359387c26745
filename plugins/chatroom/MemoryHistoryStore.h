//
// MemoryHistoryStore.h
//
// backend = memory: history lives only in the rooms themselves (history_size
// messages each, gone with the process or when a room is forgotten). Every
// room incarnation gets a new epoch, so clients that resume across a restart
// are told to reset rather than shown new messages under old ids.
//

#ifndef WEBCHAT_CHATROOM_MEMORYHISTORYSTORE_INCLUDED
#define WEBCHAT_CHATROOM_MEMORYHISTORYSTORE_INCLUDED

#include "HistoryStore.h"

namespace webchat::chatroom {

class MemoryHistoryStore final: public HistoryStore
{
public:
	Room loadRoom(const std::string& name, std::size_t maxMessages) override;
	void append(const std::string&, const std::string&, Message) override {}
	bool flush() override { return true; }
	void close() override {}
	bool keepsMessages() const override { return false; }
	std::string describe() const override;
};

} // namespace webchat::chatroom

#endif
