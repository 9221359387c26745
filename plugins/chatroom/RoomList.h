//
// RoomList.h
//
// The chat listener's one plain HTTP request: GET /rooms, the rooms with
// members, busiest first, at most MaxRooms of them, as JSON:
//   [{"room":"lobby","users":12},{"room":"Hà Nội","users":3}]
// for a page served from another port (docs/PROTOCOL.md, Room list). An
// Origin the listener's allowed_origins refuses gets 403, as its upgrade
// would; an allowed one is echoed in Access-Control-Allow-Origin. Each
// request takes one of its address's frames (rate_per_ip_per_second,
// shared with its WebSocket frames): beyond them, 429.
//
// RoomListFactory answers GET /rooms without an Upgrade header itself and
// gives everything else (the WebSockets, a room called "rooms" included)
// to the engine's UpgradeHandlerFactory.
//

#ifndef WEBCHAT_CHATROOM_ROOMLIST_INCLUDED
#define WEBCHAT_CHATROOM_ROOMLIST_INCLUDED

#include "ChatHandler.h"

#include "webchat/engine/OriginPolicy.h"
#include "webchat/engine/UpgradeHandler.h"

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"

#include <string>
#include <vector>

namespace webchat::chatroom {

class RoomList: public Poco::Net::HTTPRequestHandler
{
public:
	/// The most rooms a list holds.
	static constexpr std::size_t MaxRooms = 100;

	RoomList(ChatHandler& chat, const engine::OriginPolicy& origins);

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

	/// The list's JSON.
	static std::string json(const std::vector<ChatHandler::RoomUsers>& rooms);

	/// Whether request is GET /rooms (any query) and no WebSocket upgrade.
	static bool isFor(const Poco::Net::HTTPServerRequest& request);

private:
	ChatHandler& _chat;
	const engine::OriginPolicy& _origins;
};

class RoomListFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	RoomListFactory(engine::Engine& engine, engine::OriginPolicy origins, ChatHandler& chat);

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	const engine::OriginPolicy _origins;
	engine::UpgradeHandlerFactory _upgrades;
	ChatHandler& _chat;
};

} // namespace webchat::chatroom

#endif
