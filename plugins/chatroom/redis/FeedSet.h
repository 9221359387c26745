//
// FeedSet.h
//
// What the feed reader reads, and where it stands in each stream (the ids of
// the last entries handled): the deployment's global feed, this instance's
// wake-up stream and the feed of every room loaded here (Keyspace.h), so an
// instance reads the traffic of its own rooms and nothing of the others.
//   - A room comes in with watch(), from where its feed stood before its
//     load read it (RoomQueries::Loaded): nothing after the load is missed.
//     Watched again (a reload), it keeps its position: an older one only
//     repeats what the room skips (ids it has).
//   - It leaves with keepOnly() once no longer loaded here; a room watched
//     since the previous keepOnly() stays (its load may not be complete).
//   - reads(): the XREADs of one pass, at most MaxStreamsPerRead streams
//     each (an XREAD walks every stream it names: the bound keeps each one
//     short). When every stream fits in one, it blocks for blockMs. With
//     more rooms, the reads of a pass do not block, but after a pass that
//     found nothing the first read (the global feed, the wake-up stream and
//     the first rooms) waits up to pollMs: an entry of a room in a later
//     read waits at most that long and one pass.
//   - slotReads(): the same for a Redis Cluster, where one XREAD may name
//     streams of one slot only (CROSSSLOT otherwise), so there is one per
//     slot (rooms whose keys share a slot share it), sent to every node at
//     once (ClusterLink), none blocking. After a pass that found nothing
//     the next is preceded by wait(): a blocking read, for up to pollMs, of
//     the room feed that had an entry last (a busy room is then read as
//     soon as it has one, as with one Redis), or of the wake-up stream
//     before any (cut short by a room's watch()).
// Pure bookkeeping, owned by the feed reader's thread.
//

#ifndef WEBCHAT_CHATROOM_FEEDSET_INCLUDED
#define WEBCHAT_CHATROOM_FEEDSET_INCLUDED

#include "redis/RedisLink.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::chatroom::redis {

class FeedSet
{
public:
	static constexpr std::size_t MaxStreamsPerRead = 256;
	/// XREAD's COUNT is per stream: a read's count is shared among its
	/// streams, at least this many each. So a read of many rooms with a
	/// backlog stays within RespReader::MaxReplyBytes (256 x 32 entries of
	/// 4 KiB texts: ~40 MiB).
	static constexpr std::int64_t MinCountPerStream = 32;

	struct Timing
	{
		std::int64_t count = 1000;  // entries per XREAD (see MinCountPerStream)
		std::int64_t blockMs = 500; // when one read takes every stream
		std::int64_t pollMs = 10;   // the first read after an idle pass, when several
	};

	/// The wake-up stream is read from its start ("0-0"): it keeps one
	/// entry, and is new with each instance.
	FeedSet(std::string globalFeed, std::string wake);

	/// The global feed's position; empty until set (FeedReader::connect).
	const std::string& globalPosition() const { return _global.position; }
	void setGlobalPosition(std::string position) { _global.position = std::move(position); }

	/// room, whose feed is the stream feed, is loaded here; its feed stood
	/// at position before the load.
	void watch(const std::string& room, const std::string& feed, const std::string& position);

	/// Drops the rooms neither in loaded nor watched since the last call;
	/// returns them.
	std::vector<std::string> keepOnly(const std::set<std::string>& loaded);

	/// The entry id of stream was handled: the next read starts after it.
	void advance(std::string_view stream, std::string_view id);

	bool isWake(std::string_view stream) const { return stream == _wake.key; }

	/// The rooms read, by key.
	std::vector<std::string> rooms() const;
	std::size_t size() const { return _rooms.size(); }
	/// A stream's position; empty if it is not read.
	std::string position(std::string_view stream) const;

	/// The XREADs of the next pass. lastPassIdle: the previous one read
	/// nothing.
	std::vector<RedisLink::Command> reads(const Timing& timing, bool lastPassIdle) const;

	/// The reads of the next pass on a Redis Cluster, one per slot, and
	/// the wait before one that follows an idle pass.
	std::vector<RedisLink::Command> slotReads(const Timing& timing) const;
	RedisLink::Command wait(const Timing& timing) const;

private:
	struct Stream
	{
		std::string key;
		std::string position;
	};
	struct RoomFeed
	{
		std::string room;
		std::string position;
		bool fresh = true; // watched since the last keepOnly()
	};

	Stream _global;
	Stream _wake;
	std::string _lastActive; // the room feed advance() moved last
	std::map<std::string, RoomFeed, std::less<>> _rooms; // by feed key
};

} // namespace webchat::chatroom::redis

#endif
