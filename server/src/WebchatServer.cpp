#include "WebchatServer.h"

#include "ConfigLocator.h"
#include "ControlRequests.h"
#include "TlsContext.h"
#include "webchat/ErrorText.h"
#include "IniSyntax.h"
#include "KeyCheck.h"
#include "LibrarySearch.h"
#include "ServiceNotifier.h"

#include "Poco/AutoPtr.h"
#include "Poco/ConsoleChannel.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/FormattingChannel.h"
#include "Poco/Path.h"
#include "Poco/PatternFormatter.h"
#include "Poco/StreamCopier.h"
#include "Poco/String.h"
#include "Poco/Net/NetSSL.h"
#include "Poco/Format.h"
#include "Poco/Process.h"
#include "Poco/Util/HelpFormatter.h"
#include "Poco/Util/IniFileConfiguration.h"
#include "Poco/Util/LayeredConfiguration.h"
#include "Poco/Util/LoggingConfigurator.h"
#include "Poco/Util/MapConfiguration.h"
#include "Poco/Util/Option.h"
#include "Poco/Util/OptionException.h"

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <thread>

namespace webchat {

using Poco::Util::Application;
using Poco::Util::Option;
using Poco::Util::OptionSet;

namespace {

// Every logger to the terminal (stderr). Before the .ini's logging section
// is applied, so that errors (bad options, an unreadable config) reach the
// operator: POCO's root logger has no channel until configured. After it,
// for the commands that report and exit.
void logToConsole()
{
	Poco::AutoPtr<Poco::PatternFormatter> formatter(new Poco::PatternFormatter("%Y-%m-%d %H:%M:%S.%i [%p] %s: %t"));
	Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, new Poco::ConsoleChannel));
	Poco::Logger::setChannel("", channel);
}

// Tells whether a file changed (contents, not time stamps); "" when it
// cannot be read, which the listener's own checks then report.
std::string fileFingerprint(const std::string& path)
{
	try
	{
		Poco::FileInputStream in(path);
		std::string contents;
		Poco::StreamCopier::copyToString(in, contents);
		return std::to_string(std::hash<std::string>{}(contents));
	}
	catch (const Poco::Exception&)
	{
		return "";
	}
}

} // namespace

WebchatServer::WebchatServer()
{
	logToConsole();
	ControlRequests::prepare();
	setUnixOptions(true);
}

void WebchatServer::defineOptions(OptionSet& options)
{
	ServerApplication::defineOptions(options);

	options.addOption(Option("help", "h", "print this help and exit"));
	options.addOption(Option("config", "c", "configuration file (default: etc/webchat/webchat.ini beside the binary's folder, then " WEBCHAT_SYSCONFDIR "/webchat/webchat.ini)")
		.argument("FILE"));
	options.addOption(Option("define", "D", "set or override a configuration key, e.g. --define=listeners.page.port=8081")
		.argument("KEY=VALUE")
		.repeatable(true));
	options.addOption(Option("check-config", "t", "check the whole configuration (plugins configured, certificates read, database paths checked) without opening any port; exit 0 or 78"));
	options.addOption(Option("list-keys", "", "print every configuration key (name, type, default, help) of the host and the plugins, then exit"));
	options.addOption(Option("plugin", "", "with --list-keys: only this plugin's keys (its library base name)")
		.argument("NAME"));
	options.addOption(Option("reload", "", "Windows: ask the webchatd running with this configuration to re-read it, as SIGHUP does elsewhere, then exit"));
}

void WebchatServer::handleOption(const std::string& name, const std::string& value)
{
	if (name == "help")
	{
		_helpRequested = true;
		stopOptionsProcessing();
	}
	else if (name == "config")
	{
		// Absolute now: --daemon changes to "/" before initialize().
		_configPath = ConfigLocator::absolute(value);
	}
	else if (name == "define")
	{
		const auto eq = value.find('=');
		if (eq == std::string::npos || eq == 0)
			throw Poco::Util::InvalidArgumentException("--define expects KEY=VALUE, got", value);
		_defines.emplace_back(value.substr(0, eq), value.substr(eq + 1));
	}
	else if (name == "list-keys")
	{
		_listKeys = true;
	}
	else if (name == "plugin")
	{
		_listKeysPlugin = value;
	}
	else if (name == "check-config")
	{
		_checkOnly = true;
	}
	else if (name == "reload")
	{
		_reloadRequested = true;
	}
	else if (name == "pidfile")
	{
		// Absolute for the same reason as --config: the file is removed at exit.
		ServerApplication::handleOption(name, ConfigLocator::absolute(value));
	}
	else
	{
		ServerApplication::handleOption(name, value);
	}
}

