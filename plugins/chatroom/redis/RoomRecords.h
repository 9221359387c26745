//
// RoomRecords.h
//
// Reading a shared room's records back from Redis, for the roles that read
// them (the feed reader, the queries): its log entries as messages, its
// counters, and the members other instances registered in its presence
// hash. Keys and layout: RedisScripts.h.
//

#ifndef WEBCHAT_CHATROOM_ROOMRECORDS_INCLUDED
#define WEBCHAT_CHATROOM_ROOMRECORDS_INCLUDED

#include "HistoryStore.h"
#include "redis/Keyspace.h"
#include "redis/RedisLink.h"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace webchat::chatroom::redis {

/// A counter or message id as Redis returns it; 0 when absent or malformed.
std::uint64_t parseCounter(const std::string& text);

/// One entry of a room's log (stream id 0-<id>, fields nick, text, ts).
HistoryStore::Message logMessage(const RedisLink::Reply& entry);

/// One member as a room's presence hash holds it (RedisScripts.h).
struct PresenceRecord
{
	std::string key;      // the field: the nick's key
	std::string nick;     // as shown
	std::string instance; // the instance that holds it
};

/// The members of room that instances other than self registered, as the
/// presence hash holds them (live or not).
std::vector<PresenceRecord> otherInstancesMembers(Link& link, const Keyspace& keys, const std::string& room, const std::string& self);

/// The same, nick -> instance (what SharedRooms::Sink is given).
std::map<std::string, std::string> byNick(const std::vector<PresenceRecord>& records);

} // namespace webchat::chatroom::redis

#endif
