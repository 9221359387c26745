//
// ChatSession.h
//
// One client's state: what its upgrade request asked for (parsed on the
// HTTP thread), then its room, nick and limits. Owned by its connection and
// touched only on the connection's I/O thread.
//

#ifndef WEBCHAT_CHATROOM_CHATSESSION_INCLUDED
#define WEBCHAT_CHATROOM_CHATSESSION_INCLUDED

#include "ChatError.h"
#include "ChatSettings.h"
#include "FloodGuard.h"
#include "JoinQueue.h"
#include "RequestTarget.h"
#include "Room.h"
#include "Speaker.h"
#include "webchat/engine/TokenBucket.h"

#include "webchat/engine/SessionHandler.h"

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace webchat::chatroom {

/// A join under way (ChatHandler::joinRoom): what it asked for, set on the
/// connection's thread before a join thread takes it, and what the join
/// thread prepared, read back on the connection's thread once the ticket
/// is Ready (the ticket's lock orders the two).
struct PendingJoin: JoinTicket
{
	// Asked for.
	std::string roomName;
	std::string roomKey;                  // NameRules::comparisonKey(roomName): its join thread, its order
	std::optional<std::string> nick;
	std::optional<std::string> sentToken; // token= of a guest
	Speaker speaker;                      // a signed identity's; a guest's is made by the claim
	std::string holder;                   // a signed identity's nick holder

	// Prepared.
	std::optional<ChatError> refusal;     // refused: nothing else is set
	std::string token;                    // a guest's nick token, for its welcome
	std::shared_ptr<Room> room;           // held from the registry
	Room::Admission admission;

	// Signalled once it joined, was refused or was undone.
	std::shared_ptr<JoinDone> done = std::make_shared<JoinDone>();
};

class ChatSession final: public engine::Session
{
public:
	ChatSession(RequestTarget target, const ChatSettings& settings);

	const RequestTarget& target() const { return _target; }

	/// The room held from the registry (set before joining, so onClose
	/// gives it back even if the join is refused).
	const std::shared_ptr<Room>& room() const { return _room; }
	void hold(std::shared_ptr<Room> room) { _room = std::move(room); }
	std::shared_ptr<Room> dropRoom() { _joined = false; return std::move(_room); }

	/// Its join is under way on a join thread (JoinQueue.h).
	const std::shared_ptr<PendingJoin>& pendingJoin() const { return _pendingJoin; }
	void startJoining(std::shared_ptr<PendingJoin> join) { _pendingJoin = std::move(join); }
	std::shared_ptr<PendingJoin> endJoining() { return std::move(_pendingJoin); }

	/// Frames a client sent before its welcome (while joining) are kept
	/// and handled once it joined, at most MaxEarlyFrames of them and
	/// MaxEarlyBytes together: false (not kept) beyond.
	static constexpr std::size_t MaxEarlyFrames = 16;
	static constexpr std::size_t MaxEarlyBytes = 64 * 1024;
	bool keepEarlyFrame(ws::Opcode opcode, std::string_view payload);
	std::vector<std::pair<ws::Opcode, std::string>> takeEarlyFrames();

	/// In the room's member list as nick().
	bool joined() const { return _joined; }
	void joinedAs(std::string nick);

	/// The server closed it (a refusal, a kick, a ban, flooding): it
	/// leaves its room at once, without the leave grace a lost connection
	/// gets.
	bool closedByServer() const { return _closedByServer; }
	void setClosedByServer() { _closedByServer = true; }

	/// Whether its join was broadcast (presence_events_per_ip_per_minute):
	/// its leave is, then, and only then.
	bool announced() const { return _announced; }
	void setAnnounced(bool announced) { _announced = announced; }

	const std::string& nick() const { return _nick; }
	/// The nick JSON-escaped, for the hot path.
	const std::string& escapedNick() const { return _escapedNick; }
	void setNick(std::string nick);

	/// Who it speaks as (its public id, verified, roles).
	const Speaker& speaker() const { return _speaker; }
	void setSpeaker(Speaker speaker) { _speaker = std::move(speaker); }

	/// Where its signed identity stands (auth = jwt; always Guest with
	/// auth = none). The connection's deadline, while it has one, is
	/// the end of AwaitingToken, of Verified (the token's exp) or of
	/// Expired (auth_grace_ms after that).
	enum class Auth
	{
		Guest,         // no signed identity, and none needed
		AwaitingToken, // not joined: its first frame must be an auth frame
		Verified,      // speaks as a token's identity, which is still valid
		Expired        // the token ran out; a fresh one is due within the grace
	};
	Auth auth() const { return _auth; }
	void setAuth(Auth auth) { _auth = auth; }

	/// Whom its nicks are reserved for (NickReservations' holder: its
	/// nick token's or its signed identity's); empty: none are.
	const std::string& nickHolder() const { return _nickHolder; }
	void setNickHolder(std::string holder) { _nickHolder = std::move(holder); }

	/// A connection's typing notices are passed on at most once per this
	/// many milliseconds; more are dropped without a word.
	static constexpr std::int64_t TypingIntervalMs = 2000;

	engine::TokenBucket& messages() { return _messages; }
	engine::TokenBucket& nickChanges() { return _nickChanges; }
	/// One typing notice per TypingIntervalMs.
	engine::TokenBucket& typing() { return _typing; }
	FloodGuard& flood() { return _flood; }

private:
	const RequestTarget _target;
	std::shared_ptr<Room> _room;
	std::shared_ptr<PendingJoin> _pendingJoin;
	std::vector<std::pair<ws::Opcode, std::string>> _earlyFrames;
	std::size_t _earlyBytes = 0;
	bool _joined = false;
	bool _announced = true;
	bool _closedByServer = false;
	std::string _nick;
	std::string _escapedNick;
	Speaker _speaker;
	Auth _auth = Auth::Guest;
	std::string _nickHolder;
	engine::TokenBucket _messages;
	engine::TokenBucket _nickChanges;
	engine::TokenBucket _typing;
	FloodGuard _flood;
};

} // namespace webchat::chatroom

#endif
