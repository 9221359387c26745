//
// ListenerSettings.h
//
// The host's own keys of one listeners.<name> section, validated.
//

#ifndef WEBCHAT_LISTENERSETTINGS_INCLUDED
#define WEBCHAT_LISTENERSETTINGS_INCLUDED

#include "Poco/Timespan.h"
#include "Poco/Types.h"
#include "Poco/Util/AbstractConfiguration.h"

#include <string>
#include <vector>

namespace webchat {

/// A listener's TLS keys; enabled() when it serves https/wss.
struct TlsSettings
{
	std::string certificateFile; // tls_certificate: PEM, the chain after the server's own
	std::string privateKeyFile;  // tls_private_key: PEM, unencrypted
	std::string ciphers;         // tls_ciphers: OpenSSL cipher list for TLS 1.2
	std::string minProtocol;     // tls_min_protocol: tlsv1.2 (default) or tlsv1.3

	bool enabled() const { return !certificateFile.empty(); }

	static const std::string defaultCiphers;
};

struct ListenerSettings
{
	std::string name;
	std::string address;      // listeners.<name>.address, default 0.0.0.0
	Poco::UInt16 port = 0;    // listeners.<name>.port, required, 1-65535
	std::string plugin;       // listeners.<name>.plugin, library base name
	std::string className;    // listeners.<name>.class
	int threads = 16;         // listeners.<name>.threads: the listener's own pool
	int backlog = 128;        // listeners.<name>.backlog: listen(2) backlog
	int maxQueued = 256;      // listeners.<name>.max_queued: accepted, waiting for a thread
	Poco::Timespan timeout;   // listeners.<name>.timeout_ms: socket send/receive timeout
	int keepAliveRequests = 100; // listeners.<name>.keep_alive_requests
	TlsSettings tls;          // listeners.<name>.tls_*: paths made absolute against application.configDir

	/// Reads and validates listeners.<name>. Throws Poco::Exception (a
	/// MissingOptionException or InvalidArgumentException) naming the key.
	static ListenerSettings fromConfig(const Poco::Util::AbstractConfiguration& config, const std::string& name);

	/// The names of all configured listeners (the sections below "listeners").
	static std::vector<std::string> names(const Poco::Util::AbstractConfiguration& config);

	std::string key(const std::string& leaf) const { return "listeners." + name + "." + leaf; }

	/// A path from the configuration: relative ones are relative to the
	/// configuration file's folder (application.configDir).
	static std::string resolvePath(const Poco::Util::AbstractConfiguration& config, const std::string& value);
};

} // namespace webchat

#endif
