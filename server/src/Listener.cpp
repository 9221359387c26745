#include "Listener.h"

#include "TlsContext.h"

#include "Poco/Exception.h"
#include "Poco/Logger.h"
#include "Poco/Net/HTTPServerParams.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"

#include "webchat/platform/Socket.h"

namespace webchat {

namespace {

Poco::Net::Context::Ptr tlsContextFor(const ListenerSettings& settings)
{
	return settings.tls.enabled() ? createTlsContext(settings) : nullptr;
}

} // namespace

Listener::Listener(const ListenerSettings& settings, std::unique_ptr<HandlerPlugin> plugin):
	_settings(settings),
	_tlsContext(tlsContextFor(settings)),
	_socket(bindSocket(settings)),
	_plugin(std::move(plugin)),
	_threadPool("webchat." + settings.name, 1, settings.threads)
{
	createServer();
}

Listener::Listener(const ListenerSettings& settings, std::unique_ptr<HandlerPlugin> plugin, const Poco::Net::ServerSocket& socket):
	_settings(settings),
	_tlsContext(tlsContextFor(settings)),
	_socket(socket),
	_plugin(std::move(plugin)),
	_threadPool("webchat." + settings.name, 1, settings.threads)
{
	// listen(2) again on a listening socket only sets the new backlog.
	_socket.listen(settings.backlog);
	createServer();
}

void Listener::createServer()
{
	const ListenerSettings& settings = _settings;
	Poco::Net::HTTPServerParams::Ptr params = new Poco::Net::HTTPServerParams;
	params->setMaxThreads(settings.threads);
	params->setMaxQueued(settings.maxQueued);
	params->setTimeout(settings.timeout());
	params->setKeepAlive(true);
	params->setMaxKeepAliveRequests(settings.keepAliveRequests);
	params->setKeepAliveTimeout(Poco::Timespan(10, 0));
	// A stop wakes one idle worker (POCO's dispatcher queues one stop
	// notification); the others notice only when their idle time runs out,
	// and stop() joins them all. POCO's 10 s default made a stop after a
	// burst of requests take 10 s; an idle worker now ends after 1 s.
	params->setThreadIdleTime(Poco::Timespan(1, 0));

	// A descriptor of the gate's own, closed with it; the listening socket
	// itself stays with this Listener (and a reload's successor).
	const platform::SocketHandle listening = platform::duplicateSocket(_socket.impl()->sockfd());
	_gate = std::make_shared<HttpGate>(settings, listening, _tlsContext, Poco::Logger::get("webchat." + settings.name));
	Poco::Net::HTTPRequestHandlerFactory::Ptr factory = new InstrumentedHandlerFactory(
		_plugin->createRequestHandlerFactory(), _requestMetrics, Poco::Logger::get("webchat." + settings.name + ".access"),
		settings.accessLogLinesPerSecond);
	_server = std::make_unique<Poco::Net::HTTPServer>(factory, _threadPool, _gate->serverSocket(), params);
}

Listener::~Listener()
{
	stop();
}

Poco::Net::ServerSocket Listener::bindSocket(const ListenerSettings& settings)
{
	const std::string where = settings.address + ":" + std::to_string(settings.port);
	try
	{
		const Poco::Net::SocketAddress address(settings.address, settings.port);
		Poco::Net::ServerSocket socket;
		// A restart is not refused by connections in TIME_WAIT, and a
		// second instance fails instead of sharing the port
		// (prepareListening: SO_REUSEADDR on Linux, never SO_REUSEPORT;
		// SO_EXCLUSIVEADDRUSE on Windows); POCO sets no option of its own.
		socket.init(address.af());
		platform::prepareListening(socket.impl()->sockfd());
		if (address.family() == Poco::Net::SocketAddress::IPv6)
			socket.bind6(address, false, false, false);
		else
			socket.bind(address, false, false);
		socket.listen(settings.backlog);
		return socket;
	}
	catch (const Poco::Exception& exc)
	{
		throw Poco::IOException("listener " + settings.name + " cannot listen on " + where +
			" (" + settings.key("address") + ", " + settings.key("port") + ")", exc.displayText());
	}
}

void Listener::writeMetrics(MetricsWriter& writer) const
{
	ListenerLabelWriter labelled(writer, _settings.name);
	_requestMetrics.write(labelled);
	_gate->writeMetrics(labelled);
	_plugin->writeMetrics(labelled);
}

void Listener::start()
{
	_gate->start();
	_server->start();
	_running = true;
}

void Listener::retire()
{
	// The replacement accepts from now on. Connections this instance has
	// (waiting for a head, between keep-alive requests, or being served)
	// stay with it until stop().
	_gate->stopAccepting();
	_running = false;
}

void Listener::stop()
{
	if (!_server) return;
	_gate->stopAccepting();
	_running = false;
	// Joins the acceptor; the listening socket stays open (TCPServer::stop
	// closes nothing).
	_server->stop();
	_plugin->shutdown();
	_server->stopAll(true);
	_threadPool.joinAll();
	// Last: workers that just finished handed their connections back.
	_gate->stop();
	_server.reset();
}

} // namespace webchat
