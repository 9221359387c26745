//
// RequestMetrics.h
//
// What the host measures of each listener itself, around its plugin's
// factory: requests and their durations (for a WebSocket upgrade, the
// handshake; what happens on the connection afterwards is the plugin's), and
// one access log line per HTTP request, at most access_log_lines_per_second
// lines a second. Never per WebSocket message.
//

#ifndef WEBCHAT_REQUESTMETRICS_INCLUDED
#define WEBCHAT_REQUESTMETRICS_INCLUDED

#include "webchat/HandlerPlugin.h"

#include "Poco/Logger.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace webchat {

/// Lock-free: HTTP worker threads add, a status listener's thread reads.
class RequestMetrics
{
public:
	/// Upper bounds of the latency buckets, in seconds.
	static constexpr std::array<double, 12> bucketBounds{
		0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0};

	void observe(std::int64_t microseconds);

	/// Writes the totals and the latency histogram (without a listener label:
	/// the caller's writer adds it).
	void write(MetricsWriter& writer) const;

private:
	std::atomic<std::uint64_t> _count{0};
	std::atomic<std::uint64_t> _sumMicroseconds{0};
	std::array<std::atomic<std::uint64_t>, bucketBounds.size()> _buckets{}; // not cumulative
};

/// At most a number of access-log lines a second: a window per second of
/// the monotonic clock, its number and the requests seen in it held in one
/// atomic word, so HTTP worker threads never wait for each other (one
/// compare-and-swap per request). The first request of a later window
/// learns how many requests of the window before went unlogged, exactly
/// once, so their summary needs no timer thread.
class AccessLogLimit
{
public:
	explicit AccessLogLimit(std::uint32_t linesPerSecond);

	struct Admission
	{
		/// Write this request's line.
		bool log = false;
		/// Requests of an earlier window that were not logged: summarise
		/// them (before this request's line).
		std::uint64_t unlogged = 0;
		/// From the start of that window to now.
		std::int64_t unloggedSpanMicroseconds = 0;
	};

	/// One request at `nowMicroseconds` on a monotonic clock (any thread;
	/// a time from a window already left counts in the current one).
	Admission admit(std::int64_t nowMicroseconds);

private:
	const std::uint32_t _linesPerSecond;
	// High 32 bits: the window (whole seconds of the clock); low 32 bits:
	// the requests seen in it, saturating.
	std::atomic<std::uint64_t> _window{0};
};

/// A listener's access log, "webchat.<listener>.access" at information
/// level: one line per request (method, URI, status, bytes, duration,
/// peer) up to linesPerSecond a second, then one line a second counting
/// the rest ("access log: 1234 requests not logged in the last 1.0 s").
/// 0 lines a second: nothing at all.
class AccessLog
{
public:
	AccessLog(Poco::Logger& logger, std::uint32_t linesPerSecond);

	/// The request target as logged: the value of every query parameter
	/// that carries a credential (CredentialParameters, by name, any case)
	/// replaced by "REDACTED". A WebSocket client cannot send headers from
	/// a browser, so tokens travel in the URL (a chat's ?token=); logs are
	/// read by more people than may act as its holders.
	static std::string loggedTarget(std::string_view target);

	/// Query parameter names whose values are never logged.
	static const std::vector<std::string_view> CredentialParameters;

	/// Any HTTP worker thread, once the response is done.
	void write(const Poco::Net::HTTPServerRequest& request, const Poco::Net::HTTPServerResponse& response, std::int64_t elapsedMicroseconds);

private:
	Poco::Logger& _logger;
	const bool _enabled;
	AccessLogLimit _limit;
};

/// Decorates a plugin's factory: each handler it creates is timed, counted
/// and written to the access log.
class InstrumentedHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	InstrumentedHandlerFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr inner, RequestMetrics& metrics, Poco::Logger& accessLog,
		std::uint32_t accessLogLinesPerSecond);

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	Poco::Net::HTTPRequestHandlerFactory::Ptr _inner;
	RequestMetrics& _metrics;
	// Handlers write to it; the server holds this factory while they run.
	AccessLog _accessLog;
};

/// Adds listener="<name>" in front of every series written through it.
class ListenerLabelWriter: public MetricsWriter
{
public:
	ListenerLabelWriter(MetricsWriter& inner, std::string listener);

	void counter(const std::string& name, const std::string& help, const Labels& labels, double value) override;
	void gauge(const std::string& name, const std::string& help, const Labels& labels, double value) override;
	void histogram(const std::string& name, const std::string& help, const Labels& labels,
		const std::vector<double>& bucketBounds, const std::vector<std::uint64_t>& bucketCounts,
		double sum, std::uint64_t count) override;

private:
	Labels withListener(const Labels& labels) const;

	MetricsWriter& _inner;
	const std::string _listener;
};

} // namespace webchat

#endif
