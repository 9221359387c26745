//
// Moderation.h
//
// Moderation of one chat listener: ModerationState behind a lock, kept in
// a ModerationStore, with one audit line per action (logger
// webchat.<listener>.audit: who, what, target, room, reason). Callable
// from any thread: I/O threads check joins and messages against it and
// run moderators' commands; the operator API calls it from HTTP threads.
//
// Checks never wait for the store: the state is in memory and its lock is
// held only to read or change it. The message path (mutes, slow mode)
// takes no lock at all while no mute and no slow mode exists anywhere.
// Writes to the store are made outside that lock, one at a time.
//

#ifndef WEBCHAT_CHATROOM_MODERATION_INCLUDED
#define WEBCHAT_CHATROOM_MODERATION_INCLUDED

#include "ModerationState.h"
#include "ModerationStore.h"

#include "Poco/Logger.h"

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace webchat::chatroom {

class Moderation
{
public:
	/// Milliseconds since the Unix epoch (settable for tests).
	using WallClock = std::function<std::int64_t()>;

	/// store must outlive this; audit gets the action lines, logger the
	/// store's failures.
	Moderation(ModerationStore& store, Poco::Logger& audit, Poco::Logger& logger, WallClock clock = {});

	/// Reads what the store kept (at start, and when another instance
	/// changed it). Throws what the store throws.
	void load();

	/// Loads unless loaded; after a failure, tries again at most every few
	/// seconds (a backend unreachable at start). Failures are logged.
	void loadIfNeeded();

	std::int64_t now() const { return _clock(); }

	// Checks -----------------------------------------------------------------

	std::optional<Ban> banOf(const std::string& room, const Subject& subject) const;
	/// Milliseconds subject stays muted in room (0: it may speak).
	std::int64_t mutedFor(const std::string& room, const Subject& subject) const;
	/// Slow mode: 0 when subject may post now (its turn is taken), else the
	/// milliseconds to wait.
	std::int64_t takeTurn(const std::string& room, const Subject& subject);
	RoomRules rules(const std::string& room) const;
	/// Whether any mute or slow mode exists (no lock: the message path asks).
	bool anyMessageRules() const { return _messageRules.load(std::memory_order_acquire); }

	// Actions (each audited) -----------------------------------------------

	/// Bans for seconds (none: permanent); gives ban its id and end.
	Ban addBan(Ban ban, std::optional<std::int64_t> seconds);
	/// A ban by nick given where nobody held the nick (another instance
	/// holds it) learns its holder where it is enforced: from then on it
	/// holds that identity or nick token under any nick, on every instance.
	void completeBan(std::uint64_t id, const std::string& holder);
	/// The same for a mute by nick.
	void completeMute(const std::string& room, const std::string& nickKey, const std::string& holder);
	std::vector<Mute> mutes() const;
	/// The ban lifted, if one had that id.
	std::optional<Ban> removeBan(std::uint64_t id, const std::string& by);
	/// Lifts room's bans of nickKey (or, when empty, of address): those lifted.
	std::vector<Ban> unban(const std::string& room, const std::string& nickKey, const std::string& address, const std::string& by);
	std::vector<Ban> bans() const;

	/// Mutes for seconds; 0 lifts the mute.
	void mute(Mute mute, std::int64_t seconds);
	void setSlowmode(const std::string& room, std::int64_t seconds, const std::string& by);
	void setTopic(const std::string& room, const std::string& text, const std::string& by);

	/// An action taken elsewhere (a deletion, a kick), to the audit log.
	void audit(const std::string& by, const std::string& action, const std::string& target, const std::string& room, const std::string& reason = {}) const;

private:
	// Under _mutex: whether any mute or slow mode exists.
	void updateMessageRules();
	// Runs a store write, logging its failure (the action holds in memory).
	void store(const std::string& what, const std::function<void()>& write);

	ModerationStore& _store;
	Poco::Logger& _audit;
	Poco::Logger& _logger;
	const WallClock _clock;
	std::mutex _storeMutex;
	mutable std::mutex _mutex;
	ModerationState _state;
	std::atomic<bool> _messageRules{false};
	std::int64_t _prunedAt = 0;
	std::atomic<bool> _loaded{false};
	std::atomic<std::int64_t> _loadTriedAt{0};
};

} // namespace webchat::chatroom

#endif
