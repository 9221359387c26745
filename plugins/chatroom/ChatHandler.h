//
// ChatHandler.h
//
// The chat-room protocol on the engine (docs/PROTOCOL.md): checks what a
// client asked for and who it is, joins it to its room, turns its frames
// into messages and nick changes under its rate limits, and announces its
// leaving. Every callback but makeSession runs on the connection's I/O
// thread.
//
// Signed identities (auth = jwt, docs/PROTOCOL.md, Signed identities): a
// token comes with the upgrade URL (token=) or in an auth frame; a valid
// one makes the connection's Speaker (ChatSession::auth() tracks where it
// stands). The connection's engine deadline carries the only timers: the
// wait for a first auth frame, the token's expiry, then the grace for a
// fresh one; onDeadline acts on whichever is due.
//
// Moderation: bans are checked at every join, mutes and slow mode at every
// message, and moderators' commands run here. The same actions are plain
// calls (deleteMessage, kick, addBan...) for the operator API, from any
// thread, with the moderator named by a string.
//

#ifndef WEBCHAT_CHATROOM_CHATHANDLER_INCLUDED
#define WEBCHAT_CHATROOM_CHATHANDLER_INCLUDED

#include "ChatError.h"
#include "ChatSession.h"
#include "ChatSettings.h"
#include "ClientCommand.h"
#include "Clock.h"
#include "DelayedTasks.h"
#include "HistoryStore.h"
#include "NickReservations.h"
#include "Moderation.h"
#include "ModerationTargets.h"
#include "Room.h"
#include "RoomRegistry.h"
#include "SharedRooms.h"
#include "auth/AuthSettings.h"

#include "webchat/engine/AddressBuckets.h"
#include "webchat/engine/SessionHandlerFor.h"
#include "webchat/engine/Topic.h"

#include "Poco/Logger.h"

#include <functional>
#include <mutex>
#include <unordered_map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

namespace webchat::chatroom {

class ChatHandler final: public engine::SessionHandlerFor<ChatSession>, public SharedRooms::Sink
{
public:
	/// topics gives the engine topic of a room name (Engine::topic).
	using TopicSource = std::function<std::shared_ptr<engine::Topic>(const std::string& name)>;

	/// store keeps the rooms' history; it must outlive the rooms (clearRooms()).
	/// reservations keeps nicks for their holders (null: nicks are not kept);
	/// it must outlive the handler.
	ChatHandler(const ChatSettings& settings, const auth::AuthSettings& auth, TopicSource topics, HistoryStore& store, Poco::Logger& logger,
		NickReservations* reservations = nullptr);

	std::unique_ptr<ChatSession> makeSession(const Poco::Net::HTTPServerRequest& request) override;
	void onOpen(engine::Connection& connection) override;
	void onMessage(engine::Connection& connection, ws::Opcode opcode, std::string_view payload) override;
	void onClose(engine::Connection& connection, std::uint16_t code) override;
	void onDeadline(engine::Connection& connection) override;

	/// Forgets every room and so drops their topics (before the engine goes).
	void clearRooms() { _rooms.clear(); }

	/// Ends the leave graces: members still away stay so until the rooms go
	/// (once the engine stopped, nobody is left to tell).
	void stopLeaveGraces() { _leaveGraces.stop(); }

	/// Drops the joins waiting for a join thread and waits for those under
	/// way (once the engine stopped: their connections are closed, so each
	/// undoes what it took).
	void stopJoins() { _joins.stop(); }

	/// Rooms with members and members over all rooms (any thread).
	RoomRegistry<Room>::Usage usage() const { return _rooms.usage(); }

	/// The room of that name (in any spelling of it) if it exists, and every
	/// room (any thread; not held, so a room may be forgotten while the
	/// caller looks at it).
	std::shared_ptr<Room> findRoom(const std::string& name) const { return _rooms.find(NameRules::comparisonKey(name)); }
	std::vector<std::shared_ptr<Room>> allRooms() const { return _rooms.all(); }

