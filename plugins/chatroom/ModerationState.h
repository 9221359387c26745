//
// ModerationState.h
//
// What moderators decided, server-wide: bans, mutes and each room's rules
// (slow mode, topic), and the checks a join or a message goes through
// against them. Pure state: no lock, no I/O, no clock of its own (every
// call that depends on time takes now, milliseconds since the Unix epoch,
// so bans and mutes mean the same after a restart). Moderation wraps it
// with a lock and a store.
//
// Who is checked is a Subject: the comparison key of the nick it asks for
// or speaks as (NameRules::comparisonKey), its public id (Speaker::from:
// derived from its nick token or signed identity) and its address. A ban
// or mute by nick holds that nick's key and, when someone held the nick at
// the time, that someone's public id: either matches. A ban by address
// matches only the address.
//

#ifndef WEBCHAT_CHATROOM_MODERATIONSTATE_INCLUDED
#define WEBCHAT_CHATROOM_MODERATIONSTATE_INCLUDED

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace webchat::chatroom {

/// The bounds of every moderation field, for the client's commands and the
/// operator API alike.
namespace ModerationLimits {
constexpr std::int64_t MaxBanSeconds = 366LL * 24 * 60 * 60;  // a ban without seconds is permanent
constexpr std::int64_t MaxMuteSeconds = 7LL * 24 * 60 * 60;   // 0 lifts a mute
constexpr std::int64_t MaxSlowmodeSeconds = 60 * 60;          // 0 turns slow mode off
constexpr std::size_t MaxReasonBytes = 300;
constexpr std::size_t MaxTopicBytes = 500;                    // an empty topic clears it
constexpr std::size_t MaxAddressBytes = 64;

/// text as the address a ban names, in Poco's canonical form (so that one
/// address is one ban however it was written); none unless it is IPv4 as
/// four dotted numbers (inet_aton would take "10.1") or IPv6.
std::optional<std::string> canonicalAddress(const std::string& text);
} // namespace ModerationLimits

/// Who a check is about.
struct Subject
{
	std::string nickKey; // comparison key of its nick; empty for none
	std::string from;    // Speaker::from; empty for none
	std::string address;
};

/// One ban. untilMs 0: permanent.
struct Ban
{
	std::uint64_t id = 0;
	std::string room;     // empty: every room
	std::string nick;     // as given; empty for a ban by address only
	std::string nickKey;  // NameRules::comparisonKey(nick)
	std::string holder;   // Speaker::from of whoever held the nick then; empty when nobody did
	std::string address;  // empty unless banned by address
	std::int64_t untilMs = 0;
	std::string reason;
	std::string by;

	/// Whether it holds subject (its room and time aside): the nick, its
	/// holder or the address.
	bool matches(const Subject& subject) const;
};

/// One mute, in one room.
struct Mute
{
	std::string room;
	std::string nick;
	std::string nickKey;
	std::string holder;
	std::int64_t untilMs = 0;
	std::string by;
};

/// A room's own rules.
struct RoomRules
{
	std::int64_t slowmodeSeconds = 0; // 0: off
	std::string topic;                // empty: none
	std::string topicBy;

	bool empty() const { return slowmodeSeconds == 0 && topic.empty(); }
};

class ModerationState
{
public:
	/// Starts from what a store kept (expired entries are dropped by the
	/// next prune()).
	void restore(std::vector<Ban> bans, std::vector<Mute> mutes, std::map<std::string, RoomRules> rooms);

	// Bans ------------------------------------------------------------------

	/// ban.id must be set (the store numbers bans) and unused.
	void addBan(Ban ban);
	/// The ban removed, if there was one with that id.
	std::optional<Ban> removeBan(std::uint64_t id);
	/// Ban id, when it has no holder yet, holds holder too: the ban as it is
	/// then, or none (no such ban, or it had one).
	std::optional<Ban> setHolder(std::uint64_t id, const std::string& holder);
	/// The live bans of room (exactly that room, not the global ones) that
	/// hold nickKey (or, when nickKey is empty, address).
	std::vector<Ban> bansMatching(const std::string& room, const std::string& nickKey, const std::string& address, std::int64_t now) const;
	/// Every live ban, by id.
	std::vector<Ban> bans(std::int64_t now) const;

	/// What keeps subject out of room: the live ban that ends last (a
	/// permanent one first), or none.
	std::optional<Ban> banOf(const std::string& room, const Subject& subject, std::int64_t now) const;

	// Mutes -----------------------------------------------------------------

	/// Replaces any mute of the same nick in the same room.
	void mute(Mute mute);
	/// False when there was none.
	bool unmute(const std::string& room, const std::string& nickKey);
	/// Milliseconds subject stays muted in room; 0 when not muted.
	std::int64_t mutedFor(const std::string& room, const Subject& subject, std::int64_t now) const;
	std::vector<Mute> mutes(std::int64_t now) const;
	/// The mute of nickKey in room, when it has no holder yet, holds holder
	/// too: the mute as it is then, or none.
	std::optional<Mute> setMuteHolder(const std::string& room, const std::string& nickKey, const std::string& holder);

	// Room rules ------------------------------------------------------------

	void setSlowmode(const std::string& room, std::int64_t seconds);
	void setTopic(const std::string& room, std::string text, std::string by);
	/// None: the room has no rules.
	const RoomRules* rules(const std::string& room) const;
	const std::map<std::string, RoomRules>& allRules() const { return _rooms; }

	/// Slow mode: 0 when subject may post in room now (and then its turn is
	/// taken), else the milliseconds until it may. Keyed by the subject's
	/// public id, or its nick when it has none.
	std::int64_t takeTurn(const std::string& room, const Subject& subject, std::int64_t now);

	/// Forgets expired bans and mutes, and slow-mode turns that ended.
	void prune(std::int64_t now);

	/// Seconds of remaining milliseconds, rounded up (what clients are told).
	static std::int64_t secondsOf(std::int64_t remainingMs) { return (remainingMs + 999) / 1000; }

private:
	static bool live(std::int64_t untilMs, std::int64_t now) { return untilMs == 0 || untilMs > now; }

	std::map<std::uint64_t, Ban> _bans;
	std::vector<Mute> _mutes;
	std::map<std::string, RoomRules> _rooms;
	// Slow mode: room -> speaker -> when its last message was posted.
	std::map<std::string, std::map<std::string, std::int64_t>> _lastPosts;
};

} // namespace webchat::chatroom

#endif