void WebchatServer::initialize(Application& self)
{
	// OpenSSL for TLS listeners (their POCO Contexts).
	Poco::Net::initializeSSL();
	if (!_helpRequested)
	{
		try
		{
			loadConfigurationFile();
		}
		catch (const Poco::Exception& exc)
		{
			_startupError = exc.displayText();
		}
	}
	// The name POCO's LoggingSubsystem gives the application's logger.
	if (!config().has("application.logger")) config().setString("application.logger", "webchatd");
	try
	{
		// Applies the .ini's logging section (LoggingSubsystem).
		ServerApplication::initialize(self);
	}
	catch (const Poco::Exception& exc)
	{
		if (_startupError.empty()) _startupError = "bad logging configuration: " + exc.displayText();
	}
	// A command (--check-config, --list-keys, --reload) reports on the
	// terminal, whatever the file's logging section says (checked all the
	// same above): the log file named there may be the running server's,
	// and Windows lets only one process write a log file.
	if (_checkOnly || _listKeys || _reloadRequested) logToConsole();
}

void WebchatServer::uninitialize()
{
	closeListeners();
	ServerApplication::uninitialize();
	Poco::Net::uninitializeSSL();
}

void WebchatServer::loadConfigurationFile()
{
	if (_configPath.empty())
		_configPath = ConfigLocator::defaultConfig(Poco::Path(config().getString("application.dir"))).toString();

	Poco::File file(_configPath);
	if (!file.exists()) throw Poco::FileNotFoundException("configuration file not found", _configPath);
	if (!file.isFile() || !file.canRead()) throw Poco::FileAccessDeniedException("configuration file not readable", _configPath);
	try
	{
		// Other formats (.properties, .xml, .json) are POCO's to check.
		if (Poco::icompare(Poco::Path(_configPath).getExtension(), "ini") == 0)
		{
			Poco::FileInputStream in(_configPath);
			IniSyntax::check(in);
			// What loadConfiguration() does for an .ini, keeping the layer
			// so that a reload can replace it.
			_fileConfig = new Poco::Util::IniFileConfiguration(_configPath);
			config().add(_fileConfig, PRIO_DEFAULT, false);
		}
		else
		{
			loadConfiguration(_configPath);
		}
	}
	catch (const Poco::Exception& exc)
	{
		throw Poco::DataFormatException("cannot parse configuration file " + _configPath, exc.displayText());
	}
	// POCO 1.11 leaves application.configDir at the user's XDG folder
	// (~/.config/webchatd/); relative paths in the file mean its own folder.
	config().setString("application.configDir", Poco::Path(_configPath).parent().toString());
	for (const auto& define : _defines) config().setString(define.first, define.second);
}

const ConfigTable& WebchatServer::serverKeys()
{
	static const ConfigTable table{"server", {
		ConfigKey::path("plugin_path", "${application.dir}../lib/webchat/plugins", "folder the plugin libraries are loaded from (relative: to the config file); needs a restart"),
	}};
	return table;
}

std::string WebchatServer::pluginDir() const
{
	const Poco::AutoPtr<Poco::Util::AbstractConfiguration> section = config().createView("server");
	Poco::Path dir(ConfigReader(serverKeys(), *section, "server.").path("plugin_path"));
	// A relative plugin_path is relative to the configuration file.
	return dir.isAbsolute() ? dir.toString() : Poco::Path(config().getString("application.configDir")).resolve(dir).toString();
}

