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

#include "Poco/Util/ServerApplication.h"

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

protected:
	void initialize(Poco::Util::Application& self) override;
	void uninitialize() override;
	void defineOptions(Poco::Util::OptionSet& options) override;
	void handleOption(const std::string& name, const std::string& value) override;
	int main(const ArgVec& args) override;

private:
	void loadConfigurationFile();
	void openListeners();
	void closeListeners();
	std::string pluginDir() const;
	void printHelp() const;
	// SIGHUP: re-reads the file; applies the logging section, reports
	// listeners whose settings changed (they need a restart for now).
	void reload();
	static void applyLogging(const Poco::Util::AbstractConfiguration::Ptr& config);
	bool changedKeys(const Poco::Util::AbstractConfiguration& fresh, const std::string& prefix) const;

	bool _helpRequested = false;
	std::string _configPath;
	std::vector<std::pair<std::string, std::string>> _defines;
	std::string _startupError;
	std::unique_ptr<PluginLoader> _pluginLoader;
	std::vector<std::unique_ptr<Listener>> _listeners;
	// Held by collectMetrics() and by closeListeners() while it marks the
	// listeners closing: once marked, no collection reads a plugin that is
	// shutting down or gone.
	mutable std::mutex _listenersMutex;
	bool _closing = false;
};

} // namespace webchat

#endif
