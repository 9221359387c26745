#include "ChatSettings.h"

#include "JsonWriter.h"
#include "NameRules.h"

#include "Poco/Exception.h"

namespace webchat::chatroom {

namespace {

// The longest a nick can get in JSON: every code point escaped, quotes, comma.
constexpr std::size_t maxNickJson = NameRules::MaxNickLength * JsonWriter::MaxExpansion + 3;
constexpr std::size_t maxRoomJson = NameRules::MaxRoomLength * JsonWriter::MaxExpansion + 2;
// An index into the welcome's users (verifiedIndexes): up to 6 digits
// (max_users_per_room is at most 10^6), comma.
constexpr std::size_t maxMemberIndexJson = 7;
// The welcome's fixed fields and numbers, generously.
constexpr std::size_t welcomeOverhead = 512;

} // namespace

const SettingsTable<ChatSettings>& ChatSettings::keys()
{
	using Key = ConfigKey;
	using S = ChatSettings;
	static const SettingsTable<ChatSettings> table{"chat room", {
		{Key::integer("history_size", 100, 0, 100000, "messages", "messages kept per room and sent on join"), &S::historySize},
		{Key::integer("history_bytes", 128 * 1024, 1024, std::int64_t(1) << 30, "bytes", "...and at most this many bytes of their JSON per room"), &S::historyBytes},
		{Key::integer("max_text_bytes", 4096, 1, 64 * 1024 * 1024, "bytes", "longest message text (UTF-8 bytes, after JSON decoding)"), &S::maxTextBytes},
		{Key::number("rate_per_second", 10, 0.001, 1e6, "frames/s", "token bucket refill per connection (fractions allowed)"), &S::ratePerSecond},
		{Key::integer("rate_burst", 20, 1, 1000000, "frames", "token bucket size"), &S::rateBurst},
		{Key::number("rate_per_ip_per_second", 20, 0.001, 1e6, "frames/s", "the same across all connections of one address (IPv6: one /64), on top of each connection's"), &S::ratePerIpPerSecond},
		{Key::integer("rate_per_ip_burst", 40, 1, 1000000, "frames", "...and its bucket size"), &S::ratePerIpBurst},
		{Key::integer("presence_events_per_ip_per_minute", 30, 1, 1000000, "joins", "joins of one address broadcast to the room (with their leaves); beyond it, a join and its leave are not broadcast (member lists in welcomes stay right)"), &S::presenceEventsPerIpPerMinute},
		{Key::integer("flood_close_after", 50, 1, 1000000, "frames", "refused frames within 10 s before the client is closed (1008)"), &S::floodCloseAfter},
		{Key::integer("max_rooms", 1000, 1, 1000000, "rooms", "rooms that may exist at once, empty ones included"), &S::maxRooms},
		{Key::integer("join_threads", 2, 1, 64, "threads", "threads doing joins' waits (nick reservations, Redis, a room's first load) off the I/O threads"), &S::joinThreads},
		{Key::integer("max_pending_joins", 10000, 1, 1000000, "joins", "joins waiting for those threads at most; beyond, a join is refused (unavailable, 4503)"), &S::maxPendingJoins},
		{Key::integer("max_users_per_room", 1000, 1, 1000000, "users", "members per room"), &S::maxUsersPerRoom},
		{Key::integer("nick_changes_per_minute", 5, 0, 10000, "changes", "nick changes per connection (refused attempts do not count; 0 forbids them)"), &S::nickChangesPerMinute},
		{Key::integer("nick_reservation_days", 30, 0, 3650, "days", "a nick stays with the browser (nick token) or identity that used it this long after its last use (0: nicks are not kept)"), &S::nickReservationDays},
		{Key::integer("max_nick_reservations", 100000, 1, 100000000, "nicks", "nicks kept at once; one more drops the one used longest ago"), &S::maxNickReservations},
		{Key::integer("leave_grace_ms", 5000, 0, 600000, "ms", "a member whose connection is lost stays in the room this long, and coming back within it (same nick and speaker) shows no leave or join (0: leaves at once; backend = redis: through any instance)"), &S::leaveGraceMs},
	}};
	return table;
}

ChatSettings ChatSettings::fromConfig(const Poco::Util::AbstractConfiguration& section, const engine::EngineSettings& engine)
{
	ChatSettings s;
	keys().read(section, s);

	if (s.maxWelcomeBytes() > engine.maxQueuedBytes)
	{
		throw Poco::InvalidArgumentException("history_bytes = " + std::to_string(s.historyBytes) +
			" and max_users_per_room = " + std::to_string(s.maxUsersPerRoom) + ": a welcome could take " +
			std::to_string(s.maxWelcomeBytes()) + " bytes, more than max_queued_bytes = " +
			std::to_string(engine.maxQueuedBytes) + "; lower them or raise max_queued_bytes");
	}
	return s;
}

std::size_t ChatSettings::maxWelcomeBytes() const
{
	return historyBytes + maxUsersPerRoom * (maxNickJson + maxMemberIndexJson) + maxRoomJson + maxNickJson + welcomeOverhead;
}

} // namespace webchat::chatroom
