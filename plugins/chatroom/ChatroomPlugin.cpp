//
// ChatroomPlugin: chat rooms with nicks, history and resume, speaking the
// JSON protocol of docs/PROTOCOL.md on the WebSocket engine. The room is
// the URL's path; each message is serialised and framed once, whatever the
// number of members.
//
// Listener keys: the engine's (EngineSettings.h), the chat room's limits
// (ChatSettings.h) and where history is kept (HistorySettings.h).
//
// Order at shutdown: the engine stops first (its I/O threads are the only
// callers of the rooms, so nothing is appended after), then the history
// store writes what it still holds and closes. Members go in reverse order
// of declaration: the engine, the rooms (ChatHandler), the nick
// reservations, then the store.
//

#include "webchat/HandlerPlugin.h"
#include "webchat/engine/Engine.h"
#include "webchat/engine/EngineMetrics.h"
#include "webchat/engine/UpgradeHandler.h"

#include "ChatHandler.h"
#include "ChatSettings.h"
#include "HistorySettings.h"
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
		if (_engine) _engine->stop();
		if (_chat) _chat->clearRooms();
		if (_store) _store->close();
	}

	void attach(webchat::Host& host) override
	{
		_host = &host;
	}

	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		using namespace webchat;
		const auto engineSettings = engine::EngineSettings::fromConfig(section);
		const auto chatSettings = chatroom::ChatSettings::fromConfig(section, engineSettings);
		const auto historySettings = chatroom::HistorySettings::fromConfig(section, chatSettings.historySize);
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
		_chat = std::make_unique<chatroom::ChatHandler>(chatSettings, [this](const std::string& name) { return _engine->topic(name); }, *_store, logger,
			_reservations.get());
		_engine = std::make_unique<engine::Engine>(engineSettings, *_chat, logger);
		// A shared backend feeds the rooms from its own threads from now on.
		if (auto* shared = _store->shared()) shared->attach(*_chat);
		logger.information("chat rooms: up to %z rooms of %z users, history %z messages or %z bytes, %s frames/s per client (burst %z)",
			chatSettings.maxRooms, chatSettings.maxUsersPerRoom, chatSettings.historySize, chatSettings.historyBytes,
			Poco::NumberFormatter::format(chatSettings.ratePerSecond), chatSettings.rateBurst);
		logger.information("chat history: " + _store->describe());
		logger.information("nick reservations: " + (_reservations ? _reservations->describe() : std::string("off (nick_reservation_days = 0)")));
	}

	const webchat::ConfigTable& configKeys() const override
	{
		using namespace webchat;
		static const ConfigTable table{"chatroom", {&engine::EngineSettings::keys(), &chatroom::ChatSettings::keys(), &chatroom::HistorySettings::keys()}, {}};
		return table;
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		if (!_engine) throw Poco::IllegalStateException("ChatroomPlugin: createRequestHandlerFactory() before configure()");
		_engine->start();
		return new webchat::engine::UpgradeHandlerFactory(*_engine, *_origins);
	}

	void shutdown() override
	{
		if (_engine) _engine->stop();
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
	webchat::Host* _host = nullptr;
	std::unique_ptr<webchat::engine::OriginPolicy> _origins;
	std::unique_ptr<webchat::chatroom::HistoryStore> _store;
	std::unique_ptr<webchat::chatroom::NickReservations> _reservations;
	std::unique_ptr<webchat::chatroom::ChatHandler> _chat;
	std::unique_ptr<webchat::engine::Engine> _engine;
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(ChatroomPlugin)
WEBCHAT_END_PLUGIN_MANIFEST
