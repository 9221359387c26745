//
// ProbePlugin: a handler plugin that shows the host's behaviour to tests.
//   GET /hello        -> 200 "<greeting>" (listener key: greeting)
//   GET /block        -> holds its worker thread until /release or 10 s
//   GET /release      -> releases every /block
//   GET /service/<listener> -> 200 with the greeting of the ProbeService
//                      that listener published, 404 when the host has
//                      none under that name (or one of another version)
// Each ProbePlugin publishes a ProbeService named after its listener once
// it serves (key service_version: the version it claims, 1 by default)
// and withdraws it at shutdown.
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

// What one probe listener offers the others through the host's registry.
class ProbeService: public webchat::Service
{
public:
	static constexpr const char* versionedName = "webchat.test.ProbeService/1";

	ProbeService(std::string greeting, std::string claimedInterface):
		_greeting(std::move(greeting)), _claimedInterface(std::move(claimedInterface))
	{
	}

	const char* interfaceName() const override { return _claimedInterface.c_str(); }
	const std::string& greeting() const { return _greeting; }

	static std::string nameFor(const std::string& listener) { return listener + "/probe"; }

private:
	const std::string _greeting;
	const std::string _claimedInterface;
};

class ProbeHandler: public Poco::Net::HTTPRequestHandler
{
public:
	ProbeHandler(std::string greeting, std::shared_ptr<Poco::Event> release, const webchat::Host* host):
		_greeting(std::move(greeting)), _release(std::move(release)), _host(host)
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
		else if (request.getURI().rfind(servicePrefix, 0) == 0 && _host)
		{
			const auto service = webchat::findService<ProbeService>(*_host, ProbeService::nameFor(request.getURI().substr(servicePrefix.size())));
			if (service)
				body = service->greeting();
			else
				response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
		}
		else
		{
			response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NOT_FOUND);
		}
		response.setContentType("text/plain");
		response.sendBuffer(body.data(), body.size());
	}

private:
	inline static const std::string servicePrefix = "/service/";

	std::string _greeting;
	std::shared_ptr<Poco::Event> _release;
	const webchat::Host* _host;
};

class ProbeFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	ProbeFactory(std::string greeting, std::shared_ptr<Poco::Event> release, const webchat::Host* host):
		_greeting(std::move(greeting)), _release(std::move(release)), _host(host)
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new ProbeHandler(_greeting, _release, _host);
	}

private:
	std::string _greeting;
	std::shared_ptr<Poco::Event> _release;
	const webchat::Host* _host;
};

} // namespace

class ProbePlugin: public webchat::HandlerPlugin
{
public:
	void attach(webchat::Host& host, const std::string& listenerName) override
	{
		_host = &host;
		_listenerName = listenerName;
	}

	void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) override
	{
		const webchat::ConfigReader reader(configKeys(), section);
		_greeting = reader.text("greeting");
		_serviceVersion = reader.integer("service_version");
		logger.information("probe configured: " + _greeting);
	}

	const webchat::ConfigTable& configKeys() const override
	{
		static const webchat::ConfigTable table{"probe", {
			webchat::ConfigKey::text("greeting", "hello", "what GET / answers"),
			webchat::ConfigKey::integer("service_version", 1, 0, 9, "", "the ProbeService version it publishes claims"),
		}};
		return table;
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		if (_host)
		{
			_service = std::make_shared<ProbeService>(_greeting, "webchat.test.ProbeService/" + std::to_string(_serviceVersion));
			_host->publish(ProbeService::nameFor(_listenerName), _service);
		}
		return new ProbeFactory(_greeting, _release, _host);
	}

	void shutdown() override
	{
		if (_service) _host->withdraw(ProbeService::nameFor(_listenerName), *_service);
		// Blocked requests must not hold up the listener's stop.
		_release->set();
	}

private:
	webchat::Host* _host = nullptr;
	std::string _listenerName;
	std::int64_t _serviceVersion = 1;
	std::shared_ptr<ProbeService> _service;
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
