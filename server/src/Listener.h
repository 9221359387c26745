//
// Listener.h
//
// One configured port: a bound socket, its own HTTPServer and thread pool,
// and the plugin instance that handles its requests.
//

#ifndef WEBCHAT_LISTENER_INCLUDED
#define WEBCHAT_LISTENER_INCLUDED

#include "HttpGate.h"
#include "ListenerSettings.h"
#include "RequestMetrics.h"
#include "webchat/HandlerPlugin.h"

#include "Poco/Net/Context.h"
#include "Poco/Net/HTTPServer.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/ThreadPool.h"

#include <atomic>
#include <memory>

namespace webchat {

class Listener
{
public:
	/// Binds the socket (throws Poco::Exception naming the listener when the
	/// address is unusable or the port is taken) but does not serve yet.
	/// With tls_certificate set it serves TLS; a bad certificate, key or
	/// TLS setting throws first, naming its key.
	Listener(const ListenerSettings& settings, std::unique_ptr<HandlerPlugin> plugin);

	/// Serves on a socket that is already bound and listening (a running
	/// listener's, on reload): connects queued on it are not lost.
	Listener(const ListenerSettings& settings, std::unique_ptr<HandlerPlugin> plugin, const Poco::Net::ServerSocket& socket);

	/// Stops if still running.
	~Listener();

	Listener(const Listener&) = delete;
	Listener& operator=(const Listener&) = delete;

	void start();

	/// Stops accepting, lets the plugin close what it took over, aborts
	/// requests still in progress and joins every thread of the listener.
	void stop();

	/// Stops accepting only (a replacement now serves the socket): requests in
	/// progress, keep-alive connections and whatever the plugin took over go
	/// on until stop().
	void retire();

	/// The listening socket, shared with a replacement.
	const Poco::Net::ServerSocket& socket() const { return _socket; }

	const ListenerSettings& settings() const { return _settings; }

	/// Between start() and stop() (any thread).
	bool serving() const { return _running.load(std::memory_order_relaxed); }

	/// The host's request metrics, then the plugin's, each series labelled
	/// listener="<name>" (any thread, while the plugin exists).
	void writeMetrics(MetricsWriter& writer) const;

private:
	static Poco::Net::ServerSocket bindSocket(const ListenerSettings& settings);
	void createServer();

	ListenerSettings _settings;
	// Null for plaintext. Loaded before anything is bound or served.
	Poco::Net::Context::Ptr _tlsContext;
	// Held here too: a retired listener's server no longer needs it, its
	// replacement does; the socket closes with its last holder.
	Poco::Net::ServerSocket _socket;
	std::unique_ptr<HandlerPlugin> _plugin;
	// Before the server: its handlers point into it.
	RequestMetrics _requestMetrics;
	// Each listener has its own pool: POCO's default pool is shared by every
	// HTTPServer in the process and holds only 16 threads.
	Poco::ThreadPool _threadPool;
	// Reads every request head before the server's threads see the
	// connection; shared with the sockets it hands out.
	std::shared_ptr<HttpGate> _gate;
	std::unique_ptr<Poco::Net::HTTPServer> _server;
	std::atomic<bool> _running{false};
};

} // namespace webchat

#endif
