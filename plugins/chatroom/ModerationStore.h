//
// ModerationStore.h
//
// Where moderation outlives the process: bans, mutes and room rules (slow
// mode, topic), written as they change and read back at start. The
// history backend of the listener gives its own (HistoryStore::
// moderationStore()): the history database's tables with backend =
// sqlite, nothing with backend = memory.
//
// Calls come from the thread of the action (an I/O thread for a command, an
// HTTP thread for the operator API), one at a time per store (Moderation
// serialises them), outside any room's lock. Moderation actions are rare:
// a write may block for a short while (one small transaction). Failures
// throw Poco::Exception; the action still holds in memory (logged).
//

#ifndef WEBCHAT_CHATROOM_MODERATIONSTORE_INCLUDED
#define WEBCHAT_CHATROOM_MODERATIONSTORE_INCLUDED

#include "ModerationState.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace webchat::chatroom {

class ModerationStore
{
public:
	struct Records
	{
		std::vector<Ban> bans;
		std::vector<Mute> mutes;
		std::map<std::string, RoomRules> rooms;
	};

	virtual ~ModerationStore() = default;

	/// Everything kept (expired entries may be among it).
	virtual Records load() = 0;

	/// Keeps ban and returns its id (new, never given before).
	virtual std::uint64_t addBan(const Ban& ban) = 0;
	virtual void removeBan(std::uint64_t id) = 0;
	/// Keeps ban, one addBan() numbered, as it is now (its holder found).
	virtual void updateBan(const Ban& ban) = 0;

	/// Keeps mute in place of any of the same room and nick key.
	virtual void saveMute(const Mute& mute) = 0;
	virtual void removeMute(const std::string& room, const std::string& nickKey) = 0;

	/// Keeps room's rules; empty rules forget the room.
	virtual void saveRules(const std::string& room, const RoomRules& rules) = 0;
};

/// Keeps nothing beyond the process: ids count from 1 at every start.
class MemoryModerationStore final: public ModerationStore
{
public:
	Records load() override { return {}; }
	std::uint64_t addBan(const Ban&) override { return ++_lastBanId; }
	void removeBan(std::uint64_t) override {}
	void updateBan(const Ban&) override {}
	void saveMute(const Mute&) override {}
	void removeMute(const std::string&, const std::string&) override {}
	void saveRules(const std::string&, const RoomRules&) override {}

private:
	std::uint64_t _lastBanId = 0;
};

} // namespace webchat::chatroom

#endif
