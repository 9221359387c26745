//
// RoomState.h
//
// Everything a room remembers: its members (in the order they joined, each
// by the name it shows and the key it is compared by: two nicks with one
// key are one nick, see NameRules.h), its epoch (which incarnation of the
// room this is), the id of its last message, its topic and its recent
// history (a deleted message as its tombstone), kept as the messages'
// serialised JSON so the welcome is built by concatenation. Pure state, no
// locking: Room changes it only under its topic's lock.
//
// History is bounded twice: by count (history_size) and by bytes
// (history_bytes), so the welcome, sent as one frame, always fits a
// client's queue whatever the messages hold.
//

#ifndef WEBCHAT_CHATROOM_ROOMSTATE_INCLUDED
#define WEBCHAT_CHATROOM_ROOMSTATE_INCLUDED

#include "NameRules.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace webchat::chatroom {

class RoomState
{
public:
	struct Limits
	{
		std::size_t historySize = 100;
		std::size_t historyBytes = 128 * 1024;
		std::size_t maxUsers = 1000;
	};

	explicit RoomState(const Limits& limits);

	// Members ---------------------------------------------------------------

	enum class Join
	{
		Joined,
		NickTaken,
		Full
	};

	/// NickTaken when a member has nick's key. verified: a signed identity
	/// vouches for the member (welcomes list it in verifiedIndexes); kept
	/// across renames, gone when it leaves.
	Join join(const Name& nick, bool verified = false);

	/// Adds a member another instance admitted (shared rooms): no limit
	/// applies; false if a member has nick's key already.
	bool addRemote(const Name& nick);

	/// The member of that key leaves; false if there is none.
	bool leave(const std::string& key);

	enum class Rename
	{
		Renamed,
		Unchanged, // to is shown as the member is already
		Taken,
		NotMember
	};

	/// The member of key fromKey is shown as to from now on. Taken when
	/// another member has to's key; the member's own key in another
	/// spelling (alice to Alice) is a change of how it is shown.
	Rename rename(const std::string& fromKey, const Name& to);

	/// A "guest-<n>" nick nobody in the room has. n counts up per room, so a
	/// guest who left is not confused with the next one.
	Name guestNick();

	bool hasMember(const std::string& key) const;
	/// How the member of that key is shown; empty if there is none.
	std::string shownAs(const std::string& key) const;
	const std::vector<Name>& members() const { return _members; }

	/// The member of that key became verified after it joined; nothing
	/// when there is no such member.
	void setVerified(const std::string& key);
	bool isVerified(const std::string& key) const { return _verified.count(key) != 0; }
	bool anyVerified() const { return !_verified.empty(); }

	// Messages --------------------------------------------------------------

	/// Starts the room where its history store left it: its epoch, the id
	/// of its last message and, oldest first, the JSON of the newest
	/// messages up to it (consecutive ids ending at lastId), bounded as
	/// append() bounds them.
	void restore(std::string epoch, std::uint64_t lastId, std::vector<std::string> newest);

	/// This incarnation of the room (empty before restore()).
	const std::string& epoch() const { return _epoch; }

	/// The id of the newest message; 0 before the first.
	std::uint64_t lastId() const { return _lastId; }

	/// The id the next message gets.
	std::uint64_t nextId() const { return _lastId + 1; }

	/// Records message nextId(), serialised as json, as the newest history
	/// entry, and forgets the oldest entries beyond history_size or
	/// history_bytes (a message alone larger than history_bytes is not
	/// kept at all).
	void append(std::string json);

	/// An empty string to build the next append()'s json (about size
	/// bytes) in: when the history is full, the oldest entry's (which that
	/// append() would drop anyway; it is dropped now), so a busy room
	/// allocates nothing per message for its history; else a new one. Not
	/// a buffer of more than twice size: a large message's memory is not
	/// kept for a small one (history_bytes bounds memory too).
	std::string spareEntry(std::size_t size);

	/// History, oldest first.
	std::size_t historyCount() const { return _count; }
	const std::string& historyJson(std::size_t index) const;
	std::uint64_t historyId(std::size_t index) const { return _lastId - _count + 1 + index; }
	std::size_t historyBytes() const { return _bytes; }

	/// Puts json, a tombstone, in place of message id in the history. False
	/// when the history does not hold id (too old, or never given).
	bool tombstone(std::uint64_t id, std::string json);

	/// What a client joining with since=<id> (or none) gets.
	struct Resume
	{
		std::size_t first = 0;      // index of the first history entry to send
		std::uint64_t gapFrom = 0;  // messages gapFrom..gapTo are lost (0: no gap)
		std::uint64_t gapTo = 0;
		bool reset = false;         // the room is not the one the client knew: another epoch, or since beyond lastId
	};

	/// epoch: the one the client was given with since (none: only since is
	/// checked, as before epochs existed).
	Resume resume(const std::optional<std::uint64_t>& since, const std::optional<std::string>& epoch = std::nullopt) const;

	const Limits& limits() const { return _limits; }

	// Topic -----------------------------------------------------------------

	/// The room's topic (empty: none) and who set it, shown in the welcome.
	void setTopic(std::string text, std::string by);
	const std::string& topic() const { return _topic; }
	const std::string& topicBy() const { return _topicBy; }

private:
	void dropOldest();
	std::vector<Name>::iterator findMember(const std::string& key);
	std::vector<Name>::const_iterator findMember(const std::string& key) const;

	const Limits _limits;
	std::vector<Name> _members;
	std::set<std::string> _verified; // keys of the members a signed identity vouches for
	std::uint64_t _nextGuest = 1;

	std::string _epoch;
	std::uint64_t _lastId = 0;
	std::vector<std::string> _ring; // history_size slots
	std::size_t _head = 0;          // slot of the oldest entry
	std::size_t _count = 0;
	std::size_t _bytes = 0;

	std::string _topic;
	std::string _topicBy;
};

} // namespace webchat::chatroom

#endif
