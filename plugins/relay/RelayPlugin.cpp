//
// RelayPlugin: the plain chat. Every text or binary message
// any client sends is relayed as-is to every client of the listener, the
// sender included, in the order each sender sent them. Framed once per
// message, whatever the number of clients.
//
// Listener keys: the engine's (EngineSettings::keys()).
//

#include "webchat/HandlerPlugin.h"
#include "webchat/engine/Connection.h"
#include "webchat/engine/Engine.h"
#include "webchat/engine/EngineMetrics.h"
#include "webchat/engine/UpgradeHandler.h"

#include <memory>

class RelayPlugin: public webchat::HandlerPlugin, private webchat::engine::SessionHandler
{
public:
	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		const auto settings = webchat::engine::EngineSettings::fromConfig(section);
		_origins = std::make_unique<webchat::engine::OriginPolicy>(settings.allowedOrigins);
		_engine = std::make_unique<webchat::engine::Engine>(settings, static_cast<webchat::engine::SessionHandler&>(*this), logger);
		_room = _engine->topic("relay");
	}

	const webchat::ConfigTable& configKeys() const override
	{
		return webchat::engine::EngineSettings::keys();
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		_engine->start();
		return new webchat::engine::UpgradeHandlerFactory(*_engine, *_origins);
	}

	void shutdown() override
	{
		_engine->stop();
	}

	void writeMetrics(webchat::MetricsWriter& writer) const override
	{
		if (_engine) webchat::engine::writeEngineMetrics(_engine->stats(), writer);
	}

private:
	void onOpen(webchat::engine::Connection& connection) override
	{
		connection.subscribe(*_room);
	}

	void onMessage(webchat::engine::Connection&, webchat::ws::Opcode opcode, std::string_view payload) override
	{
		_room->publish(opcode, payload);
	}

	void onClose(webchat::engine::Connection&, std::uint16_t) override
	{
	}

	std::unique_ptr<webchat::engine::OriginPolicy> _origins;
	std::unique_ptr<webchat::engine::Engine> _engine;
	std::shared_ptr<webchat::engine::Topic> _room; // declared after the engine: dropped before it
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(RelayPlugin)
WEBCHAT_END_PLUGIN_MANIFEST
