#include "Listener.h"

#include "TlsContext.h"
#include "TlsServerSocket.h"

#include "Poco/Exception.h"
#include "Poco/Net/HTTPServerParams.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Net/SocketAddress.h"

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

	Poco::Net::HTTPRequestHandlerFactory::Ptr factory = new InstrumentedHandlerFactory(
		_plugin->createRequestHandlerFactory(), _requestMetrics, Poco::Logger::get("webchat." + settings.name + ".access"),
		settings.accessLogLinesPerSecond);
	if (_tlsContext)
		_server = std::make_unique<Poco::Net::HTTPServer>(factory, _threadPool, TlsServerSocket(_socket, _tlsContext), params);
	else
		_server = std::make_unique<Poco::Net::HTTPServer>(factory, _threadPool, _socket, params);
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
		// SO_REUSEADDR so a restart is not refused by connections in
		// TIME_WAIT; never SO_REUSEPORT, which would let a second instance
		// share the port silently instead of failing.
		if (address.family() == Poco::Net::SocketAddress::IPv6)
			socket.bind6(address, true, false, false);
		else
			socket.bind(address, true, false);
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
	_plugin->writeMetrics(labelled);
}

void Listener::start()
{
	_server->start();
	_running = true;
}

void Listener::retire()
{
	if (_server && _running)
	{
		// Joins the acceptor thread; the socket stays open (TCPServer::stop
		// closes nothing), connections the dispatcher queued are dropped.
		_server->stop();
		_running = false;
	}
}

void Listener::stop()
{
	if (!_server) return;
	if (_running)
	{
		_server->stop();
		_running = false;
	}
	_plugin->shutdown();
	_server->stopAll(true);
	_threadPool.joinAll();
	_server.reset();
}

} // namespace webchat
