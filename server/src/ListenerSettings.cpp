#include "ListenerSettings.h"

#include "Poco/Exception.h"
#include "Poco/NumberParser.h"
#include "Poco/Path.h"
#include "Poco/String.h"
#include "Poco/Util/OptionException.h"

namespace webchat {

namespace {

using Poco::Util::AbstractConfiguration;

std::string requiredString(const AbstractConfiguration& config, const std::string& key)
{
	std::string value = config.getString(key, "");
	if (value.empty()) throw Poco::Util::MissingOptionException("missing configuration key", key);
	return value;
}

int boundedInt(const AbstractConfiguration& config, const std::string& key, int defaultValue, int min, int max)
{
	const std::string raw = config.getString(key, "");
	if (raw.empty()) return defaultValue;
	int value = 0;
	if (!Poco::NumberParser::tryParse(raw, value) || value < min || value > max)
	{
		throw Poco::InvalidArgumentException(
			key + " = " + raw + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max));
	}
	return value;
}

// A library base name, never a path: the plugin folder is the only place
// code is loaded from.
void checkPluginName(const std::string& key, const std::string& name)
{
	for (char c : name)
	{
		const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok) throw Poco::InvalidArgumentException(key + " = " + name + ": a plugin is named by its library base name (letters, digits, '-', '_')");
	}
}

TlsSettings tlsFromConfig(const AbstractConfiguration& config, const ListenerSettings& s)
{
	TlsSettings tls;
	const std::string certificate = config.getString(s.key("tls_certificate"), "");
	const std::string privateKey = config.getString(s.key("tls_private_key"), "");
	const bool anyOther = config.has(s.key("tls_ciphers")) || config.has(s.key("tls_min_protocol"));
	if (certificate.empty() && privateKey.empty())
	{
		if (anyOther)
			throw Poco::Util::MissingOptionException("TLS keys without a certificate", s.key("tls_certificate"));
		return tls;
	}
	if (certificate.empty()) throw Poco::Util::MissingOptionException("missing configuration key", s.key("tls_certificate"));
	if (privateKey.empty()) throw Poco::Util::MissingOptionException("missing configuration key", s.key("tls_private_key"));
	tls.certificateFile = ListenerSettings::resolvePath(config, certificate);
	tls.privateKeyFile = ListenerSettings::resolvePath(config, privateKey);
	tls.ciphers = config.getString(s.key("tls_ciphers"), TlsSettings::defaultCiphers);
	if (tls.ciphers.empty())
		throw Poco::InvalidArgumentException(s.key("tls_ciphers") + " is empty: leave it out for the default");
	tls.minProtocol = Poco::toLower(config.getString(s.key("tls_min_protocol"), "tlsv1.2"));
	if (tls.minProtocol != "tlsv1.2" && tls.minProtocol != "tlsv1.3")
	{
		throw Poco::InvalidArgumentException(s.key("tls_min_protocol") + " = " + config.getString(s.key("tls_min_protocol")) +
			": expected tlsv1.2 or tlsv1.3");
	}
	return tls;
}

} // namespace

// TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are
// OpenSSL's defaults, all of which qualify).
const std::string TlsSettings::defaultCiphers = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!MD5:!DSS";

ListenerSettings ListenerSettings::fromConfig(const AbstractConfiguration& config, const std::string& name)
{
	ListenerSettings s;
	s.name = name;
	s.address = config.getString(s.key("address"), "0.0.0.0");
	if (!config.has(s.key("port"))) throw Poco::Util::MissingOptionException("missing configuration key", s.key("port"));
	s.port = static_cast<Poco::UInt16>(boundedInt(config, s.key("port"), 0, 1, 65535));
	s.plugin = requiredString(config, s.key("plugin"));
	checkPluginName(s.key("plugin"), s.plugin);
	s.className = requiredString(config, s.key("class"));
	s.threads = boundedInt(config, s.key("threads"), s.threads, 1, 1024);
	s.backlog = boundedInt(config, s.key("backlog"), s.backlog, 1, 65535);
	s.maxQueued = boundedInt(config, s.key("max_queued"), s.maxQueued, 1, 100000);
	s.timeout = Poco::Timespan(Poco::Timespan::TimeDiff(boundedInt(config, s.key("timeout_ms"), 30000, 100, 3600000)) * 1000);
	s.keepAliveRequests = boundedInt(config, s.key("keep_alive_requests"), s.keepAliveRequests, 1, 100000);
	s.tls = tlsFromConfig(config, s);
	return s;
}

std::string ListenerSettings::resolvePath(const AbstractConfiguration& config, const std::string& value)
{
	const Poco::Path path(value);
	if (path.isAbsolute()) return path.toString();
	return Poco::Path::forDirectory(config.getString("application.configDir", Poco::Path::current())).resolve(path).toString();
}

std::vector<std::string> ListenerSettings::names(const AbstractConfiguration& config)
{
	AbstractConfiguration::Keys keys;
	config.keys("listeners", keys);
	return keys;
}

} // namespace webchat
