//
// ApiRoute.h
//
// What an operator API request asks for, from its method and target alone:
// the route of the table in docs/API.md, the room and id in its path and
// the query's before, limit and listener. Everything is bounded before it
// is decoded: the whole target, each path segment, each query value.
// Refusals are ApiErrors (404 not_found, 405 method_not_allowed with the
// methods the path takes, 400 invalid_request).
//

#ifndef WEBCHAT_ADMIN_APIROUTE_INCLUDED
#define WEBCHAT_ADMIN_APIROUTE_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string>

namespace webchat::admin {

struct ApiRoute
{
	enum class Kind
	{
		ListRooms,      // GET    /api/v1/rooms
		ListUsers,      // GET    /api/v1/rooms/<room>/users
		ListMessages,   // GET    /api/v1/rooms/<room>/messages?before=&limit=
		AddMessage,     // POST   /api/v1/rooms/<room>/messages
		DeleteMessage,  // DELETE /api/v1/rooms/<room>/messages/<id>
		Kick,           // POST   /api/v1/rooms/<room>/kick
		AddBan,         // POST   /api/v1/bans
		ListBans,       // GET    /api/v1/bans
		RemoveBan       // DELETE /api/v1/bans/<id>
	};

	static constexpr std::size_t MaxTargetBytes = 2048;
	// A room name is at most 64 characters of up to 4 bytes, each byte
	// percent-encoded in the worst case.
	static constexpr std::size_t MaxRoomSegmentBytes = 64 * 4 * 3;
	static constexpr std::size_t DefaultLimit = 50;
	static constexpr std::size_t MaxLimit = 1000;

	Kind kind = Kind::ListRooms;
	std::string room;            // percent-decoded; checked by the chat room's name rules
	std::uint64_t id = 0;        // message or ban id
	std::uint64_t before = 0;    // 0: the newest
	std::size_t limit = DefaultLimit;
	std::string listener;        // empty: the first of chat_listeners

	/// Throws ApiError.
	static ApiRoute parse(const std::string& method, const std::string& target);

	/// Whether the route reads a JSON body.
	bool takesBody() const { return kind == Kind::AddMessage || kind == Kind::Kick || kind == Kind::AddBan; }
};

} // namespace webchat::admin

#endif
