#include "webchat/engine/EngineSettings.h"

#include "Poco/AutoPtr.h"
#include "Poco/Environment.h"
#include "Poco/Util/MapConfiguration.h"

#include <algorithm>

namespace webchat::engine {

const ConfigTable& EngineSettings::keys()
{
	using Key = ConfigKey;
	static const ConfigTable table{"engine", {
		Key::text("allowed_origins", "self", "browser pages allowed to connect (the Origin header): *, self, self:PORT or exact origins, comma-separated; no Origin (not a browser) is allowed"),
		Key::integer("io_threads", 0, 0, 256, "threads", "engine I/O threads; 0 = one per core"),
		Key::integer("max_message_bytes", 64 * 1024, 1, 64 * 1024 * 1024, "bytes", "a larger message is refused from its frame header: close 1009"),
		Key::integer("max_queued_bytes", 1024 * 1024, 1024, std::int64_t(1) << 32, "bytes", "a client owed more than this is closed with 1008"),
		Key::integer("send_buffer_bytes", 256 * 1024, 0, 64 * 1024 * 1024, "bytes", "kernel send buffer per client (SO_SNDBUF); 0 leaves the kernel's autotuning"),
		Key::integer("max_connections", 10000, 1, 10000000, "connections", "further upgrades get 503"),
		Key::integer("max_connections_per_ip", 256, 1, 10000000, "connections", "further upgrades from that address get 503"),
		Key::integer("ping_interval_ms", 30000, 100, 3600000, "ms", "a client silent this long is pinged"),
		Key::integer("pong_timeout_ms", 15000, 100, 3600000, "ms", "then dropped if it stays silent this long"),
		Key::integer("frame_timeout_ms", 10000, 100, 3600000, "ms", "a client stalled mid-frame or mid-message is closed with 1008"),
		Key::integer("close_timeout_ms", 5000, 10, 600000, "ms", "how long to wait for the peer's close frame"),
		Key::integer("drain_timeout_ms", 3000, 0, 600000, "ms", "on shutdown, time for clients to take their 1001"),
	}};
	return table;
}

EngineSettings EngineSettings::fromConfig(const Poco::Util::AbstractConfiguration& section)
{
	const ConfigReader read(keys(), section);
	EngineSettings s;
	s.allowedOrigins = read.text("allowed_origins");
	s.ioThreads = static_cast<int>(read.integer("io_threads"));
	s.maxMessageBytes = static_cast<std::size_t>(read.integer("max_message_bytes"));
	s.maxQueuedBytes = static_cast<std::size_t>(read.integer("max_queued_bytes"));
	s.sendBufferBytes = static_cast<std::size_t>(read.integer("send_buffer_bytes"));
	s.maxConnections = static_cast<std::size_t>(read.integer("max_connections"));
	s.maxConnectionsPerIp = static_cast<std::size_t>(read.integer("max_connections_per_ip"));
	s.pingIntervalMs = read.integer("ping_interval_ms");
	s.pongTimeoutMs = read.integer("pong_timeout_ms");
	s.frameTimeoutMs = read.integer("frame_timeout_ms");
	s.closeTimeoutMs = read.integer("close_timeout_ms");
	s.drainTimeoutMs = read.integer("drain_timeout_ms");
	return s;
}

EngineSettings EngineSettings::defaults()
{
	return fromConfig(*Poco::AutoPtr<Poco::Util::MapConfiguration>(new Poco::Util::MapConfiguration));
}

int EngineSettings::resolvedIoThreads() const
{
	return ioThreads > 0 ? ioThreads : static_cast<int>(std::max(1u, Poco::Environment::processorCount()));
}

} // namespace webchat::engine