std::vector<std::string> WebchatServer::prepareListeners()
{
	auto names = ListenerSettings::names(config());
	if (names.empty())
		throw Poco::Util::MissingOptionException("no listeners configured in " + _configPath, "listeners.<name>.port");
	KeyCheck::refuseUnknown(config(), "server", {&serverKeys()});
	LibrarySearch::includeProgramFolder(config().getString("application.dir"));
	_pluginLoader = std::make_unique<PluginLoader>(pluginDir());
	return names;
}

void WebchatServer::openListeners()
{
	for (const auto& name : prepareListeners())
	{
		const ListenerSettings settings = ListenerSettings::fromConfig(config(), name);
		auto listener = std::make_unique<Listener>(settings, createPlugin(settings));
		std::lock_guard<std::mutex> lock(_listenersMutex);
		_listeners.push_back(std::move(listener));
		_sections[name] = sectionOf(name);
	}
	for (auto& listener : _listeners)
	{
		listener->start();
		const auto& s = listener->settings();
		logger().information("listener %s: %s/%s on %s:%hu%s", s.name, s.plugin, s.className, s.address, s.port, std::string(s.tls.enabled() ? " (TLS)" : ""));
	}
}

std::unique_ptr<HandlerPlugin> WebchatServer::createPlugin(const ListenerSettings& settings)
{
	auto plugin = _pluginLoader->create(settings.plugin, settings.className);
	KeyCheck::refuseUnknown(config(), "listeners." + settings.name, {&ListenerSettings::keys(), &plugin->configKeys()});
	Poco::Logger& pluginLogger = Poco::Logger::get("webchat." + settings.name);
	try
	{
		plugin->attach(*this, settings.name);
		plugin->configure(*config().createView("listeners." + settings.name), pluginLogger);
	}
	catch (const Poco::Exception& exc)
	{
		throw Poco::InvalidArgumentException("listener " + settings.name + " (" + settings.plugin + "/" + settings.className + ")", exc.displayText());
	}
	return plugin;
}

WebchatServer::Section WebchatServer::sectionOf(const std::string& name) const
{
	Section section;
	std::vector<std::string> pending{"listeners." + name};
	while (!pending.empty())
	{
		const std::string prefix = pending.back();
		pending.pop_back();
		Poco::Util::AbstractConfiguration::Keys keys;
		config().keys(prefix, keys);
		for (const auto& key : keys)
		{
			const std::string full = prefix + "." + key;
			if (config().has(full)) section[full] = config().getRawString(full);
			pending.push_back(full);
		}
	}
	// A certificate renewed in place (same path, new contents) changes the
	// listener too, so a reload serves it.
	for (const char* leaf : {"tls_certificate", "tls_private_key"})
	{
		const auto key = section.find("listeners." + name + "." + leaf);
		if (key != section.end()) section[key->first + " (contents)"] = fileFingerprint(resolveConfigPath(config(), config().getString(key->first)));
	}
	return section;
}

void WebchatServer::collectMetrics(MetricsWriter& writer)
{
	std::lock_guard<std::mutex> lock(_listenersMutex);
	if (_closing) return;
	for (const auto& listener : _listeners) listener->writeMetrics(writer);
}

bool WebchatServer::allListenersServing() const
{
	std::lock_guard<std::mutex> lock(_listenersMutex);
	if (_closing || _listeners.empty()) return false;
	return std::all_of(_listeners.begin(), _listeners.end(), [](const auto& listener) { return listener->serving(); });
}

void WebchatServer::closeListeners()
{
	{
		std::lock_guard<std::mutex> lock(_listenersMutex);
		_closing = true;
	}
	// Reverse order of opening; each stop joins the listener's threads before
	// its plugin is destroyed. Then the instances a reload replaced.
	while (!_listeners.empty())
	{
		_listeners.back()->stop();
		_listeners.pop_back();
	}
	while (!_retired.empty())
	{
		_retired.back()->stop();
		_retired.pop_back();
	}
}

