//
// ChatSettings.h
//
// The chat room's keys in its listener section (docs/PROTOCOL.md, Limits),
// read and validated. The engine's own keys are EngineSettings'.
//

#ifndef WEBCHAT_CHATROOM_CHATSETTINGS_INCLUDED
#define WEBCHAT_CHATROOM_CHATSETTINGS_INCLUDED

#include "RoomState.h"

#include "webchat/engine/EngineSettings.h"

#include "Poco/Util/AbstractConfiguration.h"

#include <cstddef>
#include <cstdint>

namespace webchat::chatroom {

struct ChatSettings
{
	// The keys of keys(), read by fromConfig() (defaults and ranges there).
	std::size_t historySize = 0;          // history_size: messages kept per room, sent on join
	std::size_t historyBytes = 0;         // history_bytes: and at most this many bytes of them
	std::size_t maxTextBytes = 0;         // max_text_bytes: longest message text (UTF-8 bytes)
	double ratePerSecond = 0;             // rate_per_second: token bucket refill per connection
	std::size_t rateBurst = 0;            // rate_burst: token bucket size
	double ratePerIpPerSecond = 0;        // rate_per_ip_per_second: the same per address, across its connections
	std::size_t ratePerIpBurst = 0;       // rate_per_ip_burst
	std::size_t presenceEventsPerIpPerMinute = 0; // presence_events_per_ip_per_minute
	std::size_t floodCloseAfter = 0;      // flood_close_after: refused messages within floodWindowMs before close 1008
	std::int64_t floodWindowMs = 10000;
	std::size_t maxRooms = 0;             // max_rooms: rooms that may exist at once
	std::size_t joinThreads = 0;          // join_threads: threads for joins' blocking half (JoinQueue.h)
	std::size_t maxPendingJoins = 0;      // max_pending_joins: joins waiting for them at most
	std::size_t maxUsersPerRoom = 0;      // max_users_per_room
	std::size_t nickChangesPerMinute = 0; // nick_changes_per_minute: per connection
	std::int64_t nickReservationDays = 0; // nick_reservation_days: a nick stays its holder's this long after its last use (0: not kept)
	std::size_t maxNickReservations = 0;  // max_nick_reservations: nicks kept at most; beyond, the one used longest ago goes
	std::int64_t leaveGraceMs = 0;        // leave_grace_ms: a member whose connection is lost stays this long (0: leaves at once)

	/// The chat room's own keys (beside the engine's and the history's).
	static const SettingsTable<ChatSettings>& keys();

	/// Reads the keys above (defaults where absent). Throws
	/// Poco::InvalidArgumentException naming the key for a bad value, and
	/// when the largest possible welcome (history_bytes plus
	/// max_users_per_room of the longest nicks, each perhaps verified)
	/// would not fit the engine's
	/// max_queued_bytes: such a welcome would get its newcomer closed as a
	/// slow consumer.
	static ChatSettings fromConfig(const Poco::Util::AbstractConfiguration& section, const engine::EngineSettings& engine);

	/// The largest welcome these settings allow, in bytes.
	std::size_t maxWelcomeBytes() const;

	/// nick_reservation_days in milliseconds.
	std::int64_t nickReservationMs() const { return nickReservationDays * 24 * 60 * 60 * 1000; }

	RoomState::Limits roomLimits() const { return {historySize, historyBytes, maxUsersPerRoom}; }
};

} // namespace webchat::chatroom

#endif
