//
// HandlerPlugin.h
//
// The whole contract between webchatd and a handler plugin. A plugin is a
// shared library that exports one or more HandlerPlugin subclasses through a
// POCO manifest; webchatd creates one instance per listener that names it.
//
// Lifecycle, driven by the host (all calls from the host's main thread):
//   1. construction (default constructor, via Poco::ClassLoader)
//   1b. attach()    - once; the host's services (metrics, health, the
//                     service registry) and the listener's name, valid
//                     until the plugin is destroyed
//   2. configure()  - once; throw Poco::Exception for bad configuration.
//                     The host has checked every key of the section against
//                     configKeys() (and its own) before: an unknown key never
//                     reaches the plugin. Under `webchatd --check-config`
//                     (Host::checkingConfiguration()) nothing follows
//                     configure() but destruction.
//   3. createRequestHandlerFactory() - once; the listener's HTTPServer owns it
//   4. the HTTPServer runs and calls the factory on its own threads
//   5. shutdown()   - once, after the listener stopped accepting and before its
//                     worker threads are joined; release what you hold open
//   6. destruction, after every thread of the listener has finished
// The library itself is never unloaded while the process runs.
//
// Exporting (in exactly one .cpp file of the plugin):
//
//   WEBCHAT_BEGIN_PLUGIN_MANIFEST
//       WEBCHAT_EXPORT_PLUGIN(MyPlugin)
//   WEBCHAT_END_PLUGIN_MANIFEST
//
// The manifest's name carries the interface version, so a plugin built for
// another version of this header is refused at load time with a clear error
// instead of crashing on a mismatched vtable.
//

#ifndef WEBCHAT_HANDLERPLUGIN_INCLUDED
#define WEBCHAT_HANDLERPLUGIN_INCLUDED

#include "webchat/ConfigKeys.h"

