//
// ChatroomPlugin: chat rooms with nicks, history and resume, speaking the
// JSON protocol of docs/PROTOCOL.md on the WebSocket engine. The room is
// the URL's path; each message is serialised and framed once, whatever the
// number of members. A plain GET /rooms lists the busiest rooms
// (RoomList.h).
//
// Listener keys: the engine's (EngineSettings.h), the chat room's limits
// (ChatSettings.h), where history is kept (HistorySettings.h) and how
// clients prove who they are (auth/AuthSettings.h).
//
// Once it serves, the listener publishes its ChatService (api/ChatService.h)
// through the host, under ChatService::serviceName(<listener>), for the
// operator API; shutdown() withdraws and detaches it first of all.
//
// Order at shutdown: the engine stops first (its I/O threads are the only
// callers of the rooms, so nothing is appended after), then the join
// threads (their connections are closed: each undoes its join), the leave
// graces' timer (members away go with the process), then the history
// store writes what it still holds and closes. Members go in reverse order
// of declaration: the engine, the rooms (ChatHandler), the nick
// reservations, then the store.
//

#include "webchat/HandlerPlugin.h"
#include "webchat/engine/Engine.h"
#include "webchat/engine/EngineMetrics.h"
#include "webchat/engine/UpgradeHandler.h"

#include "ChatHandler.h"
#include "ChatServiceImpl.h"
#include "ChatSettings.h"
#include "HistorySettings.h"
#include "RoomList.h"
#include "auth/AuthSettings.h"
#include "NickReservations.h"

#include "Poco/Exception.h"
#include "Poco/NumberFormatter.h"

#include <memory>

class ChatroomPlugin: public webchat::HandlerPlugin
{
public:
	~ChatroomPlugin() override
	{
		// Stop before the rooms go: the I/O threads call the handler until
		// they are joined. The rooms' topics then go before the engine, the
		// rooms before the store they append to (shutdown() closed it
		// already, unless the listener never started).
		withdrawService();
		if (_engine) _engine->stop();
		if (_chat) _chat->stopJoins();
		if (_chat) _chat->stopLeaveGraces();
		if (_chat) _chat->clearRooms();
		if (_store) _store->close();
	}

	void attach(webchat::Host& host, const std::string& listenerName) override
	{
		_host = &host;
		_listenerName = listenerName;
	}

	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		using namespace webchat;
		const auto engineSettings = engine::EngineSettings::fromConfig(section);
		const auto chatSettings = chatroom::ChatSettings::fromConfig(section, engineSettings);
		const auto historySettings = chatroom::HistorySettings::fromConfig(section, chatSettings.historySize);
		const auto authSettings = chatroom::auth::AuthSettings::fromConfig(section);
		_origins = std::make_unique<engine::OriginPolicy>(engineSettings.allowedOrigins);
		if (_host && _host->checkingConfiguration())
		{
			historySettings.checkStore();
			return;
		}
		// Last of the checks: opening creates the database file.
		_store = historySettings.openStore(logger);
		// After the store: with sqlite, it created the reservations' table.
		_reservations = chatroom::NickReservations::open(chatSettings, historySettings, logger);
		_chat = std::make_unique<chatroom::ChatHandler>(chatSettings, authSettings, [this](const std::string& name) { return _engine->topic(name); }, *_store,
			logger, _reservations.get());
		_engine = std::make_unique<engine::Engine>(engineSettings, *_chat, logger);
		_service = std::make_shared<chatroom::ChatServiceImpl>(*_chat, chatSettings.maxTextBytes);
		// A shared backend feeds the rooms from its own threads from now on.
		if (auto* shared = _store->shared()) shared->attach(*_chat);
		logger.information("chat rooms: up to %z rooms of %z users, history %z messages or %z bytes, %s frames/s per client (burst %z)",
			chatSettings.maxRooms, chatSettings.maxUsersPerRoom, chatSettings.historySize, chatSettings.historyBytes,
			Poco::NumberFormatter::format(chatSettings.ratePerSecond), chatSettings.rateBurst);
		logger.information("chat history: " + _store->describe());
		if (authSettings.mode == chatroom::auth::AuthSettings::Mode::Jwt)
			logger.information("chat identities: signed (%s, key %s), guests %s", std::string(chatroom::auth::algorithmName(authSettings.verifier->key().algorithm())),
				authSettings.keyFile, std::string(authSettings.allowGuests ? "allowed" : "refused"));
		logger.information("nick reservations: " + (_reservations ? _reservations->describe() : std::string("off (nick_reservation_days = 0)")));
	}

	const webchat::ConfigTable& configKeys() const override
	{
		using namespace webchat;
		static const ConfigTable table{"chatroom", {&engine::EngineSettings::keys(), &chatroom::ChatSettings::keys(), &chatroom::HistorySettings::keys(), &chatroom::auth::AuthSettings::keys()}, {}};
		return table;
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		if (!_engine) throw Poco::IllegalStateException("ChatroomPlugin: createRequestHandlerFactory() before configure()");
		_engine->start();
		// Published only by a listener that serves: --check-config and a
		// configure() that failed publish nothing.
		if (_host) _host->publish(webchat::ChatService::serviceName(_listenerName), _service);
		return new webchat::chatroom::RoomListFactory(*_engine, *_origins, *_chat);
	}

	void shutdown() override
	{
		withdrawService();
		if (_engine) _engine->stop();
		// Joins under way end (their connections are closed), before the
		// store they may still read closes.
		if (_chat) _chat->stopJoins();
		// Members away within their leave grace go with the process: every
		// client is gone now.
		if (_chat) _chat->stopLeaveGraces();
		// Every message accepted is in the store's queue now: on disk (or,
		// with redis, sent along with the members' leaves, within
		// redis_timeout_ms) before the process exits.
		if (_store) _store->close();
	}

	void writeMetrics(webchat::MetricsWriter& writer) const override
	{
		if (!_engine || !_chat) return;
		webchat::engine::writeEngineMetrics(_engine->stats(), writer);
		const auto usage = _chat->usage();
		writer.gauge("webchat_rooms", "Chat rooms with at least one member.", {}, static_cast<double>(usage.rooms));
		writer.gauge("webchat_users", "Members over all chat rooms.", {}, static_cast<double>(usage.holders));
		_store->writeMetrics(writer);
	}

private:
	// Out of the registry (unless a successor replaced it there) and cut
	// from the rooms; returns once no call on it is in progress.
	void withdrawService()
	{
		if (!_service) return;
		if (_host) _host->withdraw(webchat::ChatService::serviceName(_listenerName), *_service);
		_service->detach();
	}

	webchat::Host* _host = nullptr;
	std::string _listenerName;
	std::unique_ptr<webchat::engine::OriginPolicy> _origins;
	std::unique_ptr<webchat::chatroom::HistoryStore> _store;
	std::unique_ptr<webchat::chatroom::NickReservations> _reservations;
	std::unique_ptr<webchat::chatroom::ChatHandler> _chat;
	std::unique_ptr<webchat::engine::Engine> _engine;
	std::shared_ptr<webchat::chatroom::ChatServiceImpl> _service;
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(ChatroomPlugin)
WEBCHAT_END_PLUGIN_MANIFEST
