//
// EngineSettings.h
//
// Every limit of the WebSocket engine, read from a listener's section.
//

#ifndef WEBCHAT_ENGINE_ENGINESETTINGS_INCLUDED
#define WEBCHAT_ENGINE_ENGINESETTINGS_INCLUDED

#include "webchat/ConfigKeys.h"

#include "Poco/Util/AbstractConfiguration.h"

#include <cstddef>
#include <cstdint>
#include <string>

namespace webchat::engine {

struct EngineSettings
{
	// The keys of keys(), read by fromConfig() (defaults and ranges there).
	std::string allowedOrigins;       // allowed_origins: see OriginPolicy
	int ioThreads = 0;                // io_threads; 0: one per core
	std::size_t maxMessageBytes = 0;  // max_message_bytes: larger messages are closed with 1009
	std::size_t maxQueuedBytes = 0;   // max_queued_bytes: a client owed more is closed with 1008
	std::size_t sendBufferBytes = 0;  // send_buffer_bytes: SO_SNDBUF per client; 0 leaves the kernel's autotuning
	std::size_t maxConnections = 0;   // max_connections: further upgrades get 503
	std::size_t maxConnectionsPerIp = 0; // max_connections_per_ip: further upgrades get 503
	double handshakesPerIpPerSecond = 0; // handshakes_per_ip_per_second: then 429
	std::size_t handshakesPerIpBurst = 0; // handshakes_per_ip_burst
	std::int64_t pingIntervalMs = 0;  // ping_interval_ms: ping a client silent this long
	std::int64_t pongTimeoutMs = 0;   // pong_timeout_ms: then drop it if still silent
	std::int64_t frameTimeoutMs = 0;  // frame_timeout_ms: close (1008) a client stalled mid-frame or mid-message
	std::int64_t closeTimeoutMs = 0;  // close_timeout_ms: wait for the peer's close frame
	std::int64_t drainTimeoutMs = 0;  // drain_timeout_ms: on shutdown, for clients to take their 1001
	std::string compression;          // compression: on (permessage-deflate when a client offers it) or off
	std::size_t compressionMinBytes = 0; // compression_min_bytes: smaller messages go out uncompressed

	/// compression = on.
	bool compressionEnabled() const { return compression == "on"; }

	/// The engine's keys, which every plugin on the engine declares as its own.
	static const SettingsTable<EngineSettings>& keys();

	/// Reads the keys above (defaults where absent). Throws
	/// Poco::InvalidArgumentException naming the key for a bad value.
	static EngineSettings fromConfig(const Poco::Util::AbstractConfiguration& section);

	/// Every key at its default.
	static EngineSettings defaults();

	/// ioThreads resolved (0 becomes the number of cores).
	int resolvedIoThreads() const;
};

} // namespace webchat::engine

#endif
