//
// ServerMetrics.h
//
// The server's own counters beside the benchmark's figures (--metrics-url):
// the status plugin's Prometheus text (/metrics) is fetched before and after
// each scenario, the chat listener's series (listener="<name>") summed per
// metric name (over other labels, e.g. every close code of
// webchat_protocol_errors_total), and the deltas compared with what the
// benchmark itself sent, opened and saw. Report-only: a disagreement is never
// a reason to FAIL, and neither is a fetch that fails (a warning instead).
//

#ifndef WEBCHAT_BENCH_SERVERMETRICS_INCLUDED
#define WEBCHAT_BENCH_SERVERMETRICS_INCLUDED

#include <cstdint>
#include <map>
#include <optional>
#include <string>

namespace webchat::bench {

/// Metric name -> value summed over the series of one listener (those with
/// the label listener="<listener>"). Comments, blank lines, other listeners'
/// series and lines that do not parse are skipped; histogram buckets are
/// summed like anything else (not used here).
std::map<std::string, double> parsePrometheus(const std::string& text, const std::string& listener);

/// Value by the label's value, of one metric of one listener:
/// webchat_http_connections_refused_total by "reason" gives
/// {"header_timeout": 12, "max_pending_per_ip": 680}. Parsed as above.
std::map<std::string, double> parsePrometheusBy(const std::string& text, const std::string& listener, const std::string& metric,
	const std::string& label);

/// The counters the benchmark compares, from parsePrometheus().
struct ServerCounters
{
	double messagesIn = 0;
	double bytesIn = 0;
	double bytesOut = 0;
	double connectionsAccepted = 0;
	double slowConsumersClosed = 0;
	double protocolErrors = 0;
	double handshakesRefused = 0;
	/// False when the listener wrote none of the WebSocket series (wrong
	/// --metrics-listener, or a plugin without them).
	bool found = false;

	static ServerCounters from(const std::map<std::string, double>& metrics);
	/// this - before, per counter.
	ServerCounters minus(const ServerCounters& before) const;
	/// this + other, per counter (several instances' counters as one;
	/// found when both were).
	ServerCounters plus(const ServerCounters& other) const;
};

/// http://HOST:PORT/PATH, loopback only (like every target of this tool).
class MetricsSource
{
public:
	/// Throws std::invalid_argument for anything but an http URL on a
	/// loopback address.
	MetricsSource(const std::string& url, std::string listener);

	/// The listener's counters now, or nothing with error set (connection,
	/// status other than 200, timeout of a second or two, no such listener).
	std::optional<ServerCounters> fetch(std::string& error) const;
	/// The whole Prometheus text now, or nothing with error set.
	std::optional<std::string> fetchText(std::string& error) const;

	const std::string& url() const { return _url; }
	const std::string& listener() const { return _listener; }

private:
	std::string _url;
	std::string _hostPort; // "127.0.0.1:9100", "[::1]:9100"
	std::uint16_t _port = 0;
	std::string _path;
	std::string _listener;
};

/// "yes (server 100, bench 100)" or "NO (server 99, bench 100)".
std::string agreement(double server, double bench);

} // namespace webchat::bench

#endif
