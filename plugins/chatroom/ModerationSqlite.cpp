#include "ModerationSqlite.h"

#include "Poco/Data/SQLite/SessionImpl.h"
#include "Poco/Data/Session.h"
#include "Poco/Data/Statement.h"

using namespace Poco::Data::Keywords;

namespace webchat::chatroom {

SqliteModerationStore::SqliteModerationStore(const std::string& path, std::int64_t busyTimeoutMs):
	_session(std::make_unique<Poco::Data::Session>(new Poco::Data::SQLite::SessionImpl(path)))
{
	*_session << "PRAGMA busy_timeout = " + std::to_string(busyTimeoutMs), now;
	*_session << "PRAGMA synchronous = FULL", now;
	*_session << "PRAGMA secure_delete = ON", now;
}

SqliteModerationStore::~SqliteModerationStore() = default;

ModerationStore::Records SqliteModerationStore::load()
{
	Records records;
	Poco::Data::Session& session = *_session;
	{
		std::vector<Poco::Int64> ids;
		std::vector<std::string> rooms, nicks, keys, holders, addresses, reasons, by;
		std::vector<Poco::Int64> until;
		session << "SELECT id, room, nick, nick_key, holder, address, until_ms, reason, banned_by FROM bans ORDER BY id", into(ids), into(rooms), into(nicks),
			into(keys), into(holders), into(addresses), into(until), into(reasons), into(by), now;
		for (std::size_t i = 0; i < ids.size(); ++i)
			records.bans.push_back(Ban{static_cast<std::uint64_t>(ids[i]), rooms[i], nicks[i], keys[i], holders[i], addresses[i], until[i], reasons[i], by[i]});
	}
	{
		std::vector<std::string> rooms, nicks, keys, holders, by;
		std::vector<Poco::Int64> until;
		session << "SELECT room, nick, nick_key, holder, until_ms, muted_by FROM mutes", into(rooms), into(nicks), into(keys), into(holders), into(until), into(by), now;
		for (std::size_t i = 0; i < rooms.size(); ++i) records.mutes.push_back(Mute{rooms[i], nicks[i], keys[i], holders[i], until[i], by[i]});
	}
	{
		std::vector<std::string> rooms, topics, by;
		std::vector<Poco::Int64> slowmode;
		session << "SELECT room, slowmode_seconds, topic, topic_by FROM room_rules", into(rooms), into(slowmode), into(topics), into(by), now;
		for (std::size_t i = 0; i < rooms.size(); ++i) records.rooms[rooms[i]] = RoomRules{slowmode[i], topics[i], by[i]};
	}
	return records;
}

std::uint64_t SqliteModerationStore::addBan(const Ban& ban)
{
	Ban row = ban;
	Poco::Int64 until = row.untilMs;
	Poco::Data::Session& session = *_session;
	session << "INSERT INTO bans (room, nick, nick_key, holder, address, until_ms, reason, banned_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", use(row.room),
		use(row.nick), use(row.nickKey), use(row.holder), use(row.address), use(until), use(row.reason), use(row.by), now;
	Poco::Int64 id = 0;
	session << "SELECT last_insert_rowid()", into(id), now;
	return static_cast<std::uint64_t>(id);
}

void SqliteModerationStore::removeBan(std::uint64_t id)
{
	Poco::Int64 key = static_cast<Poco::Int64>(id);
	*_session << "DELETE FROM bans WHERE id = ?", use(key), now;
}

void SqliteModerationStore::updateBan(const Ban& ban)
{
	Ban row = ban;
	Poco::Int64 key = static_cast<Poco::Int64>(row.id);
	*_session << "UPDATE bans SET holder = ? WHERE id = ?", use(row.holder), use(key), now;
}

void SqliteModerationStore::saveMute(const Mute& mute)
{
	Mute row = mute;
	Poco::Int64 until = row.untilMs;
	*_session << "INSERT OR REPLACE INTO mutes (room, nick, nick_key, holder, until_ms, muted_by) VALUES (?, ?, ?, ?, ?, ?)", use(row.room), use(row.nick),
		use(row.nickKey), use(row.holder), use(until), use(row.by), now;
}

void SqliteModerationStore::removeMute(const std::string& room, const std::string& nickKey)
{
	std::string roomName = room;
	std::string key = nickKey;
	*_session << "DELETE FROM mutes WHERE room = ? AND nick_key = ?", use(roomName), use(key), now;
}

void SqliteModerationStore::saveRules(const std::string& room, const RoomRules& rules)
{
	std::string roomName = room;
	if (rules.empty())
	{
		*_session << "DELETE FROM room_rules WHERE room = ?", use(roomName), now;
		return;
	}
	RoomRules row = rules;
	Poco::Int64 slowmode = row.slowmodeSeconds;
	*_session << "INSERT OR REPLACE INTO room_rules (room, slowmode_seconds, topic, topic_by) VALUES (?, ?, ?, ?)", use(roomName), use(slowmode), use(row.topic),
		use(row.topicBy), now;
}

} // namespace webchat::chatroom
