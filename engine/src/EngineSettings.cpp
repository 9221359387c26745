#include "webchat/engine/EngineSettings.h"

#include "Poco/AutoPtr.h"
#include "Poco/Environment.h"
#include "Poco/Util/MapConfiguration.h"

#include <algorithm>

namespace webchat::engine {

const SettingsTable<EngineSettings>& EngineSettings::keys()
{
	using Key = ConfigKey;
	using S = EngineSettings;
	static const SettingsTable<EngineSettings> table{"engine", {
		{Key::text("allowed_origins", "self", "browser pages allowed to connect (the Origin header): *, self, self:PORT or exact origins, comma-separated; no Origin (not a browser) is allowed"), &S::allowedOrigins},
		{Key::integer("io_threads", 0, 0, 256, "threads", "engine I/O threads; 0 = one per core"), &S::ioThreads},
		{Key::integer("max_message_bytes", 64 * 1024, 1, 64 * 1024 * 1024, "bytes", "a larger message is refused from its frame header, a compressed one once it inflates past it: close 1009"), &S::maxMessageBytes},
		{Key::integer("max_queued_bytes", 1024 * 1024, 1024, std::int64_t(1) << 32, "bytes", "a client owed more than this is closed with 1008"), &S::maxQueuedBytes},
		{Key::integer("send_buffer_bytes", 256 * 1024, 0, 64 * 1024 * 1024, "bytes", "kernel send buffer per client (SO_SNDBUF); 0 leaves the kernel's autotuning"), &S::sendBufferBytes},
		{Key::integer("max_connections", 10000, 1, 10000000, "connections", "further upgrades get 503"), &S::maxConnections},
		{Key::integer("max_connections_per_ip", 256, 1, 10000000, "connections", "further upgrades from that address get 503"), &S::maxConnectionsPerIp},
		{Key::number("handshakes_per_ip_per_second", 5, 0.01, 1e6, "/s", "WebSocket upgrades per address (IPv6: per /64), refilled at this rate; beyond, 429 with Retry-After"), &S::handshakesPerIpPerSecond},
		{Key::integer("handshakes_per_ip_burst", 20, 1, 1000000, "handshakes", "...and at most this many at once"), &S::handshakesPerIpBurst},
		{Key::integer("ping_interval_ms", 30000, 100, 3600000, "ms", "a client silent this long is pinged"), &S::pingIntervalMs},
		{Key::integer("pong_timeout_ms", 15000, 100, 3600000, "ms", "then dropped if it stays silent this long"), &S::pongTimeoutMs},
		{Key::integer("frame_timeout_ms", 10000, 100, 3600000, "ms", "a client stalled mid-frame or mid-message is closed with 1008"), &S::frameTimeoutMs},
		{Key::integer("close_timeout_ms", 5000, 10, 600000, "ms", "how long to wait for the peer's close frame"), &S::closeTimeoutMs},
		{Key::integer("drain_timeout_ms", 3000, 0, 600000, "ms", "on shutdown, time for clients to take their 1001"), &S::drainTimeoutMs},
		{Key::choice("compression", "on", {"on", "off"}, "permessage-deflate (RFC 7692) with clients that offer it"), &S::compression},
		{Key::integer("compression_min_bytes", 64, 0, 64 * 1024 * 1024, "bytes", "messages smaller than this are sent uncompressed"), &S::compressionMinBytes},
	}};
	return table;
}

EngineSettings EngineSettings::fromConfig(const Poco::Util::AbstractConfiguration& section)
{
	EngineSettings s;
	keys().read(section, s);
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
