//
// ListenerSettings.h
//
// The host's own keys of one listeners.<name> section, validated.
//

#ifndef WEBCHAT_LISTENERSETTINGS_INCLUDED
#define WEBCHAT_LISTENERSETTINGS_INCLUDED

#include "TrustedProxies.h"
#include "webchat/ConfigKeys.h"

#include "Poco/Timespan.h"
#include "Poco/Types.h"
#include "Poco/Util/AbstractConfiguration.h"

#include <cstdint>
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
	// The keys of listeners.<name> (see keys() for defaults and ranges).
	std::string address;
	Poco::UInt16 port = 0;
	std::string plugin;       // library base name
	std::string className;
	int threads = 0;          // the listener's own pool
	int backlog = 0;          // listen(2) backlog
	int maxQueued = 0;        // accepted, waiting for a thread
	std::int64_t timeoutMs = 0; // socket send/receive timeout
	int keepAliveRequests = 0;
	std::int64_t headerTimeoutMs = 0;
	std::int64_t keepAliveTimeoutMs = 0;
	std::size_t maxPending = 0;
	std::size_t maxPendingPerIp = 0;
	std::size_t maxHeadBytes = 0;
	std::uint64_t maxBodyBytes = 0;
	std::uint32_t accessLogLinesPerSecond = 0; // 0: no access log
	TrustedProxies trustedProxies;
	TlsSettings tls;          // paths made absolute against application.configDir

	/// The host's keys in every listeners.<name> section; every other key
	/// there must be the plugin's.
	static const SettingsTable<ListenerSettings>& keys();

	Poco::Timespan timeout() const { return Poco::Timespan(timeoutMs * 1000); }


	/// Reads and validates listeners.<name>. Throws Poco::Exception (a
	/// MissingOptionException or InvalidArgumentException) naming the key.
	static ListenerSettings fromConfig(const Poco::Util::AbstractConfiguration& config, const std::string& name);

	/// The names of all configured listeners (the sections below "listeners").
	static std::vector<std::string> names(const Poco::Util::AbstractConfiguration& config);

	std::string key(const std::string& leaf) const { return "listeners." + name + "." + leaf; }

};

} // namespace webchat

#endif
