#include "ListenerSettings.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Path.h"
#include "Poco/Util/OptionException.h"

namespace webchat {

namespace {

using Poco::Util::AbstractConfiguration;

// A library base name, never a path: the plugin folder is the only place
// code is loaded from.
void checkPluginName(const ConfigReader& read, const std::string& name)
{
	for (char c : name)
	{
		const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
		if (!ok) read.refuse("plugin", name, "a plugin is named by its library base name (letters, digits, '-', '_')");
	}
}

TlsSettings tlsFromConfig(const ConfigReader& read)
{
	TlsSettings tls;
	const std::string certificate = read.path("tls_certificate");
	const std::string privateKey = read.path("tls_private_key");
	if (certificate.empty() && privateKey.empty())
	{
		if (read.isSet("tls_ciphers") || read.isSet("tls_min_protocol"))
			throw Poco::Util::MissingOptionException("TLS keys without a certificate", read.prefix() + "tls_certificate");
		return tls;
	}
	if (certificate.empty()) throw Poco::Util::MissingOptionException("missing configuration key", read.prefix() + "tls_certificate");
	if (privateKey.empty()) throw Poco::Util::MissingOptionException("missing configuration key", read.prefix() + "tls_private_key");
	tls.certificateFile = read.resolvedPath("tls_certificate");
	tls.privateKeyFile = read.resolvedPath("tls_private_key");
	tls.ciphers = read.text("tls_ciphers");
	tls.minProtocol = read.choice("tls_min_protocol");
	return tls;
}

} // namespace

// TLS 1.2 suites with forward secrecy and AEAD only (TLS 1.3 suites are
// OpenSSL's defaults, all of which qualify).
const std::string TlsSettings::defaultCiphers = "ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:DHE+CHACHA20:!aNULL:!MD5:!DSS";

const SettingsTable<ListenerSettings>& ListenerSettings::keys()
{
	using Key = ConfigKey;
	using S = ListenerSettings;
	static const SettingsTable<ListenerSettings> table{"listeners.<name>", {
		{Key::integer("port", 0, 1, 65535, "", "TCP port").mandatory(), &S::port},
		{Key::text("address", "0.0.0.0", "address to bind (IPv4 or IPv6); never with SO_REUSEPORT, so a port in use is an error"), &S::address},
		{Key::text("plugin", "", "plugin library base name (page: page.so in server.plugin_path)").mandatory(), &S::plugin},
		{Key::text("class", "", "class exported by the plugin's manifest").mandatory(), &S::className},
		{Key::integer("threads", 16, 1, 1024, "threads", "the listener's own HTTP worker threads"), &S::threads},
		{Key::integer("backlog", 4096, 1, 65535, "connections", "listen() backlog (the kernel caps it at net.core.somaxconn)"), &S::backlog},
		{Key::integer("max_queued", 256, 1, 100000, "connections", "accepted connections waiting for a worker thread"), &S::maxQueued},
		{Key::integer("timeout_ms", 30000, 100, 3600000, "ms", "socket send/receive timeout of HTTP connections"), &S::timeoutMs},
		{Key::integer("keep_alive_requests", 100, 1, 100000, "requests", "requests per keep-alive connection"), &S::keepAliveRequests},
		{Key::integer("header_timeout_ms", 5000, 100, 600000, "ms", "a request head must be complete this long after its first byte (a new connection: after it opened, TLS handshake included), else the connection is closed"), &S::headerTimeoutMs},
		{Key::integer("keep_alive_timeout_ms", 15000, 100, 3600000, "ms", "how long a keep-alive connection may wait idle for its next request"), &S::keepAliveTimeoutMs},
		{Key::integer("max_pending", 4096, 1, 1000000, "connections", "connections waiting for their request head (or idle between keep-alive requests); more are closed at once"), &S::maxPending},
		{Key::integer("max_pending_per_ip", 16, 1, 1000000, "connections", "...of those, from one address (IPv6: one /64)"), &S::maxPendingPerIp},
		{Key::integer("max_head_bytes", 16384, 1024, 1048576, "bytes", "a longer request head is answered 431"), &S::maxHeadBytes},
		{Key::integer("max_body_bytes", 65536, 0, 64 * 1024 * 1024, "bytes", "a request with a longer body is answered 413 without reading it (a chunked one: 411); a body its handler does not read closes the connection after the response"), &S::maxBodyBytes},
		{Key::integer("access_log_lines_per_second", 100, 0, 1000000, "lines", "access log lines a second at most; the rest are counted in one line a second (0: no access log)"), &S::accessLogLinesPerSecond},
		{Key::text("trusted_proxies", "", "addresses or CIDRs (comma-separated) of reverse proxies: the client of a request from one is the address its Forwarded or X-Forwarded-For names, for every limit and log; they are not limited by max_pending_per_ip")},
		{Key::path("tls_certificate", "", "PEM: the server's certificate, then intermediates; the listener serves TLS (docs/TLS.md)")},
		{Key::path("tls_private_key", "", "PEM: its private key, unencrypted")},
		{Key::choice("tls_min_protocol", "tlsv1.2", {"tlsv1.2", "tlsv1.3"}, "oldest TLS version offered").caseInsensitive().notEmpty()},
		{Key::text("tls_ciphers", TlsSettings::defaultCiphers, "OpenSSL cipher list for TLS 1.2").notEmpty()},
	}};
	return table;
}

ListenerSettings ListenerSettings::fromConfig(const AbstractConfiguration& config, const std::string& name)
{
	ListenerSettings s;
	s.name = name;
	const Poco::AutoPtr<AbstractConfiguration> section = config.createView("listeners." + name);
	const ConfigReader read(keys(), *section, s.key(""));
	keys().read(read, s);
	checkPluginName(read, s.plugin);
	try
	{
		s.trustedProxies = TrustedProxies::parse(read.text("trusted_proxies"));
	}
	catch (const Poco::InvalidArgumentException& exc)
	{
		read.refuse("trusted_proxies", read.text("trusted_proxies"), "expected addresses or CIDRs: " + exc.message());
	}
	s.tls = tlsFromConfig(read);
	return s;
}

std::vector<std::string> ListenerSettings::names(const AbstractConfiguration& config)
{
	AbstractConfiguration::Keys keys;
	config.keys("listeners", keys);
	return keys;
}

} // namespace webchat
