#include "Report.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

namespace webchat::bench {

std::string jsonString(const std::string& text)
{
	std::string out = "\"";
	for (const char c: text)
	{
		switch (c)
		{
		case '"': out += "\\\""; break;
		case '\\': out += "\\\\"; break;
		case '\n': out += "\\n"; break;
		case '\r': out += "\\r"; break;
		case '\t': out += "\\t"; break;
		default:
			if (static_cast<unsigned char>(c) < 0x20)
			{
				char escaped[8];
				std::snprintf(escaped, sizeof escaped, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
				out += escaped;
			}
			else
				out += c;
		}
	}
	return out + "\"";
}

std::string fixed(double value, int decimals)
{
	if (!std::isfinite(value)) return "0";
	std::ostringstream out;
	out << std::fixed << std::setprecision(decimals) << value;
	return out.str();
}

namespace {

std::string withUnit(const std::string& value, const std::string& unit)
{
	return unit.empty() ? value : value + " " + unit;
}

} // namespace

void Report::parameter(const std::string& key, const std::string& value)
{
	_parameters.push_back({key, value, jsonString(value)});
}

void Report::parameter(const std::string& key, std::uint64_t value)
{
	_parameters.push_back({key, std::to_string(value), std::to_string(value)});
}

void Report::parameter(const std::string& key, double value, int decimals)
{
	_parameters.push_back({key, fixed(value, decimals), fixed(value, decimals)});
}

void Report::figure(const std::string& key, std::uint64_t value, const std::string& unit)
{
	_figures.push_back({key, withUnit(std::to_string(value), unit), std::to_string(value)});
}

void Report::figure(const std::string& key, double value, int decimals, const std::string& unit)
{
	_figures.push_back({key, withUnit(fixed(value, decimals), unit), fixed(value, decimals)});
}

void Report::figure(const std::string& key, const std::string& value)
{
	_figures.push_back({key, value, jsonString(value)});
}

void Report::figure(const std::string& key, bool value)
{
	_figures.push_back({key, value ? "yes" : "no", value ? "true" : "false"});
}

void Report::figure(const std::string& key, const std::optional<double>& value, int decimals, const std::string& unit)
{
	if (value)
		figure(key, *value, decimals, unit);
	else
		_figures.push_back({key, "n/a", "null"});
}

void Report::target(const std::string& key, const std::string& goal, std::optional<bool> met)
{
	_targets.push_back({key, goal, met});
}

void Report::printText(std::ostream& out) const
{
	out << "== " << _scenario << ": " << (passed() ? "PASS" : "FAIL") << " ==\n";
	std::size_t width = 0;
	for (const auto& entry: _parameters) width = std::max(width, entry.key.size());
	for (const auto& entry: _figures) width = std::max(width, entry.key.size());
	for (const auto& entry: _parameters)
		out << "  " << std::left << std::setw(static_cast<int>(width)) << entry.key << "  " << entry.text << "\n";
	out << "  " << std::string(width, '-') << "\n";
	for (const auto& entry: _figures)
		out << "  " << std::left << std::setw(static_cast<int>(width)) << entry.key << "  " << entry.text << "\n";
	for (const auto& target: _targets)
	{
		const char* verdict = !target.met ? "not measured" : *target.met ? "met" : "MISSED";
		out << "  target " << target.key << " " << target.goal << ": " << verdict << "\n";
	}
	for (const auto& failure: _failures) out << "  FAIL: " << failure << "\n";
	for (const auto& note: _notes) out << "  note: " << note << "\n";
	out << std::right;
}

std::string Report::json() const
{
	std::string out = "{\"scenario\":" + jsonString(_scenario) + ",\"pass\":" + (passed() ? "true" : "false");
	auto object = [&out](const char* name, const std::vector<Entry>& entries) {
		out += ",\"" + std::string(name) + "\":{";
		for (std::size_t i = 0; i < entries.size(); ++i)
			out += (i ? "," : "") + jsonString(entries[i].key) + ":" + entries[i].json;
		out += "}";
	};
	object("parameters", _parameters);
	object("figures", _figures);
	out += ",\"targets\":[";
	for (std::size_t i = 0; i < _targets.size(); ++i)
	{
		const Target& target = _targets[i];
		out += std::string(i ? "," : "") + "{\"key\":" + jsonString(target.key) + ",\"goal\":" + jsonString(target.goal) +
			",\"met\":" + (!target.met ? "null" : *target.met ? "true" : "false") + "}";
	}
	out += "],\"failures\":[";
	for (std::size_t i = 0; i < _failures.size(); ++i) out += (i ? "," : "") + jsonString(_failures[i]);
	out += "],\"notes\":[";
	for (std::size_t i = 0; i < _notes.size(); ++i) out += (i ? "," : "") + jsonString(_notes[i]);
	out += "]}";
	return out;
}

std::string Report::markdownHeader()
{
	return "| scenario | result | figures | targets |\n| --- | --- | --- | --- |";
}

std::string Report::markdownRow() const
{
	// A table cell holds no '|' and no newline.
	auto cell = [](std::string text) {
		for (char& c: text)
		{
			if (c == '|') c = '/';
			if (c == '\n') c = ' ';
		}
		return text;
	};
	std::string figures;
	for (const std::string& key: _headline)
	{
		const auto found = std::find_if(_figures.begin(), _figures.end(), [&key](const Entry& e) { return e.key == key; });
		if (found == _figures.end()) continue;
		figures += (figures.empty() ? "" : "<br>") + cell(found->key + ": " + found->text);
	}
	for (const auto& failure: _failures) figures += (figures.empty() ? "" : "<br>") + cell("FAIL: " + failure);
	std::string targets;
	for (const auto& target: _targets)
	{
		const char* verdict = !target.met ? "not measured" : *target.met ? "met" : "**missed**";
		targets += (targets.empty() ? "" : "<br>") + cell(target.key + " " + target.goal + ": " + verdict);
	}
	return "| " + cell(_scenario) + " | " + (passed() ? "PASS" : "**FAIL**") + " | " + figures + " | " + targets + " |";
}

} // namespace webchat::bench
