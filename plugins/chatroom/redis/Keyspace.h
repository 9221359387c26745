//
// Keyspace.h
//
// The names of the Redis keys of one deployment (redis_namespace), in one
// place; RedisScripts.h describes what each holds.
//
// Every key of a room carries the room's key as a hash tag, {<room>}: a
// Redis Cluster puts them all in one slot, so each of the room's scripts
// touches one slot. (A room's key may hold '}': the tag then ends there, the
// same for every key of the room. redis_namespace holds no braces, see
// HistorySettings, so the room's '{' is the first.) The deployment's global
// keys carry none.
//

#ifndef WEBCHAT_CHATROOM_KEYSPACE_INCLUDED
#define WEBCHAT_CHATROOM_KEYSPACE_INCLUDED

#include <string>

namespace webchat::chatroom::redis {

class Keyspace
{
public:
	explicit Keyspace(std::string ns): _ns(std::move(ns)) {}

	/// The deployment's global feed: changes that concern every instance
	/// (bans, mutes, room rules), rare.
	std::string feed() const { return _ns + ":feed"; }
	/// A room's feed: every change of the room, read by the instances that
	/// have it loaded.
	std::string feed(const std::string& room) const { return roomKey(room, "feed"); }
	std::string meta(const std::string& room) const { return roomKey(room, "meta"); }
	std::string log(const std::string& room) const { return roomKey(room, "log"); }
	std::string senders(const std::string& room) const { return roomKey(room, "senders"); }
	std::string presence(const std::string& room) const { return roomKey(room, "presence"); }
	std::string deleted(const std::string& room) const { return roomKey(room, "deleted"); }
	std::string bans() const { return _ns + ":moderation:bans"; }
	std::string lastBanId() const { return _ns + ":moderation:ban-id"; }
	std::string mutes() const { return _ns + ":moderation:mutes"; }
	std::string rules() const { return _ns + ":moderation:rules"; }
	/// What the scripts prepend to an instance id to check its key.
	std::string instancePrefix() const { return _ns + ":instance:"; }
	std::string instance(const std::string& id) const { return instancePrefix() + id; }
	/// An instance's wake-up stream: a room loaded there is added to what
	/// its feed reader reads (FeedReader::watch).
	std::string wake(const std::string& id) const { return instance(id) + ":wake"; }
	/// A room's keys before they carried the hash tag ("meta", "log",
	/// "senders", "presence", "deleted"): adopted on the room's first load
	/// (Scripts::adopt).
	std::string untagged(const std::string& room, const char* part) const { return _ns + ":room:" + room + ":" + part; }

private:
	std::string roomKey(const std::string& room, const char* part) const { return _ns + ":room:{" + room + "}:" + part; }

	const std::string _ns;
};

} // namespace webchat::chatroom::redis

#endif
