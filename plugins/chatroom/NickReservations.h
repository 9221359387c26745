//
// NickReservations.h
//
// Nicks kept for whoever used them (docs/PROTOCOL.md, Nick tokens): from
// its first use a nick belongs, server-wide, to its holder until
// nick_reservation_days have passed since the holder last used it. Others
// asking for it (a join or a rename) are refused with nick_reserved.
//
// A nick is keyed by NameRules::comparisonKey(nick), so every spelling that
// is the same name (Alice, alice, аlice) is one reservation. The holder is
// an opaque string naming who holds it, never a secret: "token:" and the
// SHA-256 of a nick token (NickToken::holder), or "sub:" and the SHA-256 of
// a signed identity's subject. A store keeps only those.
//
// Bounded: at most maxReservations nicks are kept; claiming one more drops
// the one used longest ago. Reservations also expire by themselves
// (lifetimeMs after their last claim).
//
// claim() runs on the calling connection's I/O thread and may block on the
// backend (see each implementation for how long); it never throws: a
// backend that fails answers Unavailable, and the caller lets the client
// in without a reservation rather than lock everyone out.
//

#ifndef WEBCHAT_CHATROOM_NICKRESERVATIONS_INCLUDED
#define WEBCHAT_CHATROOM_NICKRESERVATIONS_INCLUDED

#include "Poco/Logger.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

namespace webchat::chatroom {

struct ChatSettings;
struct HistorySettings;

class NickReservations
{
public:
	enum class Claim
	{
		Granted,    // holder holds nickKey now (newly, or again): its last use is now
		Reserved,   // another holder holds it: refuse with nick_reserved
		Unavailable // the backend failed (logged): nothing is known
	};

	virtual ~NickReservations() = default;

	/// Claims nickKey (NameRules::comparisonKey of the nick) for holder at
	/// nowMs (milliseconds since the Unix epoch): granted when nobody holds
	/// it or holder does (either way it is holder's until nowMs plus the
	/// lifetime), else Reserved.
	virtual Claim claim(const std::string& nickKey, const std::string& holder, std::int64_t nowMs) = 0;

	/// Whether nick (as shown, not its key: a skeleton turns digits into
	/// look-alike letters) can be reserved at all: not a guest nick
	/// (guest-<n>, as the server names guests), which nobody can hold.
	static bool reservable(const std::string& nick);

	/// One line for the log: where reservations are kept, for how long.
	virtual std::string describe() const = 0;

	/// "<days> days after last use, at most <max>": describe()'s tail.
	static std::string describeLimits(std::int64_t lifetimeMs, std::size_t maxReservations);

	/// The reservations the listener's settings describe: in the history
	/// database (sqlite, opened by its store before), in Redis (redis) or
	/// in memory (memory, and sqlite when database_fallback = memory let
	/// the history fall back); null when nick_reservation_days is 0.
	/// Throws Poco::Exception when the database cannot be used.
	static std::unique_ptr<NickReservations> open(const ChatSettings& chat, const HistorySettings& history, Poco::Logger& logger);
};

} // namespace webchat::chatroom

#endif
