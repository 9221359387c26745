//
// Report.h
//
// The outcome of one scenario: PASS/FAIL with reasons, its parameters and
// figures, and the performance targets met or missed. Printed as one block
// for people, as one Markdown table row, or as a JSON object; read back from
// that JSON (fromJson) by `webchat-bench report`, which tables many runs.
//

#ifndef WEBCHAT_BENCH_REPORT_INCLUDED
#define WEBCHAT_BENCH_REPORT_INCLUDED

#include <cstdint>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace Poco::JSON {
class Object;
}

namespace webchat::bench {

class Report
{
public:
	explicit Report(std::string scenario): _scenario(std::move(scenario)) {}

	void parameter(const std::string& key, const std::string& value);
	void parameter(const std::string& key, std::uint64_t value);
	void parameter(const std::string& key, double value, int decimals);

	void figure(const std::string& key, std::uint64_t value, const std::string& unit = "");
	void figure(const std::string& key, double value, int decimals, const std::string& unit = "");
	void figure(const std::string& key, const std::string& value);
	void figure(const std::string& key, bool value);
	/// "n/a" (JSON null) when the value is absent, e.g. RSS without --server-pid.
	void figure(const std::string& key, const std::optional<double>& value, int decimals, const std::string& unit = "");

	/// A performance goal: reported, never a reason to FAIL (those are
	/// correctness only). met is empty when it could not be measured.
	void target(const std::string& key, const std::string& goal, std::optional<bool> met);

	/// The figures (by key, in this order) that summarize the scenario in
	/// one Markdown table row.
	void headline(std::vector<std::string> keys) { _headline = std::move(keys); }

	void fail(const std::string& reason) { _failures.push_back(reason); }
	void note(const std::string& text) { _notes.push_back(text); }

	bool passed() const { return _failures.empty(); }
	const std::string& scenario() const { return _scenario; }

	/// A figure's value, or else a parameter's, as text without its unit
	/// ("12.5", "yes", "close frame 1008", "n/a" for null); nothing when
	/// the report has no such key.
	std::optional<std::string> value(const std::string& key) const;

	void printText(std::ostream& out) const;
	/// Also carries each figure's unit ("units") and the headline keys, so
	/// that fromJson() gives back the same Markdown row.
	std::string json() const;
	/// A report from json(). Numbers come back in their shortest form
	/// ("22.020" reads as 22.02). Throws std::invalid_argument when a
	/// member is missing or of the wrong type.
	static Report fromJson(const Poco::JSON::Object& object);
	/// | scenario | PASS/FAIL | headline figures | targets |
	std::string markdownRow() const;
	static std::string markdownHeader();

private:
	struct Entry
	{
		std::string key;
		std::string value; // for people, without the unit
		std::string unit;
		std::string json; // a JSON literal

		std::string text() const { return unit.empty() ? value : value + " " + unit; }
	};
	struct Target
	{
		std::string key;
		std::string goal;
		std::optional<bool> met;
	};

	std::string _scenario;
	std::vector<Entry> _parameters;
	std::vector<Entry> _figures;
	std::vector<Target> _targets;
	std::vector<std::string> _failures;
	std::vector<std::string> _notes;
	std::vector<std::string> _headline;
};

/// A JSON string literal.
std::string jsonString(const std::string& text);

/// text as one Markdown table cell: no '|' (made '/') and no newline (made ' ').
std::string markdownCell(std::string text);

/// Fixed-point text with the given decimals.
std::string fixed(double value, int decimals);

/// Fixed-point text without trailing zeros (at most six decimals): 22.02,
/// 81, 0.5.
std::string shortest(double value);

} // namespace webchat::bench

#endif
