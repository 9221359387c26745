//
// RequestMetrics.h
//
// What the host measures of each listener itself, around its plugin's
// factory: requests and their durations (for a WebSocket upgrade, the
// handshake; what happens on the connection afterwards is the plugin's), and
// one access log line per HTTP request. Never per WebSocket message.
//

#ifndef WEBCHAT_REQUESTMETRICS_INCLUDED
#define WEBCHAT_REQUESTMETRICS_INCLUDED

#include "webchat/HandlerPlugin.h"

#include "Poco/Logger.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

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

/// Decorates a plugin's factory: each handler it creates is timed, counted
/// and logged to "webchat.<listener>.access" (information level).
class InstrumentedHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	InstrumentedHandlerFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr inner, RequestMetrics& metrics, Poco::Logger& accessLog);

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	Poco::Net::HTTPRequestHandlerFactory::Ptr _inner;
	RequestMetrics& _metrics;
	Poco::Logger& _accessLog;
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
