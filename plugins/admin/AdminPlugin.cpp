//
// AdminPlugin: the operator API (docs/API.md) on a listener of its own,
// loopback only in the shipped configuration. It governs the chat
// listeners named by chat_listeners through the ChatService each publishes
// in the host's registry, found again for every request: a chat listener
// replaced by a reload is reached at once, one that is removed or not
// serving is answered 503.
//
// Listener keys: AdminSettings.h. The token file is read by configure(),
// so a changed token takes effect with the next reload of this listener
// (any change of its section; or restart).
//

#include "webchat/HandlerPlugin.h"

#include "AdminHandler.h"
#include "AdminSettings.h"

#include "Poco/Exception.h"

#include <memory>

class AdminPlugin: public webchat::HandlerPlugin
{
public:
	void attach(webchat::Host& host, const std::string&) override
	{
		_host = &host;
	}

	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		using namespace webchat::admin;
		if (!_host) throw Poco::IllegalStateException("AdminPlugin: configure() without a host (attach() not called)");
		const AdminSettings settings = AdminSettings::fromConfig(section);
		// Read under --check-config too: reading opens nothing for good.
		ApiToken token = ApiToken::fromFile(settings.apiTokenFile);
		_context = std::make_shared<const AdminContext>(AdminContext{*_host, std::move(token), settings.chatListenerNames(), settings.maxJsonBytes, logger});
		logger.information("operator API for chat listeners " + settings.chatListeners + ", token from " + settings.apiTokenFile);
	}

	const webchat::ConfigTable& configKeys() const override
	{
		return webchat::admin::AdminSettings::keys();
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		if (!_context) throw Poco::IllegalStateException("AdminPlugin: createRequestHandlerFactory() before configure()");
		return new webchat::admin::AdminHandlerFactory(_context);
	}

private:
	webchat::Host* _host = nullptr;
	std::shared_ptr<const webchat::admin::AdminContext> _context;
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(AdminPlugin)
WEBCHAT_END_PLUGIN_MANIFEST