void WebchatServer::reload()
{
	ServiceNotifier::reloading();
	logger().information("reload requested: re-reading " + _configPath);
	try
	{
		if (!_fileConfig) throw Poco::NotImplementedException("a reload re-reads an .ini configuration file only");
		Poco::FileInputStream in(_configPath);
		IniSyntax::check(in);
		Poco::AutoPtr<Poco::Util::IniFileConfiguration> fresh(new Poco::Util::IniFileConfiguration(_configPath));
		// The new file, overridden by --define as at start, with ${...}
		// references (application.dir...) resolved against the running
		// configuration.
		Poco::AutoPtr<Poco::Util::LayeredConfiguration> layered(new Poco::Util::LayeredConfiguration);
		Poco::AutoPtr<Poco::Util::MapConfiguration> defines(new Poco::Util::MapConfiguration);
		for (const auto& define : _defines) defines->setString(define.first, define.second);
		layered->add(defines, -200);
		layered->add(fresh, -100);
		layered->add(Poco::Util::AbstractConfiguration::Ptr(&config(), true), 0);
		applyLogging(layered);
		logger().information("logging configuration reloaded");
		// From here on config() is the new file (--define still overrides
		// it); each listener is compared with the section it runs with.
		config().removeConfiguration(_fileConfig);
		config().add(fresh, PRIO_DEFAULT, false);
		if (ListenerSettings::names(config()).empty())
		{
			// Refused as at start, rather than closing every listener.
			config().removeConfiguration(fresh);
			config().add(_fileConfig, PRIO_DEFAULT, false);
			throw Poco::Util::MissingOptionException("no listeners configured in " + _configPath, "listeners.<name>.port");
		}
		_fileConfig = fresh;
		try
		{
			KeyCheck::refuseUnknown(config(), "server", {&serverKeys()});
		}
		catch (const Poco::Exception& exc)
		{
			// [server] applies at start only; the listeners reload anyway.
			logger().error(exc.displayText() + " (in [server], which takes effect at the next start)");
		}
		reloadListeners();
	}
	catch (const Poco::Exception& exc)
	{
		logger().error("reload failed, the running configuration stays: " + exc.displayText());
	}
	ServiceNotifier::ready(std::to_string(_listeners.size()) + " listeners up");
}

void WebchatServer::reloadListeners()
{
	const auto names = ListenerSettings::names(config());
	std::vector<std::string> running;
	for (const auto& listener : _listeners) running.push_back(listener->settings().name);
	for (const auto& name : running)
	{
		if (std::find(names.begin(), names.end(), name) == names.end()) removeListener(name);
	}
	int unchanged = 0;
	int failed = 0;
	for (const auto& name : names)
	{
		const Section section = sectionOf(name);
		const auto known = _sections.find(name);
		if (known != _sections.end() && known->second == section)
		{
			++unchanged;
			continue;
		}
		try
		{
			reloadListener(name, section);
		}
		catch (const std::exception& exc)
		{
			// Poco::Exception, or whatever a third-party plugin throws.
			++failed;
			logger().error("listener " + name + (known != _sections.end() ? ": not reloaded, it stays as it ran: " : ": not opened: ") + describe(exc));
		}
	}
	logger().information("configuration reloaded: %z listeners serving, %d unchanged, %d failed",
		_listeners.size(), unchanged, failed);
}

void WebchatServer::reloadListener(const std::string& name, const Section& section)
{
	const ListenerSettings settings = ListenerSettings::fromConfig(config(), name);
	const std::size_t index = indexOf(name);
	Listener* const current = index < _listeners.size() ? _listeners[index].get() : nullptr;
	const bool sameSocket = current && current->settings().address == settings.address && current->settings().port == settings.port;
	// Everything that can fail comes first: plugin, configure(), factory, and
	// bind (a new address or port is bound while the old one still serves).
	auto replacement = sameSocket ?
		std::make_unique<Listener>(settings, createPlugin(settings), current->socket()) :
		std::make_unique<Listener>(settings, createPlugin(settings));
	std::unique_ptr<Listener> previous;
	if (sameSocket)
	{
		// Connects arriving meanwhile wait in the socket's backlog.
		current->retire();
		replacement->start();
		{
			std::lock_guard<std::mutex> lock(_listenersMutex);
			previous = std::move(_listeners[index]);
			_listeners[index] = std::move(replacement);
		}
		_retired.push_back(std::move(previous));
		logger().information("listener %s: %s/%s replaced on %s:%hu; connections already taken stay with the previous instance",
			name, settings.plugin, settings.className, settings.address, settings.port);
	}
	else
	{
		if (current)
		{
			removeListener(name);
		}
		replacement->start();
		{
			std::lock_guard<std::mutex> lock(_listenersMutex);
			_listeners.push_back(std::move(replacement));
		}
		logger().information("listener %s: %s/%s opened on %s:%hu", name, settings.plugin, settings.className, settings.address, settings.port);
	}
	_sections[name] = section;
}

