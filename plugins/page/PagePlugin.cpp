//
// PagePlugin.cpp
//
// The page plugin: serves the chat page's document root (GET and HEAD) and a
// generated /webchat-config.json telling the page where its chat endpoint
// is. Configuration keys: see PageSettings.h.
//

#include "webchat/HandlerPlugin.h"

#include "DocumentRoot.h"
#include "PageRequestHandler.h"
#include "PageSettings.h"
#include "PageSite.h"

#include "Poco/Exception.h"

#include <memory>

class PagePlugin: public webchat::HandlerPlugin
{
public:
	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		using namespace webchat::page;
		const PageSettings settings = PageSettings::fromConfig(section);
		const DocumentRoot root(settings.root());
		_site = std::make_shared<const PageSite>(root, settings.chat(), settings.maxTextBytes());
		_logger = &logger;
		logger.information("serving %s (now %s); chat endpoint %s", root.path(), root.canonicalRoot(), settings.chat().describe());
	}

	const webchat::ConfigTable& configKeys() const override
	{
		return webchat::page::PageSettings::keys();
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		if (!_site) throw Poco::IllegalStateException("PagePlugin: createRequestHandlerFactory() before configure()");
		return new webchat::page::PageRequestHandlerFactory(_site, *_logger);
	}

private:
	std::shared_ptr<const webchat::page::PageSite> _site;
	Poco::Logger* _logger = nullptr;
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(PagePlugin)
WEBCHAT_END_PLUGIN_MANIFEST