	struct RoomUsers
	{
		std::string room; // as shown
		std::size_t users = 0;
	};
	/// The rooms with members, busiest first (then by name), at most limit
	/// of them (any thread; a lock of each room in turn).
	std::vector<RoomUsers> busiestRooms(std::size_t limit) const;

	/// Takes one of address's frames (rate_per_ip_per_second, shared with
	/// its WebSocket frames) for a plain HTTP request; false when it has
	/// none left (any thread).
	bool admitRequest(const std::string& address) { return _framesPerAddress.tryTake(address, steadyMs()); }

	/// Up to limit of the stored messages of the room of that key with ids
	/// below before, oldest first (HistoryStore::loadBefore; any thread,
	/// may block on a read, throws what the store throws).
	std::vector<HistoryStore::Message> storedBefore(const std::string& roomKey, std::uint64_t before, std::size_t limit)
	{
		return _store.loadBefore(roomKey, before, limit);
	}

	// Moderation actions: any thread; each is written to the audit log ------

	enum class Outcome
	{
		Done,
		NotFound // no such message, or nobody of that nick here
	};

	/// Message id of room becomes a tombstone, and its members are told.
	Outcome deleteMessage(const std::string& room, std::uint64_t id, const std::string& by);
	/// Sends the member of room called nick (on this instance) a kicked
	/// event and closes its connection with 4403.
	Outcome kick(const std::string& room, const std::string& nick, const std::string& reason, const std::string& by);

	struct BanRequest
	{
		std::string room;    // empty: every room
		std::string nick;    // the nick and whoever holds it now; empty: none
		std::string address; // empty: none
		std::optional<std::int64_t> seconds; // none: permanent
		std::string reason;
	};
	/// Bans and kicks whoever the ban holds now; the ban with its id.
	Ban addBan(const BanRequest& request, const std::string& by);
	std::vector<Ban> bans() const { return _moderation.bans(); }
	Outcome removeBan(std::uint64_t id, const std::string& by);
	/// Lifts room's bans of nick (or, when nick is empty, of address).
	Outcome unban(const std::string& room, const std::string& nick, const std::string& address, const std::string& by);

	/// seconds 0 lifts the mute.
	void mute(const std::string& room, const std::string& nick, std::int64_t seconds, const std::string& by);
	void setSlowmode(const std::string& room, std::int64_t seconds, const std::string& by);
	void setTopic(const std::string& room, const std::string& text, const std::string& by);

