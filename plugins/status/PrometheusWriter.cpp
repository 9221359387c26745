#include "PrometheusWriter.h"

#include "Poco/Exception.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace webchat::status {

namespace {

// The text format's escapes: backslash and newline everywhere, the double
// quote in label values only.
std::string escaped(const std::string& text, bool quotes)
{
	std::string out;
	out.reserve(text.size());
	for (const char c : text)
	{
		if (c == '\\') out += "\\\\";
		else if (c == '"' && quotes) out += "\\\"";
		else if (c == '\n') out += "\\n";
		else out += c;
	}
	return out;
}

} // namespace

std::string PrometheusWriter::escapeLabelValue(const std::string& value)
{
	return escaped(value, true);
}

std::string PrometheusWriter::escapeHelp(const std::string& help)
{
	return escaped(help, false);
}

std::string PrometheusWriter::formatValue(double value)
{
	if (std::isnan(value)) return "NaN";
	if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
	// Counters are integers; below 2^53 a double holds them exactly.
	if (value == std::floor(value) && std::fabs(value) < 9007199254740992.0)
		return std::to_string(static_cast<long long>(value));
	// The shortest form that reads back as the same double: le="0.005",
	// not le="0.0050000000000000001".
	char buffer[32];
	for (int precision = 1; precision <= 17; ++precision)
	{
		std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
		if (std::strtod(buffer, nullptr) == value) break;
	}
	return buffer;
}

PrometheusWriter::Family& PrometheusWriter::family(const std::string& name, const std::string& type, const std::string& help)
{
	auto it = _families.find(name);
	if (it == _families.end())
	{
		_order.push_back(name);
		it = _families.emplace(name, Family{type, help, {}}).first;
	}
	else if (it->second.type != type)
	{
		// Two types under one name would make the whole scrape invalid.
		throw Poco::InvalidArgumentException("metric " + name + " written as " + it->second.type + " and as " + type);
	}
	return it->second;
}

std::string PrometheusWriter::sample(const std::string& name, const Labels& labels, const std::string& value)
{
	std::string line = name;
	if (!labels.empty())
	{
		line += '{';
		bool first = true;
		for (const auto& label : labels)
		{
			if (!first) line += ',';
			first = false;
			line += label.first + "=\"" + escapeLabelValue(label.second) + '"';
		}
		line += '}';
	}
	line += ' ';
	line += value;
	return line;
}

void PrometheusWriter::counter(const std::string& name, const std::string& help, const Labels& labels, double value)
{
	family(name, "counter", help).samples.push_back(sample(name, labels, formatValue(value)));
}

void PrometheusWriter::gauge(const std::string& name, const std::string& help, const Labels& labels, double value)
{
	family(name, "gauge", help).samples.push_back(sample(name, labels, formatValue(value)));
}

void PrometheusWriter::histogram(const std::string& name, const std::string& help, const Labels& labels,
	const std::vector<double>& bucketBounds, const std::vector<std::uint64_t>& bucketCounts, double sum, std::uint64_t count)
{
	if (bucketBounds.size() != bucketCounts.size())
		throw Poco::InvalidArgumentException("histogram " + name + ": as many bucket counts as bounds expected");
	Family& f = family(name, "histogram", help);
	for (std::size_t i = 0; i <= bucketBounds.size(); ++i)
	{
		Labels withLe = labels;
		const bool inf = i == bucketBounds.size();
		withLe.emplace_back("le", inf ? "+Inf" : formatValue(bucketBounds[i]));
		const double n = static_cast<double>(inf ? count : bucketCounts[i]);
		f.samples.push_back(sample(name + "_bucket", withLe, formatValue(n)));
	}
	f.samples.push_back(sample(name + "_sum", labels, formatValue(sum)));
	f.samples.push_back(sample(name + "_count", labels, formatValue(static_cast<double>(count))));
}

std::string PrometheusWriter::text() const
{
	std::string out;
	for (const auto& name : _order)
	{
		const Family& f = _families.at(name);
		out += "# HELP " + name + ' ' + escapeHelp(f.help) + '\n';
		out += "# TYPE " + name + ' ' + f.type + '\n';
		for (const auto& line : f.samples)
		{
			out += line;
			out += '\n';
		}
	}
	return out;
}

} // namespace webchat::status
