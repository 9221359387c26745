//
// ChatService.h
//
// What a chat listener (plugin chatroom) offers other plugins through the
// host's service registry: its rooms, their members and history, posting
// as the server, and the moderators' actions. The operator API (plugin
// admin) is its user; the host knows nothing of it.
//
// A chat listener publishes one ChatService under serviceName(<listener>)
// once it serves, and withdraws and detaches it when it shuts down: a
// caller still holding it then gets Status::Unavailable from every call.
// A listener replaced by a SIGHUP reload publishes its successor's under
// the same name, so look the service up for each request.
//
// Every call is thread-safe, may block briefly (a room's lock, with
// backend = redis a round trip) and throws nothing: the two sides are
// separate libraries built with hidden visibility, where an exception's
// type is as unreliable to match as a dynamic_cast. A Result carries a
// typed status instead, with a message for people.
//
// Change anything here (a function, a struct, a status), change
// versionedName: a plugin built against another version then finds no
// service instead of calling through a mismatched vtable.
//

#ifndef WEBCHAT_CHATROOM_API_CHATSERVICE_INCLUDED
#define WEBCHAT_CHATROOM_API_CHATSERVICE_INCLUDED

#include "webchat/HandlerPlugin.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace webchat {

class ChatService: public Service
{
public:
	static constexpr const char* versionedName = "webchat.ChatService/2";

	const char* interfaceName() const final { return versionedName; }

	/// The name a chat listener publishes its service under.
	static std::string serviceName(const std::string& listener) { return listener + "/chat"; }

	enum class Status
	{
		Ok,
		NoSuchRoom,     // no room of that name is loaded on this server
		NoSuchMember,   // nobody of that nick in the room
		NoSuchMessage,  // no message of that id in the room's history
		NoSuchBan,
		Invalid,        // a room name, nick, text or value the chat room refuses
		Unavailable     // the listener shut down, or its shared backend is unreachable
	};

	template <class Value>
	struct Result
	{
		Status status = Status::Ok;
		std::string message; // for people; empty when Ok
		Value value{};

		bool ok() const { return status == Status::Ok; }
		static Result failure(Status status, std::string message) { return Result{status, std::move(message), Value{}}; }
	};

	/// What a call that answers nothing but success gives.
	struct Done
	{
	};

	struct RoomSummary
	{
		std::string room;
		std::size_t users = 0;   // members, on every server with backend = redis
		std::uint64_t lastId = 0;
	};

	struct Member
	{
		std::string nick;
		std::string from;     // the speaker's public id; empty when unknown (a member of another server)
		bool verified = false;
		std::string address;  // the client's address; empty for a member of another server
	};

	struct StoredMessage
	{
		std::uint64_t id = 0;
		std::string json;     // the message event exactly as clients get it
	};

	struct Posted
	{
		std::uint64_t id = 0; // 0 when a shared backend numbers it later
		bool queued = false;  // backend = redis, unreachable: sent when it is back
	};

	struct BanRequest
	{
		std::string room;     // empty: every room
		std::string nick;     // either or both of nick and address
		std::string address;
		std::int64_t seconds = 0;
		std::string reason;
	};

	struct Ban
	{
		std::uint64_t id = 0;
		std::string room;
		std::string nick;
		std::string address;
		std::string reason;
		std::int64_t expiresMs = 0; // wall clock, milliseconds since the Unix epoch
	};

	/// Rooms loaded on this server (with members, or kept for their history).
	virtual Result<std::vector<RoomSummary>> rooms() = 0;

	/// The members of room, in the order they joined.
	virtual Result<std::vector<Member>> members(const std::string& room) = 0;

	/// Up to limit messages of room with ids below before (0: the newest),
	/// oldest first: from what the room holds in memory (history_size) and,
	/// older, from its stored history (retention_count).
	virtual Result<std::vector<StoredMessage>> messages(const std::string& room, std::uint64_t before, std::size_t limit) = 0;

	/// Posts text to room as the server speaking as nick (a bot or system
	/// speaker, no member of the room); every member, on every server,
	/// gets it like any message.
	virtual Result<Posted> post(const std::string& room, const std::string& nick, const std::string& text) = 0;

	/// As a moderator's delete command: the message becomes a tombstone.
	virtual Result<Done> deleteMessage(const std::string& room, std::uint64_t id) = 0;

	/// As a moderator's kick command.
	virtual Result<Done> kick(const std::string& room, const std::string& nick, const std::string& reason) = 0;

	/// A ban, as a moderator's ban command (no room: every room); its id.
	virtual Result<std::uint64_t> addBan(const BanRequest& ban) = 0;
	virtual Result<std::vector<Ban>> bans() = 0;
	virtual Result<Done> removeBan(std::uint64_t id) = 0;
};

} // namespace webchat

#endif
