//
// EngineMetrics.h
//
// Writes an engine's counters (EngineStats) through the host's MetricsWriter,
// for plugins that run an engine. Header-only: the engine library itself
// does not depend on the plugin interface.
//

#ifndef WEBCHAT_ENGINE_ENGINEMETRICS_INCLUDED
#define WEBCHAT_ENGINE_ENGINEMETRICS_INCLUDED

#include "webchat/HandlerPlugin.h"
#include "webchat/engine/Engine.h"

#include <string>

namespace webchat::engine {

inline void writeEngineMetrics(const EngineStats& stats, MetricsWriter& writer)
{
	const auto value = [](std::uint64_t n) { return static_cast<double>(n); };
	writer.gauge("webchat_connections_open", "WebSocket connections open.", {}, value(stats.connectionsOpen));
	writer.counter("webchat_connections_total", "WebSocket connections accepted.", {}, value(stats.connectionsAccepted));
	const char* refusedHelp = "WebSocket upgrade requests refused, by reason.";
	writer.counter("webchat_handshakes_refused_total", refusedHelp, {{"reason", "invalid"}}, value(stats.handshakesRefusedInvalid));
	writer.counter("webchat_handshakes_refused_total", refusedHelp, {{"reason", "origin"}}, value(stats.handshakesRefusedOrigin));
	writer.counter("webchat_handshakes_refused_total", refusedHelp, {{"reason", "capacity"}}, value(stats.connectionsRefused));
	writer.counter("webchat_handshakes_refused_total", refusedHelp, {{"reason", "rate"}}, value(stats.handshakesRefusedRate));
	writer.counter("webchat_messages_in_total", "WebSocket messages received.", {}, value(stats.messagesIn));
	writer.counter("webchat_bytes_in_total", "Bytes read from WebSocket connections.", {}, value(stats.bytesIn));
	writer.counter("webchat_bytes_out_total", "Bytes written to WebSocket connections.", {}, value(stats.bytesOut));
	writer.counter("webchat_slow_consumers_closed_total", "Connections closed for falling behind (max_queued_bytes).", {}, value(stats.slowConsumersClosed));
	for (int i = 0; i < 4; ++i)
	{
		writer.counter("webchat_protocol_errors_total", "Connections closed for breaking the protocol, by close code.",
			{{"code", std::to_string(EngineStats::protocolErrorCodes[i])}}, value(stats.protocolErrorsByCode[i]));
	}
}

} // namespace webchat::engine

#endif
