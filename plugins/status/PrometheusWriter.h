//
// PrometheusWriter.h
//
// A MetricsWriter that renders the Prometheus text exposition format
// (version 0.0.4). Series arrive in any order (every listener writes its own
// webchat_connections_open, say); they are grouped by family so that each
// family's HELP and TYPE lines come once, followed by all its series, in the
// order the families were first written.
//

#ifndef WEBCHAT_STATUS_PROMETHEUSWRITER_INCLUDED
#define WEBCHAT_STATUS_PROMETHEUSWRITER_INCLUDED

#include "webchat/HandlerPlugin.h"

#include <map>
#include <string>
#include <vector>

namespace webchat::status {

class PrometheusWriter: public MetricsWriter
{
public:
	static constexpr const char* contentType = "text/plain; version=0.0.4; charset=utf-8";

	void counter(const std::string& name, const std::string& help, const Labels& labels, double value) override;
	void gauge(const std::string& name, const std::string& help, const Labels& labels, double value) override;
	void histogram(const std::string& name, const std::string& help, const Labels& labels,
		const std::vector<double>& bucketBounds, const std::vector<std::uint64_t>& bucketCounts,
		double sum, std::uint64_t count) override;

	/// Everything written so far, in the exposition format.
	std::string text() const;

	/// A label value with \, " and newline escaped.
	static std::string escapeLabelValue(const std::string& value);
	/// A HELP text with \ and newline escaped.
	static std::string escapeHelp(const std::string& help);
	/// A sample value: integers without a fraction, +Inf, -Inf, NaN.
	static std::string formatValue(double value);

private:
	struct Family
	{
		std::string type;
		std::string help;
		std::vector<std::string> samples; // rendered lines
	};

	Family& family(const std::string& name, const std::string& type, const std::string& help);
	static std::string sample(const std::string& name, const Labels& labels, const std::string& value);

	std::vector<std::string> _order;
	std::map<std::string, Family> _families;
};

} // namespace webchat::status

#endif
