#include "RequestMetrics.h"

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/String.h"
#include "Poco/Timestamp.h"

#include <memory>

namespace webchat {

namespace {

class InstrumentedHandler: public Poco::Net::HTTPRequestHandler
{
public:
	InstrumentedHandler(Poco::Net::HTTPRequestHandler* inner, RequestMetrics& metrics, Poco::Logger& accessLog):
		_inner(inner),
		_metrics(metrics),
		_accessLog(accessLog)
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		const Poco::Timestamp start;
		try
		{
			_inner->handleRequest(request, response);
		}
		catch (...)
		{
			finish(request, response, start);
			throw;
		}
		finish(request, response, start);
	}

private:
	void finish(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response, const Poco::Timestamp& start)
	{
		const Poco::Timestamp::TimeDiff elapsed = start.elapsed();
		_metrics.observe(elapsed);
		if (!_accessLog.information()) return;
		// An upgraded WebSocket's 101 is written by the engine, not through
		// the response object, which then never counts as sent.
		const bool upgraded = !response.sent() && Poco::icompare(request.get("Upgrade", ""), "websocket") == 0;
		const int status = upgraded ? 101 : static_cast<int>(response.getStatus());
		const auto length = response.getContentLength64();
		_accessLog.information("%s %s %d %s %.3fms %s",
			request.getMethod(), request.getURI(), status,
			length >= 0 ? std::to_string(length) : std::string("-"),
			static_cast<double>(elapsed) / 1000.0, request.clientAddress().toString());
	}

	std::unique_ptr<Poco::Net::HTTPRequestHandler> _inner;
	RequestMetrics& _metrics;
	Poco::Logger& _accessLog;
};

} // namespace

constexpr std::array<double, 12> RequestMetrics::bucketBounds;

void RequestMetrics::observe(std::int64_t microseconds)
{
	if (microseconds < 0) microseconds = 0;
	const double seconds = static_cast<double>(microseconds) / 1e6;
	for (std::size_t i = 0; i < bucketBounds.size(); ++i)
	{
		if (seconds <= bucketBounds[i])
		{
			_buckets[i].fetch_add(1, std::memory_order_relaxed);
			break;
		}
	}
	_sumMicroseconds.fetch_add(static_cast<std::uint64_t>(microseconds), std::memory_order_relaxed);
	_count.fetch_add(1, std::memory_order_relaxed);
}

void RequestMetrics::write(MetricsWriter& writer) const
{
	// Read without a lock: a request finishing meanwhile may show in count
	// and not yet in a bucket; the next scrape has it.
	const std::uint64_t count = _count.load(std::memory_order_relaxed);
	std::vector<double> bounds(bucketBounds.begin(), bucketBounds.end());
	std::vector<std::uint64_t> cumulative;
	std::uint64_t running = 0;
	for (const auto& bucket : _buckets)
	{
		running += bucket.load(std::memory_order_relaxed);
		cumulative.push_back(running);
	}
	writer.counter("webchat_http_requests_total", "HTTP requests handled (WebSocket upgrades included).", {}, static_cast<double>(count));
	writer.histogram("webchat_http_request_duration_seconds", "Time to handle an HTTP request (for a WebSocket, its handshake).", {},
		bounds, cumulative, static_cast<double>(_sumMicroseconds.load(std::memory_order_relaxed)) / 1e6, count);
}

InstrumentedHandlerFactory::InstrumentedHandlerFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr inner, RequestMetrics& metrics, Poco::Logger& accessLog):
	_inner(std::move(inner)),
	_metrics(metrics),
	_accessLog(accessLog)
{
}

Poco::Net::HTTPRequestHandler* InstrumentedHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest& request)
{
	Poco::Net::HTTPRequestHandler* handler = _inner->createRequestHandler(request);
	if (!handler) return nullptr;
	return new InstrumentedHandler(handler, _metrics, _accessLog);
}

ListenerLabelWriter::ListenerLabelWriter(MetricsWriter& inner, std::string listener):
	_inner(inner),
	_listener(std::move(listener))
{
}

MetricsWriter::Labels ListenerLabelWriter::withListener(const Labels& labels) const
{
	Labels all;
	all.reserve(labels.size() + 1);
	all.emplace_back("listener", _listener);
	all.insert(all.end(), labels.begin(), labels.end());
	return all;
}

void ListenerLabelWriter::counter(const std::string& name, const std::string& help, const Labels& labels, double value)
{
	_inner.counter(name, help, withListener(labels), value);
}

void ListenerLabelWriter::gauge(const std::string& name, const std::string& help, const Labels& labels, double value)
{
	_inner.gauge(name, help, withListener(labels), value);
}

void ListenerLabelWriter::histogram(const std::string& name, const std::string& help, const Labels& labels,
	const std::vector<double>& bucketBounds, const std::vector<std::uint64_t>& bucketCounts, double sum, std::uint64_t count)
{
	_inner.histogram(name, help, withListener(labels), bucketBounds, bucketCounts, sum, count);
}

} // namespace webchat
