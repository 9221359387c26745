#include "ServerMetrics.h"

#include "Endpoint.h"
#include "Report.h"

#include "Poco/Exception.h"
#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/StreamCopier.h"
#include "Poco/Timespan.h"
#include "Poco/URI.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <istream>
#include <optional>
#include <sstream>
#include <stdexcept>

namespace webchat::bench {

namespace {

// The labels between { and } (the braces excluded), by name, or nothing
// when they do not parse. Label values may hold escaped \" \\ \n, and commas.
std::optional<std::map<std::string, std::string>> parseLabels(const std::string& labels)
{
	std::map<std::string, std::string> parsed;
	std::size_t i = 0;
	while (i < labels.size())
	{
		while (i < labels.size() && (labels[i] == ',' || labels[i] == ' ')) ++i;
		if (i >= labels.size()) break;
		const std::size_t equals = labels.find('=', i);
		if (equals == std::string::npos || equals + 1 >= labels.size() || labels[equals + 1] != '"') return std::nullopt;
		const std::string name = labels.substr(i, equals - i);
		std::string value;
		std::size_t j = equals + 2;
		bool closed = false;
		for (; j < labels.size(); ++j)
		{
			const char c = labels[j];
			if (c == '\\' && j + 1 < labels.size())
			{
				const char next = labels[++j];
				value += next == 'n' ? '\n' : next;
			}
			else if (c == '"')
			{
				closed = true;
				break;
			}
			else
				value += c;
		}
		if (!closed) return std::nullopt;
		parsed[name] = value;
		i = j + 1;
	}
	return parsed;
}

// Calls each(name, labels, value) for every labelled sample of the
// listener's that parses.
template<typename Each>
void forEachSample(const std::string& text, const std::string& listener, Each each)
{
	std::istringstream in(text);
	std::string line;
	while (std::getline(in, line))
	{
		if (!line.empty() && line.back() == '\r') line.pop_back();
		if (line.empty() || line[0] == '#') continue;
		std::size_t nameEnd = 0;
		while (nameEnd < line.size() && line[nameEnd] != '{' && line[nameEnd] != ' ') ++nameEnd;
		const std::string name = line.substr(0, nameEnd);
		if (name.empty() || nameEnd >= line.size() || line[nameEnd] != '{') continue; // unlabelled: no listener
		// The closing brace: the last '}' before the value (label values may hold '}').
		const std::size_t close = line.rfind('}');
		if (close == std::string::npos || close < nameEnd) continue;
		const auto labels = parseLabels(line.substr(nameEnd + 1, close - nameEnd - 1));
		if (!labels) continue;
		const auto found = labels->find("listener");
		if (found == labels->end() || found->second != listener) continue;
		std::size_t valueStart = close + 1;
		while (valueStart < line.size() && line[valueStart] == ' ') ++valueStart;
		std::size_t valueEnd = valueStart;
		while (valueEnd < line.size() && line[valueEnd] != ' ') ++valueEnd; // a timestamp may follow
		const std::string valueText = line.substr(valueStart, valueEnd - valueStart);
		if (valueText.empty()) continue;
		char* end = nullptr;
		errno = 0;
		const double value = std::strtod(valueText.c_str(), &end);
		if (*end != '\0' || errno == ERANGE || std::isnan(value)) continue;
		each(name, *labels, value);
	}
}

} // namespace

std::map<std::string, double> parsePrometheus(const std::string& text, const std::string& listener)
{
	std::map<std::string, double> metrics;
	forEachSample(text, listener, [&](const std::string& name, const std::map<std::string, std::string>&, double value) {
		metrics[name] += value;
	});
	return metrics;
}

std::map<std::string, double> parsePrometheusBy(const std::string& text, const std::string& listener, const std::string& metric,
	const std::string& label)
{
	std::map<std::string, double> values;
	forEachSample(text, listener, [&](const std::string& name, const std::map<std::string, std::string>& labels, double value) {
		if (name != metric) return;
		const auto found = labels.find(label);
		if (found != labels.end()) values[found->second] += value;
	});
	return values;
}

ServerCounters ServerCounters::from(const std::map<std::string, double>& metrics)
{
	ServerCounters counters;
	auto take = [&](const char* name, double& into) {
		const auto found = metrics.find(name);
		if (found == metrics.end()) return;
		into = found->second;
		counters.found = true;
	};
	take("webchat_messages_in_total", counters.messagesIn);
	take("webchat_bytes_in_total", counters.bytesIn);
	take("webchat_bytes_out_total", counters.bytesOut);
	take("webchat_connections_total", counters.connectionsAccepted);
	take("webchat_slow_consumers_closed_total", counters.slowConsumersClosed);
	take("webchat_protocol_errors_total", counters.protocolErrors);
	take("webchat_handshakes_refused_total", counters.handshakesRefused);
	return counters;
}

ServerCounters ServerCounters::minus(const ServerCounters& before) const
{
	ServerCounters delta;
	delta.messagesIn = messagesIn - before.messagesIn;
	delta.bytesIn = bytesIn - before.bytesIn;
	delta.bytesOut = bytesOut - before.bytesOut;
	delta.connectionsAccepted = connectionsAccepted - before.connectionsAccepted;
	delta.slowConsumersClosed = slowConsumersClosed - before.slowConsumersClosed;
	delta.protocolErrors = protocolErrors - before.protocolErrors;
	delta.handshakesRefused = handshakesRefused - before.handshakesRefused;
	delta.found = found && before.found;
	return delta;
}

ServerCounters ServerCounters::plus(const ServerCounters& other) const
{
	ServerCounters sum;
	sum.messagesIn = messagesIn + other.messagesIn;
	sum.bytesIn = bytesIn + other.bytesIn;
	sum.bytesOut = bytesOut + other.bytesOut;
	sum.connectionsAccepted = connectionsAccepted + other.connectionsAccepted;
	sum.slowConsumersClosed = slowConsumersClosed + other.slowConsumersClosed;
	sum.protocolErrors = protocolErrors + other.protocolErrors;
	sum.handshakesRefused = handshakesRefused + other.handshakesRefused;
	sum.found = found && other.found;
	return sum;
}

MetricsSource::MetricsSource(const std::string& url, std::string listener):
	_url(url),
	_listener(std::move(listener))
{
	Poco::URI uri;
	try
	{
		uri = Poco::URI(url);
	}
	catch (const Poco::Exception& error)
	{
		throw std::invalid_argument("--metrics-url: " + error.displayText());
	}
	if (uri.getScheme() != "http") throw std::invalid_argument("--metrics-url must be an http:// URL, not '" + url + "'");
	if (uri.getHost().empty()) throw std::invalid_argument("--metrics-url needs a host: '" + url + "'");
	if (_listener.empty()) throw std::invalid_argument("--metrics-listener must not be empty");
	_port = uri.getPort();
	_path = uri.getPathAndQuery();
	if (_path.empty()) _path = "/metrics";
	// Refuses anything that is not loopback (and checks the path); then
	// connects to that very address.
	_hostPort = resolveLoopback(uri.getHost(), _port, _path).hostHeader;
}

std::optional<std::string> MetricsSource::fetchText(std::string& error) const
{
	try
	{
		Poco::Net::HTTPClientSession session{Poco::Net::SocketAddress(_hostPort)};
		session.setTimeout(Poco::Timespan(2, 0));
		Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, _path, Poco::Net::HTTPMessage::HTTP_1_1);
		session.sendRequest(request);
		Poco::Net::HTTPResponse response;
		std::istream& body = session.receiveResponse(response);
		std::string text;
		Poco::StreamCopier::copyToString(body, text);
		if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK)
		{
			error = _url + " answered " + std::to_string(static_cast<int>(response.getStatus()));
			return std::nullopt;
		}
		return text;
	}
	catch (const Poco::Exception& failure)
	{
		error = _url + ": " + failure.displayText();
	}
	catch (const std::exception& failure)
	{
		error = _url + ": " + failure.what();
	}
	return std::nullopt;
}

std::optional<ServerCounters> MetricsSource::fetch(std::string& error) const
{
	const std::optional<std::string> text = fetchText(error);
	if (!text) return std::nullopt;
	const ServerCounters counters = ServerCounters::from(parsePrometheus(*text, _listener));
	if (!counters.found)
	{
		error = _url + " has no WebSocket series for listener=\"" + _listener + "\"";
		return std::nullopt;
	}
	return counters;
}

std::string agreement(double server, double bench)
{
	const std::string figures = "(server " + fixed(server, 0) + ", bench " + fixed(bench, 0) + ")";
	return (std::fabs(server - bench) < 0.5 ? "yes " : "NO ") + figures;
}

} // namespace webchat::bench
