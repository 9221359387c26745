// Placeholder, replaced by the static-file page plugin.
#include "webchat/HandlerPlugin.h"

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"

class PagePlugin: public webchat::HandlerPlugin
{
public:
	void configure(const Poco::Util::AbstractConfiguration&, Poco::Logger&) override {}
	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override { return nullptr; }
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(PagePlugin)
WEBCHAT_END_PLUGIN_MANIFEST
