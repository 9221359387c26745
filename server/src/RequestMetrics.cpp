#include "RequestMetrics.h"

#include "GatedSocket.h"

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerRequestImpl.h"
#include "Poco/Net/HTTPServerResponse.h"
#include "Poco/String.h"
#include "Poco/Timestamp.h"

#include <algorithm>
#include <chrono>
#include <memory>

namespace webchat {

namespace {

class InstrumentedHandler: public Poco::Net::HTTPRequestHandler
{
public:
	InstrumentedHandler(Poco::Net::HTTPRequestHandler* inner, RequestMetrics& metrics, AccessLog& accessLog):
		_inner(inner),
		_metrics(metrics),
		_accessLog(accessLog)
	{
	}

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override
	{
		const Poco::Timestamp start;
		// POCO counts keep-alive requests per session, and each request
		// behind the gate is a session of its own: the gate counts them and
		// says when this is the last one, so the response says it closes.
		auto* gated = dynamic_cast<GatedStreamSocketImpl*>(static_cast<Poco::Net::HTTPServerRequestImpl&>(request).socket().impl());
		if (gated && gated->lastRequest()) response.setKeepAlive(false);
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
	void finish(const Poco::Net::HTTPServerRequest& request, const Poco::Net::HTTPServerResponse& response, const Poco::Timestamp& start)
	{
		const Poco::Timestamp::TimeDiff elapsed = start.elapsed();
		_metrics.observe(elapsed);
		_accessLog.write(request, response, elapsed);
	}

	std::unique_ptr<Poco::Net::HTTPRequestHandler> _inner;
	RequestMetrics& _metrics;
	AccessLog& _accessLog;
};

std::int64_t monotonicMicroseconds()
{
	return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

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

AccessLogLimit::AccessLogLimit(std::uint32_t linesPerSecond):
	_linesPerSecond(linesPerSecond)
{
}

AccessLogLimit::Admission AccessLogLimit::admit(std::int64_t nowMicroseconds)
{
	constexpr std::uint64_t countMask = 0xffffffffu;
	const auto nowWindow = static_cast<std::uint32_t>(std::max<std::int64_t>(nowMicroseconds, 0) / 1000000);
	Admission admission;
	std::uint64_t seen = _window.load(std::memory_order_relaxed);
	for (;;)
	{
		const auto window = static_cast<std::uint32_t>(seen >> 32);
		const std::uint64_t count = seen & countMask;
		if (nowWindow <= window)
		{
			const std::uint64_t counted = std::min(count + 1, countMask);
			if (_window.compare_exchange_weak(seen, (seen & ~countMask) | counted, std::memory_order_relaxed))
			{
				admission.log = counted <= _linesPerSecond;
				return admission;
			}
		}
		else if (_window.compare_exchange_weak(seen, (static_cast<std::uint64_t>(nowWindow) << 32) | 1, std::memory_order_relaxed))
		{
			// Only this request saw the old window close: it reports it.
			admission.log = _linesPerSecond > 0;
			if (count > _linesPerSecond)
			{
				admission.unlogged = count - _linesPerSecond;
				admission.unloggedSpanMicroseconds = nowMicroseconds - static_cast<std::int64_t>(window) * 1000000;
			}
			return admission;
		}
	}
}

AccessLog::AccessLog(Poco::Logger& logger, std::uint32_t linesPerSecond):
	_logger(logger),
	_enabled(linesPerSecond > 0),
	_limit(linesPerSecond)
{
}

const std::vector<std::string_view> AccessLog::CredentialParameters{
	"token", "access_token", "id_token", "refresh_token", "jwt", "auth", "password", "passwd", "secret", "key", "api_key", "apikey"};

std::string AccessLog::loggedTarget(std::string_view target)
{
	const std::size_t queryStart = target.find('?');
	if (queryStart == std::string_view::npos) return std::string(target);
	std::string logged(target.substr(0, queryStart + 1));
	std::string_view query = target.substr(queryStart + 1);
	bool first = true;
	while (true)
	{
		const std::size_t end = query.find('&');
		const std::string_view pair = query.substr(0, end);
		if (!first) logged += '&';
		first = false;
		const std::size_t equals = pair.find('=');
		const std::string_view name = pair.substr(0, equals);
		const bool credential = equals != std::string_view::npos &&
			std::any_of(CredentialParameters.begin(), CredentialParameters.end(), [&](std::string_view secret) {
				return Poco::icompare(std::string(name), std::string(secret)) == 0;
			});
		if (credential)
			logged.append(name).append("=REDACTED");
		else
			logged.append(pair);
		if (end == std::string_view::npos) break;
		query.remove_prefix(end + 1);
	}
	return logged;
}

void AccessLog::write(const Poco::Net::HTTPServerRequest& request, const Poco::Net::HTTPServerResponse& response, std::int64_t elapsedMicroseconds)
{
	if (!_enabled || !_logger.information()) return;
	const AccessLogLimit::Admission admission = _limit.admit(monotonicMicroseconds());
	if (admission.unlogged > 0)
	{
		_logger.information("access log: %s requests not logged in the last %.1f s",
			std::to_string(admission.unlogged), static_cast<double>(admission.unloggedSpanMicroseconds) / 1e6);
	}
	if (!admission.log) return;
	// An upgraded WebSocket's 101 is written by the engine, not through
	// the response object, which then never counts as sent.
	const bool upgraded = !response.sent() && Poco::icompare(request.get("Upgrade", ""), "websocket") == 0;
	const int status = upgraded ? 101 : static_cast<int>(response.getStatus());
	const auto length = response.getContentLength64();
	_logger.information("%s %s %d %s %.3fms %s",
		request.getMethod(), loggedTarget(request.getURI()), status,
		length >= 0 ? std::to_string(length) : std::string("-"),
		static_cast<double>(elapsedMicroseconds) / 1000.0, request.clientAddress().toString());
}

InstrumentedHandlerFactory::InstrumentedHandlerFactory(Poco::Net::HTTPRequestHandlerFactory::Ptr inner, RequestMetrics& metrics, Poco::Logger& accessLog,
	std::uint32_t accessLogLinesPerSecond):
	_inner(std::move(inner)),
	_metrics(metrics),
	_accessLog(accessLog, accessLogLinesPerSecond)
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