void WebchatServer::removeListener(const std::string& name)
{
	const std::size_t index = indexOf(name);
	if (index >= _listeners.size()) return;
	std::unique_ptr<Listener> removed;
	{
		// Out of the metrics before its plugin shuts down.
		std::lock_guard<std::mutex> lock(_listenersMutex);
		removed = std::move(_listeners[index]);
		_listeners.erase(_listeners.begin() + static_cast<std::ptrdiff_t>(index));
	}
	_sections.erase(name);
	const auto& s = removed->settings();
	removed->stop();
	logger().information("listener %s: closed %s:%hu", name, s.address, s.port);
}

std::size_t WebchatServer::indexOf(const std::string& name) const
{
	std::size_t index = 0;
	while (index < _listeners.size() && _listeners[index]->settings().name != name) ++index;
	return index;
}

void WebchatServer::applyLogging(const Poco::Util::AbstractConfiguration::Ptr& config)
{
	// Takes the whole configuration and reads its logging.* keys.
	Poco::Util::LoggingConfigurator().configure(config);
	// The configurator sets each named logger only; loggers created since
	// start (every plugin's) hold copies of their parent's channel and level,
	// so hand the new ones down the tree, parents before children.
	Poco::Util::AbstractConfiguration::Keys entries;
	config->keys("logging.loggers", entries);
	std::vector<std::string> names;
	for (const auto& entry : entries) names.push_back(config->getString("logging.loggers." + entry + ".name", ""));
	std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) { return a.size() < b.size(); });
	for (const auto& name : names)
	{
		Poco::Logger& configured = Poco::Logger::get(name);
		if (configured.getChannel()) Poco::Logger::setChannel(name, configured.getChannel());
		Poco::Logger::setLevel(name, configured.getLevel());
	}
}

void WebchatServer::checkConfiguration()
{
	std::map<std::string, std::string> sockets; // "address:port" -> listener
	for (const auto& name : prepareListeners())
	{
		const ListenerSettings settings = ListenerSettings::fromConfig(config(), name);
		const std::string socket = settings.address + ":" + std::to_string(settings.port);
		const auto [other, isNew] = sockets.emplace(socket, name);
		if (!isNew)
			throw Poco::InvalidArgumentException("listeners " + other->second + " and " + name + " both listen on " + socket);
		if (settings.tls.enabled()) createTlsContext(settings);
		createPlugin(settings);
		logger().information("listener %s: %s/%s on %s%s: configuration OK", name, settings.plugin, settings.className, socket,
			std::string(settings.tls.enabled() ? " (TLS)" : ""));
	}
}

