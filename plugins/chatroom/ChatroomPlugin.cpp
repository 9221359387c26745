//
// ChatroomPlugin: chat rooms with nicks, history and resume, speaking the
// JSON protocol of docs/PROTOCOL.md on the WebSocket engine. The room is
// the URL's path; each message is serialised and framed once, whatever the
// number of members.
//
// Listener keys: allowed_origins (see OriginPolicy.h), the chat room's
// limits (see ChatSettings.h) and the engine's (see EngineSettings.h).
//

#include "webchat/HandlerPlugin.h"
#include "webchat/engine/Engine.h"
#include "webchat/engine/UpgradeHandler.h"

#include "ChatHandler.h"
#include "ChatSettings.h"

#include "Poco/Exception.h"
#include "Poco/NumberFormatter.h"

#include <memory>

class ChatroomPlugin: public webchat::HandlerPlugin
{
public:
	~ChatroomPlugin() override
	{
		// Stop before the rooms go: the I/O threads call the handler until
		// they are joined. The rooms' topics then go before the engine.
		if (_engine) _engine->stop();
		if (_chat) _chat->clearRooms();
	}

	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		using namespace webchat;
		const auto engineSettings = engine::EngineSettings::fromConfig(section);
		const auto chatSettings = chatroom::ChatSettings::fromConfig(section, engineSettings);
		_origins = std::make_unique<engine::OriginPolicy>(section.getString("allowed_origins", "self"));
		_chat = std::make_unique<chatroom::ChatHandler>(chatSettings, [this](const std::string& name) { return _engine->topic(name); }, logger);
		_engine = std::make_unique<engine::Engine>(engineSettings, *_chat, logger);
		logger.information("chat rooms: up to %z rooms of %z users, history %z messages or %z bytes, %s frames/s per client (burst %z)",
			chatSettings.maxRooms, chatSettings.maxUsersPerRoom, chatSettings.historySize, chatSettings.historyBytes,
			Poco::NumberFormatter::format(chatSettings.ratePerSecond), chatSettings.rateBurst);
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		if (!_engine) throw Poco::IllegalStateException("ChatroomPlugin: createRequestHandlerFactory() before configure()");
		_engine->start();
		return new webchat::engine::UpgradeHandlerFactory(*_engine, *_origins);
	}

	void shutdown() override
	{
		_engine->stop();
	}

private:
	std::unique_ptr<webchat::engine::OriginPolicy> _origins;
	std::unique_ptr<webchat::chatroom::ChatHandler> _chat;
	std::unique_ptr<webchat::engine::Engine> _engine;
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(ChatroomPlugin)
WEBCHAT_END_PLUGIN_MANIFEST