	// SharedRooms::Sink: the shared backend's thread, to the room of that name.
	std::optional<SharedRooms::Position> position(const std::string& room) override;
	void message(const std::string& room, const std::string& epoch, const HistoryStore::Message& message) override;
	void reload(const std::string& room) override;
	void presence(const std::string& room, const SharedRooms::Presence& change) override;
	/// Also the local half of relayTyping(): room's members here, but nick.
	void typing(const std::string& room, const std::string& nick) override;
	void remoteMembers(const std::string& room, const std::map<std::string, std::string>& members) override;
	void instanceGone(const std::string& instance) override;
	std::map<std::string, std::vector<Name>> localMembers() override;
	void forgetRoomsEmptySince(std::chrono::steady_clock::time_point cutoff) override;
	std::vector<std::string> remoteInstances() override;
	void removed(const std::string& room, std::uint64_t id, const std::string& by) override;
	void kicked(const std::string& room, const std::string& nick, const std::string& by, const std::string& reason) override;
	void topicChanged(const std::string& room, const std::string& text, const std::string& by) override;
	void moderationChanged() override;

private:
	void refuse(engine::Connection& connection, const ChatError& error);
	// Every close the server starts: the member leaves without grace.
	void closeAtOnce(engine::Connection& connection, std::uint16_t code, const std::string& reason);
	void joinRoom(engine::Connection& connection, ChatSession& session, const std::optional<std::string>& nick);
	// Signed identities: the token checked now, the connection refused
	// (4401) when it fails; the session then speaks as the identity, until
	// the token's exp.
	std::optional<auth::Identity> verify(engine::Connection& connection, const std::string& token);
	void adopt(engine::Connection& connection, ChatSession& session, const auth::Identity& identity);
	void firstAuthFrame(engine::Connection& connection, ChatSession& session, ws::Opcode opcode, std::string_view payload);
	void authenticate(engine::Connection& connection, ChatSession& session, const std::string& token, std::int64_t now);
	// A join's halves (JoinQueue.h): prepareJoin() on a join thread claims
	// the nick and admits it to the room (Room::admit), completeJoin() on
	// the connection's thread joins it; abandonJoin() undoes the first when
	// the connection closed in between.
	void prepareJoin(PendingJoin& join);
	void completeJoin(engine::Connection& connection, const std::shared_ptr<PendingJoin>& join);
	void abandonJoin(PendingJoin& join);
	// On the join thread, before join is handed to its connection's thread
	// (handle): waits, if the room's previous join went to another I/O
	// thread, until that one is through (JoinQueue.h).
	void inRoomOrder(const PendingJoin& join, const engine::ConnectionHandle& handle);
	// A guest's identity from its nick token: the token for its welcome,
	// the speaker it makes, the holder its nicks are reserved for.
	struct GuestClaim
	{
		std::string token;
		Speaker speaker;
		std::string holder; // empty without nick reservations
	};
	// The token a guest sent when it holds nick, else a new one; or the
	// refusal when nick is another's (any thread).
	std::variant<GuestClaim, ChatError> claimByNickToken(const std::optional<std::string>& sent, const std::optional<std::string>& nick);
	// Claims nick for holder: nick_reserved when another holds it.
	std::optional<ChatError> claimForHolder(const std::string& holder, const std::string& nick);
	void postMessage(engine::Connection& connection, ChatSession& session, std::string_view text);
	void changeNick(engine::Connection& connection, ChatSession& session, std::string_view requested, std::int64_t now);
	// Tells the room's other members here that session is typing.
	void relayTyping(ChatSession& session, std::int64_t now);
	// Answers a history request with the messages older than request.before.
	void sendOlderHistory(engine::Connection& connection, ChatSession& session, const ClientCommand::HistoryRequest& request);
	// A moderator's command (the kinds ClientCommand::isModeration names).
	void moderate(engine::Connection& connection, ChatSession& session, const ClientCommand& command);
	// Refused by a ban, a mute or slow mode: an error naming how long.
	bool bannedFromJoining(engine::Connection& connection, const ChatSession& session);
	bool mayPost(engine::Connection& connection, const ChatSession& session);
	Subject subjectOf(const ChatSession& session, const engine::Connection& connection) const;
	// Kicks the member nick of room if it is on this instance.
	bool kickHere(const std::string& room, const std::string& nick, const std::string& reason, const std::string& by);
	// Kicks the members of this instance that a ban holds.
	void enforce(const Ban& ban);

	// Typing notices go to at most this many members of a room here (each
	// costs a task on the member's I/O thread); bigger rooms get none.
	static constexpr std::size_t MaxTypingAudience = 100;

	const ChatSettings _settings;
	const auth::AuthSettings _auth;
	Poco::Logger& _logger;
	NickReservations* const _reservations;
	HistoryStore& _store;
	// Frames per client address, across its connections.
	engine::AddressBuckets _framesPerAddress;
	// Joins announced per client address (each announced join's leave is
	// announced too).
	engine::AddressBuckets _presencePerAddress;
	// Before the rooms, which read the topics.
	std::unique_ptr<ModerationStore> _moderationStore;
	Moderation _moderation;
	ModerationTargets<engine::ConnectionHandle> _targets;
	RoomRegistry<Room> _rooms;
	// The ends of members' leave graces; before the rooms.
	DelayedTasks _leaveGraces;
	// Each room's last join handed back (inRoomOrder), by room key.
	struct LastJoin
	{
		engine::ConnectionHandle handle;
		std::shared_ptr<JoinDone> done;
	};
	std::mutex _lastJoinsMutex;
	std::unordered_map<std::string, LastJoin> _lastJoins;
	// Joins' blocking halves; first to go (their work uses all of the above).
	JoinQueue _joins;
};

} // namespace webchat::chatroom

#endif