int WebchatServer::listKeys()
{
	auto print = [](const std::string& heading, const ConfigTable& table, const std::string& prefix) {
		std::cout << "# " << heading << "\n";
		std::size_t nameWidth = 0;
		std::size_t defaultWidth = 0;
		for (const auto& key : table.keys())
		{
			nameWidth = std::max(nameWidth, prefix.size() + key.name.size());
			defaultWidth = std::max(defaultWidth, std::max<std::size_t>(key.defaultValue.size(), 8));
		}
		for (const auto& key : table.keys())
		{
			const std::string shownDefault = key.required ? "required" : key.defaultValue.empty() ? "-" : key.defaultValue;
			std::string help = key.help;
			const std::string expected = key.expected();
			if (!expected.empty()) help += " (" + expected + (key.unit.empty() ? "" : " " + key.unit) + ")";
			std::cout << Poco::format("%-*s  %-7s  %-*s  %s\n", static_cast<int>(nameWidth), prefix + key.name, std::string(key.typeName()),
				static_cast<int>(defaultWidth), shownDefault, help);
		}
	};
	if (_listKeysPlugin.empty())
	{
		print("webchatd: [server]", serverKeys(), "server.");
		print("webchatd: every [listeners.<name>]; the other keys of a listener are its plugin's", ListenerSettings::keys(), "listeners.<name>.");
	}
	PluginLoader loader(pluginDir());
	auto printPlugin = [&](const std::string& library) {
		for (const auto& className : loader.classes(library))
			print("plugin = " + library + ", class = " + className, loader.create(library, className)->configKeys(), "");
	};
	try
	{
		if (!_listKeysPlugin.empty())
		{
			printPlugin(_listKeysPlugin);
			return EXIT_OK;
		}
		for (const auto& library : loader.libraries())
		{
			try
			{
				printPlugin(library);
			}
			catch (const Poco::LibraryLoadException& exc)
			{
				// Another library in the folder, or a plugin for another
				// version: the others are still worth listing.
				std::cout << "# " << loader.libraryPath(library) << ": skipped, " << exc.displayText() << "\n";
			}
		}
	}
	catch (const Poco::Exception& exc)
	{
		logger().fatal(exc.displayText());
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

void WebchatServer::printHelp() const
{
	Poco::Util::HelpFormatter help(options());
	help.setUnixStyle(true);
	help.setCommand(commandName());
	help.setUsage("[OPTIONS]");
	help.setHeader("webchatd " WEBCHAT_VERSION ": serves handler plugins on the listeners of an .ini configuration.");
	help.format(std::cout);
}

int WebchatServer::requestReload()
{
	try
	{
		ControlRequests::requestReload(_configPath);
	}
	catch (const Poco::NotImplementedException& exc)
	{
		logger().fatal(exc.message());
		return EXIT_USAGE;
	}
	catch (const Poco::Exception& exc)
	{
		logger().fatal("cannot ask for a reload: " + exc.displayText());
		return EXIT_UNAVAILABLE;
	}
	logger().information("reload requested of the webchatd running with " + _configPath);
	return EXIT_OK;
}

int WebchatServer::main(const ArgVec& args)
{
	if (_helpRequested)
	{
		printHelp();
		return EXIT_OK;
	}
	if (!args.empty())
	{
		logger().fatal("unexpected argument: " + args.front() + " (see --help)");
		return EXIT_USAGE;
	}
	if (!_listKeysPlugin.empty() && !_listKeys)
	{
		logger().fatal("--plugin goes with --list-keys (see --help)");
		return EXIT_USAGE;
	}
	// Without a usable configuration file the default plugin folder applies.
	if (_listKeys) return listKeys();
	// The running webchatd reads the file; this one only names it.
	if (_reloadRequested) return requestReload();
	if (!_startupError.empty())
	{
		logger().fatal(_startupError);
		return EXIT_CONFIG;
	}
	if (_checkOnly)
	{
		try
		{
			checkConfiguration();
		}
		catch (const Poco::Exception& exc)
		{
			logger().fatal(exc.displayText());
			return EXIT_CONFIG;
		}
		catch (const std::exception& exc)
		{
			logger().fatal(std::string("configuration check failed: ") + exc.what());
			return EXIT_CONFIG;
		}
		logger().information("configuration " + _configPath + " OK");
		return EXIT_OK;
	}
	try
	{
		openListeners();
	}
	catch (const Poco::Exception& exc)
	{
		logger().fatal(exc.displayText());
		closeListeners();
		return EXIT_CONFIG;
	}
	catch (const std::exception& exc)
	{
		// A third-party plugin may throw something other than Poco::Exception.
		logger().fatal(std::string("cannot start: ") + exc.what());
		closeListeners();
		return EXIT_CONFIG;
	}
	logger().information("webchatd " WEBCHAT_VERSION " started (pid %d, config %s)", static_cast<int>(Poco::Process::id()), _configPath);
	ServiceNotifier::ready(std::to_string(_listeners.size()) + " listeners up");
	ControlRequests::waitForStop(
		_configPath, [this] { waitForTerminationRequest(); }, [this] { reload(); }, logger());
	ServiceNotifier::stopping();
	logger().information("stopping");
	ControlRequests::exitOnSecondStop(logger());
	closeListeners();
	logger().information("stopped");
	return EXIT_OK;
}

} // namespace webchat
