// A plugin built against a later, incompatible plugin interface: its manifest
// has another name, so the host must refuse it instead of calling into it.
#include "webchat/HandlerPlugin.h"

class FuturePlugin: public webchat::HandlerPlugin
{
public:
	void configure(const Poco::Util::AbstractConfiguration&, Poco::Logger&) override {}
	const webchat::ConfigTable& configKeys() const override
	{
		static const webchat::ConfigTable none;
		return none;
	}
	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override { return nullptr; }
};

POCO_BEGIN_NAMED_MANIFEST(WebchatHandlerPluginV5, webchat::HandlerPlugin)
	POCO_EXPORT_CLASS(FuturePlugin)
POCO_END_MANIFEST
