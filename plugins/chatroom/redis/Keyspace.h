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
// HistorySettings, so the room's '{' is the first.) On one Redis the
// deployment's global keys carry none. In a Redis Cluster they all carry
// {<ns>} instead of the bare namespace: moderation changes its hash and the
// global feed in one MULTI, and a nick claim trims other claims' keys, all
// in one slot then. The instances' own keys stay untagged (each is read
// alone) but a room's scripts, which check that the instances holding its
// nicks are alive, check a copy in the room's slot (instancePrefix(room)).
//

#ifndef WEBCHAT_CHATROOM_KEYSPACE_INCLUDED
#define WEBCHAT_CHATROOM_KEYSPACE_INCLUDED

#include <string>

namespace webchat::chatroom::redis {

class Keyspace
{
public:
	/// cluster: the keys of a Redis Cluster (above).
	explicit Keyspace(std::string ns, bool cluster = false):
		_ns(std::move(ns)),
		_global(cluster ? "{" + _ns + "}" : _ns),
		_cluster(cluster)
	{
	}

	/// The deployment's global feed: changes that concern every instance
	/// (bans, mutes, room rules), rare.
	std::string feed() const { return _global + ":feed"; }
	/// A room's feed: every change of the room, read by the instances that
	/// have it loaded.
	std::string feed(const std::string& room) const { return roomKey(room, "feed"); }
	std::string meta(const std::string& room) const { return roomKey(room, "meta"); }
	std::string log(const std::string& room) const { return roomKey(room, "log"); }
	std::string senders(const std::string& room) const { return roomKey(room, "senders"); }
	std::string presence(const std::string& room) const { return roomKey(room, "presence"); }
	std::string deleted(const std::string& room) const { return roomKey(room, "deleted"); }
	std::string bans() const { return _global + ":moderation:bans"; }
	std::string lastBanId() const { return _global + ":moderation:ban-id"; }
	std::string mutes() const { return _global + ":moderation:mutes"; }
	std::string rules() const { return _global + ":moderation:rules"; }
	/// Nick reservations (RedisNickReservations): one key per nick's key,
	/// and the sorted set of them by last use.
	std::string nickPrefix() const { return _global + ":nick:"; }
	std::string nicksByLastUse() const { return _global + ":nicks"; }
	/// What the scripts prepend to an instance id to check its key.
	std::string instancePrefix() const { return _ns + ":instance:"; }
	/// The same for room's scripts: in a Redis Cluster, the instance's key
	/// in the room's slot, which the writer keeps alive beside the other.
	std::string instancePrefix(const std::string& room) const { return _cluster ? roomKey(room, "instance:") : instancePrefix(); }
	bool cluster() const { return _cluster; }
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
	const std::string _global; // the prefix of the deployment's global keys
	const bool _cluster;
};

} // namespace webchat::chatroom::redis

#endif
