//
// StatusPlugin: health and metrics of the whole server, on a listener of
// its own (loopback only in the shipped configuration, as exporters are).
//   GET /healthz  200 "ok" while every listener serves, else 503
//   GET /metrics  Prometheus text format: every listener's request counts
//                 and latencies (measured by the host) and what each plugin
//                 writes (connections, messages, rooms...)
// Anything else is 404. The plugin has no keys of its own.
//

#include "webchat/HandlerPlugin.h"

#include "PrometheusWriter.h"

#include "Poco/Exception.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"

namespace {

class StatusHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit StatusHandler(webchat::Host& host):
		_host(host)
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		using Poco::Net::HTTPResponse;
		std::string path = request.getURI();
		const auto query = path.find('?');
		if (query != std::string::npos) path.erase(query);

		const bool head = request.getMethod() == Poco::Net::HTTPRequest::HTTP_HEAD;
		if (!head && request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET && (path == "/healthz" || path == "/metrics"))
		{
			response.set("Allow", "GET, HEAD");
			send(response, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", "method not allowed\n", false);
		}
		else if (path == "/healthz")
		{
			const bool serving = _host.allListenersServing();
			send(response, serving ? HTTPResponse::HTTP_OK : HTTPResponse::HTTP_SERVICE_UNAVAILABLE,
				"text/plain; charset=utf-8", serving ? "ok\n" : "not serving\n", head);
		}
		else if (path == "/metrics")
		{
			webchat::status::PrometheusWriter writer;
			_host.collectMetrics(writer);
			send(response, HTTPResponse::HTTP_OK, webchat::status::PrometheusWriter::contentType, writer.text(), head);
		}
		else
		{
			send(response, HTTPResponse::HTTP_NOT_FOUND, "text/plain; charset=utf-8", "not found\n", head);
		}
	}

private:
	static void send(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status,
		const std::string& contentType, const std::string& body, bool head)
	{
		response.setStatusAndReason(status);
		response.setContentType(contentType);
		response.set("Cache-Control", "no-store");
		response.setContentLength64(static_cast<Poco::Int64>(body.size()));
		if (head) response.send();
		else response.sendBuffer(body.data(), body.size());
	}

	webchat::Host& _host;
};

class StatusHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit StatusHandlerFactory(webchat::Host& host):
		_host(host)
	{
	}

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override
	{
		return new StatusHandler(_host);
	}

private:
	webchat::Host& _host;
};

} // namespace

class StatusPlugin: public webchat::HandlerPlugin
{
public:
	void attach(webchat::Host& host, const std::string&) override
	{
		_host = &host;
	}

	void configure(const Poco::Util::AbstractConfiguration&, Poco::Logger& logger) override
	{
		if (!_host) throw Poco::IllegalStateException("StatusPlugin: configure() without a host (attach() not called)");
		logger.information("serving /healthz and /metrics");
	}

	const webchat::ConfigTable& configKeys() const override
	{
		static const webchat::ConfigTable none{"status", {}};
		return none;
	}

	Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() override
	{
		if (!_host) throw Poco::IllegalStateException("StatusPlugin: createRequestHandlerFactory() before attach()");
		return new StatusHandlerFactory(*_host);
	}

private:
	webchat::Host* _host = nullptr;
};

WEBCHAT_BEGIN_PLUGIN_MANIFEST
	WEBCHAT_EXPORT_PLUGIN(StatusPlugin)
WEBCHAT_END_PLUGIN_MANIFEST
