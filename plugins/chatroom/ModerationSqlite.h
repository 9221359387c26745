//
// ModerationSqlite.h
//
// SqliteModerationStore: moderation kept in the history database (backend
// = sqlite), in the tables bans, mutes and room_rules that
// SqliteHistoryStore's schema creates. A connection of its own to the
// file (WAL: it never waits for the history's readers; a write waits at
// most busy_timeout for the history writer's batch), one small
// transaction per change.
//

#ifndef WEBCHAT_CHATROOM_MODERATIONSQLITE_INCLUDED
#define WEBCHAT_CHATROOM_MODERATIONSQLITE_INCLUDED

#include "ModerationStore.h"

#include <cstdint>
#include <memory>
#include <string>

namespace Poco::Data {
class Session;
}

namespace webchat::chatroom {

class SqliteModerationStore final: public ModerationStore
{
public:
	/// path: a database SqliteHistoryStore has opened (its schema is there).
	SqliteModerationStore(const std::string& path, std::int64_t busyTimeoutMs);
	~SqliteModerationStore() override;

	Records load() override;
	std::uint64_t addBan(const Ban& ban) override;
	void removeBan(std::uint64_t id) override;
	void updateBan(const Ban& ban) override;
	void saveMute(const Mute& mute) override;
	void removeMute(const std::string& room, const std::string& nickKey) override;
	void saveRules(const std::string& room, const RoomRules& rules) override;

private:
	std::unique_ptr<Poco::Data::Session> _session;
};

} // namespace webchat::chatroom

#endif
