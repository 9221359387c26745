//
// EngineSettings.h
//
// Every limit of the WebSocket engine, read from a listener's section.
//

#ifndef WEBCHAT_ENGINE_ENGINESETTINGS_INCLUDED
#define WEBCHAT_ENGINE_ENGINESETTINGS_INCLUDED

#include "Poco/Util/AbstractConfiguration.h"

#include <cstddef>
#include <cstdint>

namespace webchat::engine {

struct EngineSettings
{
	int ioThreads = 0;                         // io_threads; 0: one per core
	std::size_t maxMessageBytes = 64 * 1024;   // max_message_bytes: larger messages are closed with 1009
	std::size_t maxQueuedBytes = 1024 * 1024;  // max_queued_bytes: a client owed more is closed with 1008
	std::size_t sendBufferBytes = 256 * 1024;  // send_buffer_bytes: SO_SNDBUF per client; 0 leaves the kernel's autotuning
	std::size_t maxConnections = 10000;        // max_connections: further upgrades get 503
	std::size_t maxConnectionsPerIp = 256;     // max_connections_per_ip: further upgrades get 503
	std::int64_t pingIntervalMs = 30000;       // ping_interval_ms: ping a client silent this long
	std::int64_t pongTimeoutMs = 15000;        // pong_timeout_ms: then drop it if still silent
	std::int64_t frameTimeoutMs = 10000;       // frame_timeout_ms: close (1008) a client stalled mid-frame or mid-message
	std::int64_t closeTimeoutMs = 5000;        // close_timeout_ms: wait for the peer's close frame
	std::int64_t drainTimeoutMs = 3000;        // drain_timeout_ms: on shutdown, for clients to take their 1001

	/// Reads the keys above (defaults where absent). Throws
	/// Poco::InvalidArgumentException naming the key for a bad value.
	static EngineSettings fromConfig(const Poco::Util::AbstractConfiguration& section);

	/// ioThreads resolved (0 becomes the number of cores).
	int resolvedIoThreads() const;
};

} // namespace webchat::engine

#endif
