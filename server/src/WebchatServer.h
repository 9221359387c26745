//
// WebchatServer.h
//
// webchatd: reads the .ini, opens one listener per listeners.<name> section
// with the plugin it names, and runs until SIGTERM/SIGINT. It knows nothing
// of what the plugins serve.
//

#ifndef WEBCHAT_WEBCHATSERVER_INCLUDED
#define WEBCHAT_WEBCHATSERVER_INCLUDED

#include "Listener.h"
#include "PluginLoader.h"
#include "ServiceRegistry.h"

#include "Poco/Util/ServerApplication.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace webchat {

class WebchatServer: public Poco::Util::ServerApplication, public Host
{
public:
	WebchatServer();

	// Host, for the plugins (a status listener's threads).
	void collectMetrics(MetricsWriter& writer) override;
	bool allListenersServing() const override;
	bool checkingConfiguration() const override { return _checkOnly; }
	void publish(const std::string& name, std::shared_ptr<Service> service) override { _services.publish(name, std::move(service)); }
	void withdraw(const std::string& name, const Service& service) override { _services.withdraw(name, service); }
	std::shared_ptr<Service> findService(const std::string& name) const override { return _services.find(name); }

	/// The keys of the [server] section.
	static const ConfigTable& serverKeys();

protected:
	void initialize(Poco::Util::Application& self) override;
	void uninitialize() override;
	void defineOptions(Poco::Util::OptionSet& options) override;
	void handleOption(const std::string& name, const std::string& value) override;
	int main(const ArgVec& args) override;

private:
	// A listener section's keys and raw values, as the running instance got it.
	using Section = std::map<std::string, std::string>;

	void loadConfigurationFile();
	// The listeners' names, once the [server] section is checked and the
	// plugin loader made; throws Poco::Exception when there are none.
	std::vector<std::string> prepareListeners();
	void openListeners();
	void closeListeners();
	// The plugin of a section of config(), attached and configured; throws
	// Poco::Exception naming the listener.
	std::unique_ptr<HandlerPlugin> createPlugin(const ListenerSettings& settings);
	Section sectionOf(const std::string& name) const;
	std::string pluginDir() const;
	void printHelp() const;

	// --list-keys: the host's tables, then each plugin's (all in the plugin
	// folder, or --plugin=NAME's). Exit status.
	int listKeys();
	// --check-config: everything a start checks, short of binding a port or
	// letting a plugin open, create or connect anything; throws
	// Poco::Exception naming the problem.
	void checkConfiguration();
	// SIGHUP: re-reads the file; applies the logging section, then opens,
	// closes or replaces the listeners whose sections were added, removed or
	// changed. What fails is logged and leaves that part as it ran.
	void reload();
	void reloadListeners();
	void reloadListener(const std::string& name, const Section& section);
	void removeListener(const std::string& name);
	std::size_t indexOf(const std::string& name) const;
	static void applyLogging(const Poco::Util::AbstractConfiguration::Ptr& config);

	bool _helpRequested = false;
	bool _reloadRequested = false; // --reload (Windows: see ControlSignals)
	bool _listKeys = false;
	std::string _listKeysPlugin; // --plugin=NAME with --list-keys
	bool _checkOnly = false;     // --check-config
	std::string _configPath;
	std::vector<std::pair<std::string, std::string>> _defines;
	std::string _startupError;
	std::unique_ptr<PluginLoader> _pluginLoader;
	// Before the listeners: their plugins withdraw what they published
	// when they shut down.
	ServiceRegistry _services;
	// The configuration file's layer of config() (.ini only), replaced by a
	// reload.
	Poco::Util::AbstractConfiguration::Ptr _fileConfig;
	std::vector<std::unique_ptr<Listener>> _listeners;
	std::map<std::string, Section> _sections;
	// Listeners replaced by a reload: no longer accepting, not in the metrics,
	// but their plugins keep serving the connections they took over until
	// the process stops. Only the main thread touches them.
	std::vector<std::unique_ptr<Listener>> _retired;
	// Held by collectMetrics() and by closeListeners() while it marks the
	// listeners closing: once marked, no collection reads a plugin that is
	// shutting down or gone.
	mutable std::mutex _listenersMutex;
	bool _closing = false;
};

} // namespace webchat

#endif