#include "Poco/ClassLibrary.h"
#include "Poco/Logger.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "Poco/Util/AbstractConfiguration.h"

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace webchat {

/// Receives metrics in the Prometheus data model. Plugins are linked without
/// the host's symbols, so they only ever see this interface; the host adds
/// the listener="<name>" label itself. Names follow Prometheus conventions
/// (webchat_..._total for counters); the same name must always come with the
/// same type, help and label names. May be called from any thread, one
/// collection at a time.
class MetricsWriter
{
public:
	using Labels = std::vector<std::pair<std::string, std::string>>;

	virtual ~MetricsWriter() = default;

	virtual void counter(const std::string& name, const std::string& help, const Labels& labels, double value) = 0;
	virtual void gauge(const std::string& name, const std::string& help, const Labels& labels, double value) = 0;

	/// bucketCounts[i] counts observations <= bucketBounds[i] (cumulative);
	/// observations above the last bound count only in count (+Inf).
	virtual void histogram(const std::string& name, const std::string& help, const Labels& labels,
		const std::vector<double>& bucketBounds, const std::vector<std::uint64_t>& bucketCounts,
		double sum, std::uint64_t count) = 0;
};

/// Something one plugin offers the others through the host's registry
/// (Host::publish), e.g. the chat rooms of a chat listener to the operator
/// API. The host knows nothing of what a service does: a plugin that uses
/// one includes the header declaring its interface, which derives from
/// Service, and gets it typed with findService<Interface>().
///
/// Plugins are built with hidden visibility and loaded apart, so one
/// interface has a type_info per library and a dynamic_cast between them
/// is not reliable. An interface therefore names itself and its version
/// (interfaceName(), compared as a string with the interface's static
/// versionedName) and findService() converts with
/// a static_cast once the names match: change the interface's layout
/// (its virtual functions, the structs they pass), change the name.
///
/// A service outlives nothing it points at: when its plugin shuts down it
/// withdraws the service and detaches it from what it reached, so a user
/// still holding it gets a clean failure, never a dangling call.
class Service
{
public:
	virtual ~Service() = default;

	/// The interface and its version, e.g. "webchat.ChatService/1".
	virtual const char* interfaceName() const = 0;
};

/// What the host offers its plugins (see HandlerPlugin::attach).
class Host
{
public:
	virtual ~Host() = default;

	/// Offers service under name to every plugin (any thread). Replaces a
	/// service published under that name before: a listener replaced by a
	/// reload publishes its successor's. Names are the publisher's choice;
	/// a plugin names its services after its listener so two listeners of
	/// one plugin do not collide.
	virtual void publish(const std::string& name, std::shared_ptr<Service> service) = 0;

	/// Takes back service if name still offers it (a successor's service
	/// published under the same name stays). Any thread.
	virtual void withdraw(const std::string& name, const Service& service) = 0;

	/// The service published under name, or null. Any thread; hold the
	/// result only as long as a call on it lasts, so a reload or a removed
	/// listener is noticed at the next call.
	virtual std::shared_ptr<Service> findService(const std::string& name) const = 0;

	/// Writes the metrics of every listener: the host's own (requests,
	/// latencies) and each plugin's writeMetrics(). Thread-safe.
	virtual void collectMetrics(MetricsWriter& writer) = 0;

	/// True while every configured listener is accepting connections.
	virtual bool allListenersServing() const = 0;

	/// True under `webchatd --check-config`: configure() validates everything
	/// it can (values, files, paths) but opens, creates, writes and connects
	/// nothing, since a running webchatd may hold the same files.
	virtual bool checkingConfiguration() const = 0;
};

class HandlerPlugin
{
public:
	virtual ~HandlerPlugin() = default;

	/// Reads the listener's section (the keys under listeners.<name>,
	/// e.g. "root" for listeners.page.root; "${...}" references to other keys
	/// of the whole configuration are expanded). The logger is the listener's
	/// own ("webchat.<listener name>"). Throws Poco::Exception (typically
	/// Poco::Util::MissingOptionException or Poco::InvalidArgumentException)
	/// naming the offending key when the configuration is unusable.
	virtual void configure(const Poco::Util::AbstractConfiguration& section, Poco::Logger& logger) = 0;

	/// Every key the plugin reads from its section, beside the host's own
	/// (address, port, plugin, class, threads...: `webchatd --list-keys`).
	/// Any other key in the section is refused before configure(). Called
	/// on a freshly constructed instance too (for --list-keys), so return a
	/// table that exists without configure(), typically a static one.
	virtual const ConfigTable& configKeys() const = 0;

	/// Returns the factory that creates a handler for each request the
	/// listener accepts. Called once, after configure().
	virtual Poco::Net::HTTPRequestHandlerFactory::Ptr createRequestHandlerFactory() = 0;

	/// The listener no longer accepts connections; connections the plugin took
	/// over (e.g. upgraded WebSockets) should be closed now. Default: nothing.
	virtual void shutdown() {}

	/// Called before configure() with the host, which outlives the plugin,
	/// and the name of the plugin's listener (listeners.<name>), which names
	/// what it publishes. Default: nothing.
	virtual void attach(Host&, const std::string& /* listenerName */) {}

	/// Writes the plugin's own metrics; called from any thread (typically a
	/// status listener's) while the listener runs, so read only what is safe
	/// to read concurrently. Default: nothing.
	virtual void writeMetrics(MetricsWriter&) const {}
};

/// The service published under name if it implements Interface (whose
/// static member `versionedName` names it and its version), else null.
template <class Interface>
std::shared_ptr<Interface> findService(const Host& host, const std::string& name)
{
	std::shared_ptr<Service> service = host.findService(name);
	if (!service || std::strcmp(service->interfaceName(), Interface::versionedName) != 0) return nullptr;
	return std::static_pointer_cast<Interface>(service);
}

} // namespace webchat

#define WEBCHAT_PLUGIN_MANIFEST WebchatHandlerPluginV4
#define WEBCHAT_PLUGIN_MANIFEST_NAME "WebchatHandlerPluginV4"

#define WEBCHAT_BEGIN_PLUGIN_MANIFEST POCO_BEGIN_NAMED_MANIFEST(WEBCHAT_PLUGIN_MANIFEST, webchat::HandlerPlugin)
#define WEBCHAT_EXPORT_PLUGIN(cls) POCO_EXPORT_INTERFACE(cls, #cls)
#define WEBCHAT_END_PLUGIN_MANIFEST POCO_END_MANIFEST

#endif // WEBCHAT_HANDLERPLUGIN_INCLUDED
