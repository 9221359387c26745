//
// ProbePlugin: a handler plugin that shows the host's behaviour to tests.
//   GET /hello        -> 200 "<greeting>" (listener key: greeting)
//   GET /block        -> holds its worker thread until /release or 10 s
//   GET /release      -> releases every /block
// FailingPlugin's configure() always throws, naming a key.
//

#include "webchat/HandlerPlugin.h"

#include "Poco/Event.h"
#include "Poco/Exception.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"

#include <memory>
#include <string>

namespace {

class ProbeHandler: public Poco::Net::HTTPRequestHandler
{
public:
	ProbeHandler(std::string greeting, std::shared_ptr<Poco::Event> release):
		_greeting(std::move(greeting)), _release(std::move(release))
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		std::string body;
		if (request.getURI() == "/hello")
		{
			body = _greeting;
		}
		else if (request.getURI() == "/block")
		{
			body = _release->tryWait(10000) ? "released" : "timeout";
		}
		else if (request.getURI() == "/release")
		{
			_release->set();
			body = "ok";
		}
		else
		{
			response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
		}
		response.setContentType("text/plain");
		response.sendBuffer(body.data(), body.size());
	}

private:
	std::string _greeting;
	std::shared_ptr<Poco::Event> _release;
};

class ProbeFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	ProbeFactory(std::string greeting, std::shared_ptr<Poco::Event> release):
		_greeting(std::move(greeting)), _release(std::move(release))
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new ProbeHandler(_greeting, _release);
	}

private:
	std::string _greeting;
	std::shared_ptr<Poco::Event> _release;
};

} // namespace

class ProbePlugin: public webchat::HandlerPlugin
{
public:
	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		_greeting = webchat::ConfigReader(configKeys(), section).text("greeting");
		logger.information("probe configured: " + _greeting);
	}

	const webchat::ConfigTable& configKeys() const override
	{
		static const webchat::ConfigTable table{"probe", {webchat::ConfigKey::text("greeting", "hello", "what GET / answers")}};
		return table;
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		return new ProbeFactory(_greeting, _release);
	}

	void shutdown() override
	{
		// Blocked requests must not hold up the listener's stop.
		_release->set();
	}

private:
	std::string _greeting;
	// Manual reset: one /release frees every /block.
	std::shared_ptr<Poco::Event> _release = std::make_shared<Poco::Event>(Poco::Event::EVENT_MANUALRESET);
};

class FailingPlugin: public webchat::HandlerPlugin
{
public:
	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger&) override
	{
		throw Poco::InvalidArgumentException("bad value for key colour", section.getString("colour", "<unset>"));
	}

	const webchat::ConfigTable& configKeys() const override
	{
		// A probe listener's greeting stays declared when only the class
		// changes to this one.
		static const webchat::ConfigTable table{"failing", {
			webchat::ConfigKey::text("colour", "", "refused whatever it is"),
			webchat::ConfigKey::text("greeting", "", "ignored"),
		}};
		return table;
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		return nullptr;
	}
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(ProbePlugin)
	WEBCHAT_EXPORT_PLUGIN(FailingPlugin)
WEBCHAT_END_PLUGIN_MANIFEST
