//
// ServerEvents.h
//
// The JSON of every event the server sends (docs/PROTOCOL.md, Server to
// client). Field order is fixed; strings go through JsonWriter.
//
// A message is built in two steps so that only the part that depends on its
// id is built under the room's lock: messageTail() before, with the
// (already escaped) nick, the text and the time; message() under the lock.
//

#ifndef WEBCHAT_CHATROOM_SERVEREVENTS_INCLUDED
#define WEBCHAT_CHATROOM_SERVEREVENTS_INCLUDED

#include "HistoryStore.h"
#include "RoomState.h"
#include "Speaker.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::chatroom {

class ServerEvents
{
public:
	/// Who said a message, beside its nick (Speaker): its public id, sent
	/// as "from" when not empty, and "verified":true when a signed identity
	/// vouches for it.
	struct Sender
	{
		std::string_view from;
		bool verified = false;
	};

	/// Appends ,"nick":"<nick>","from":"<from>","verified":true,
	/// "text":"<text>","ts":<ts>} to out (from and verified only when set).
	/// escapedNick is already JSON-escaped (JsonWriter::escaped), as a
	/// session keeps it.
	static void appendMessageTail(std::string& out, std::string_view escapedNick, const Sender& sender, std::string_view text, std::int64_t ts);

	/// The same for a message without a sender id.
	static void appendMessageTail(std::string& out, std::string_view escapedNick, std::string_view text, std::int64_t ts);

	/// {"type":"message","id":<id> followed by tail.
	static std::string message(std::uint64_t id, std::string_view tail);

	/// The same, appended to out (a buffer kept from an earlier message).
	static void appendMessage(std::string& out, std::uint64_t id, std::string_view tail);

	/// The message event of a message from the history store: the same
	/// bytes as when it was first sent, or its tombstone.
	static std::string message(const HistoryStore::Message& message);

	/// What a deleted message becomes in history:
	/// {"type":"message","id":<id>,"deleted":true,"by":"<by>"}.
	static std::string tombstone(std::uint64_t id, std::string_view by);

	/// The welcome for nick, who just joined room: "verified":true and its
	/// "roles" when speaker has them, its members (and, when some are,
	/// the indexes of the verified ones in "verifiedIndexes"), the history
	/// resume selects, lastId, the room's epoch, its topic when it has one,
	/// when due gap and reset, then the nick token to keep for its nick
	/// (when not empty) and its own public id (speaker.from, when set).
	static std::string welcome(std::string_view room, std::string_view nick, const RoomState& state, const RoomState::Resume& resume,
		const Speaker& speaker = Speaker(), std::string_view token = {});

	/// A join; "verified":true for a verified speaker.
	static std::string join(std::string_view nick, std::int64_t ts, bool verified = false);

	/// The answer to an auth frame that took: the speaker the connection is
	/// now and its token's exp (seconds since the epoch).
	static std::string authenticated(const Speaker& speaker, std::int64_t expiresAt);
	static std::string leave(std::string_view nick, std::int64_t ts);
	/// A rename; "verified":true for a verified speaker.
	static std::string nick(std::string_view oldNick, std::string_view newNick, std::int64_t ts, bool verified = false);
	static std::string error(std::string_view code, std::string_view message);
	/// An error with the seconds it lasts (muted, banned, slow_mode).
	static std::string error(std::string_view code, std::string_view message, std::int64_t seconds);

	/// The answer to a history request: {"type":"history","messages":[...],
	/// "more":true|false}, messages (message events, as in a welcome's
	/// history) oldest first; more when older ones exist.
	static std::string history(const std::vector<std::string>& messages, bool more);

	/// Someone else in the room is typing: {"type":"typing","nick":"<nick>"}.
	static std::string typing(std::string_view nick);

	// Moderation
	static std::string deleted(std::uint64_t id, std::string_view by);
	static std::string topic(std::string_view text, std::string_view by);
	static std::string kicked(std::string_view room, std::string_view by, std::string_view reason);
};

} // namespace webchat::chatroom

#endif
