//
// RedisScripts.h
//
// The Lua scripts that make each change of a shared room one atomic step in
// Redis: the room's numbering, its log, its presence and its feed (read by
// every instance that has the room loaded) change together, so the feed's
// order is the room's order.
// Loaded with SCRIPT LOAD on every connection (a restarted Redis has
// forgotten them) and run with EVALSHA.
//
// Keys (ns = redis_namespace; <room> is the room's key, NameRules.h, so
// `Lobby` and `lobby` are one room on every instance; Keyspace.h makes them,
// each room's with the hash tag {<room>}, so its scripts are single-slot):
//   ns:room:{<room>}:feed     stream the instances that have the room loaded
//                             read (XREAD): messages, joins, leaves,
//                             renames, presence syncs, typing, deletions,
//                             kicks; the changes of the last redis_feed_ms
//   ns:room:{<room>}:meta     hash: epoch, seq (the last id given)
//   ns:room:{<room>}:log      stream of the room's messages, entry id 0-<id>
//                             (so XRANGE by message id), capped at
//                             retention_count
//   ns:room:{<room>}:senders  hash: instance -> the last post sequence
//                             accepted (a post resent after a lost reply is
//                             not added twice)
//   ns:room:{<room>}:presence hash: the nick's key -> "<instance>\n<nick>"
//                             (the nick as shown), so a nick is one member
//                             across instances in any of its spellings;
//                             "\n<from>" follows while the member is away
//                             (its leave grace): its speaker may come back
//                             through any instance
//   ns:room:{<room>}:deleted  hash: id -> the moderator who deleted it (its
//                             log entry is gone: XDEL)
//   ns:moderation:bans        hash: ban id -> the ban (JSON)
//   ns:moderation:ban-id      the last ban id given (INCR)
//   ns:moderation:mutes       hash: room "\n" nick key -> the mute (JSON)
//   ns:moderation:rules       hash: room -> slow mode and topic (JSON)
//   ns:feed                   stream every instance reads: bans, mutes and
//                             rules changed (RedisModeration.h)
//   ns:instance:<instance>    exists while the instance renews it (PX ttl)
//   ns:instance:<instance>:wake  stream (one entry) that wakes the
//                             instance's feed reader (FeedReader::watch)
//

#ifndef WEBCHAT_CHATROOM_REDISSCRIPTS_INCLUDED
#define WEBCHAT_CHATROOM_REDISSCRIPTS_INCLUDED

namespace webchat::chatroom::redis {

struct Scripts
{
	/// KEYS: meta, log, senders, feed (the room's).
	/// ARGV: instance, sequence, epoch, last id seen, nick, text, ts, room,
	/// log cap (0: none), feed window (redis_feed_ms), from (the speaker's public id, may be
	/// empty), verified ("1" or "0"); the log and the feed keep the last
	/// two as fields from and v.
	/// Returns the message's id, or 0 for a post accepted before.
	static const char* const post;

	/// KEYS: presence, feed. ARGV: instance, nick's key, nick, room,
	/// instance key prefix, feed window (redis_feed_ms), from (the joiner's public id, may be
	/// empty). 1: the nick is this instance's (also when it was already: a
	/// join resent after a lost reply; or it was away on another instance
	/// with this from, which then finds it moved: t=j by this instance); 0:
	/// another live instance holds its key. Two members of this instance
	/// are told apart by the room.
	static const char* const join;

	/// KEYS: presence. ARGV: instance, nick's key, from. The member of this
	/// instance is away (its leave grace): another instance may hand its
	/// nick to the same speaker (join). 0 when the nick is not this
	/// instance's or from is empty. No feed entry: nothing changes for the
	/// others until it leaves or comes back.
	static const char* const away;

	/// KEYS: presence, feed. ARGV: instance, nick's key, nick, room, feed
	/// cap.
	static const char* const leave;

	/// KEYS: presence, feed. ARGV: instance, from's key, from, to's key,
	/// to, room, instance key prefix, feed window (redis_feed_ms). 1, or 0 when a live
	/// instance (this one included) holds to's key; always 1 when the keys
	/// are one (the member's nick spelt another way).
	static const char* const rename;

	/// KEYS: presence, feed. ARGV: instance, room, instance key prefix,
	/// feed window (redis_feed_ms), then this instance's nicks in the room, each as its key
	/// and the nick: they replace whatever it had registered there.
	static const char* const sync;

	/// KEYS: the room's meta, log, senders and deleted keys as they were
	/// named before they carried the hash tag (Keyspace::untagged), then
	/// as they are, then its untagged presence. A room whose tagged meta
	/// does not exist yet takes the untagged keys (RENAME): a deployment
	/// upgraded keeps its rooms' numbering and history. The old presence is
	/// dropped: it names instances of before the upgrade, and the tagged
	/// one may hold a join already (a join claims its nick before the room
	/// loads). 1 when it did. Standalone Redis only (the keys are in
	/// different slots).
	static const char* const adopt;

	/// KEYS: log, deleted, feed. ARGV: instance, room, id, by, feed window (redis_feed_ms).
	/// The message leaves the log, its tombstone is recorded and the feed
	/// says so (t=d).
	static const char* const remove;
};

} // namespace webchat::chatroom::redis

#endif
