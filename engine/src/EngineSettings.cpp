#include "webchat/engine/EngineSettings.h"

#include "Poco/Environment.h"
#include "Poco/Exception.h"
#include "Poco/NumberParser.h"

namespace webchat::engine {

namespace {

template <class T>
T bounded(const Poco::Util::AbstractConfiguration& section, const std::string& key, T value, T min, T max)
{
	const std::string raw = section.getString(key, "");
	if (raw.empty()) return value;
	Poco::Int64 parsed = 0;
	if (!Poco::NumberParser::tryParse64(raw, parsed) || parsed < static_cast<Poco::Int64>(min) || parsed > static_cast<Poco::Int64>(max))
	{
		throw Poco::InvalidArgumentException(key + " = " + raw + ": expected a whole number from " +
			std::to_string(min) + " to " + std::to_string(max));
	}
	return static_cast<T>(parsed);
}

} // namespace

EngineSettings EngineSettings::fromConfig(const Poco::Util::AbstractConfiguration& section)
{
	EngineSettings s;
	s.ioThreads = bounded(section, "io_threads", s.ioThreads, 0, 256);
	s.maxMessageBytes = bounded<std::size_t>(section, "max_message_bytes", s.maxMessageBytes, 1, 64 * 1024 * 1024);
	s.maxQueuedBytes = bounded<std::size_t>(section, "max_queued_bytes", s.maxQueuedBytes, 1024, std::size_t(1) << 32);
	s.sendBufferBytes = bounded<std::size_t>(section, "send_buffer_bytes", s.sendBufferBytes, 0, 64 * 1024 * 1024);
	s.maxConnections = bounded<std::size_t>(section, "max_connections", s.maxConnections, 1, 10000000);
	s.maxConnectionsPerIp = bounded<std::size_t>(section, "max_connections_per_ip", s.maxConnectionsPerIp, 1, 10000000);
	s.pingIntervalMs = bounded<std::int64_t>(section, "ping_interval_ms", s.pingIntervalMs, 100, 3600000);
	s.pongTimeoutMs = bounded<std::int64_t>(section, "pong_timeout_ms", s.pongTimeoutMs, 100, 3600000);
	s.frameTimeoutMs = bounded<std::int64_t>(section, "frame_timeout_ms", s.frameTimeoutMs, 100, 3600000);
	s.closeTimeoutMs = bounded<std::int64_t>(section, "close_timeout_ms", s.closeTimeoutMs, 10, 600000);
	s.drainTimeoutMs = bounded<std::int64_t>(section, "drain_timeout_ms", s.drainTimeoutMs, 0, 600000);
	return s;
}

int EngineSettings::resolvedIoThreads() const
{
	return ioThreads > 0 ? ioThreads : static_cast<int>(std::max(1u, Poco::Environment::processorCount()));
}

} // namespace webchat::engine
