#include "Report.h"

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>
#include <stdexcept>

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

void Report::parameter(const std::string& key, const std::string& value)
{
	_parameters.push_back({key, value, "", jsonString(value)});
}

void Report::parameter(const std::string& key, std::uint64_t value)
{
	_parameters.push_back({key, std::to_string(value), "", std::to_string(value)});
}

void Report::parameter(const std::string& key, double value, int decimals)
{
	_parameters.push_back({key, fixed(value, decimals), "", fixed(value, decimals)});
}

void Report::figure(const std::string& key, std::uint64_t value, const std::string& unit)
{
	_figures.push_back({key, std::to_string(value), unit, std::to_string(value)});
}

void Report::figure(const std::string& key, double value, int decimals, const std::string& unit)
{
	_figures.push_back({key, fixed(value, decimals), unit, fixed(value, decimals)});
}

void Report::figure(const std::string& key, const std::string& value)
{
	_figures.push_back({key, value, "", jsonString(value)});
}

void Report::figure(const std::string& key, bool value)
{
	_figures.push_back({key, value ? "yes" : "no", "", value ? "true" : "false"});
}

void Report::figure(const std::string& key, const std::optional<double>& value, int decimals, const std::string& unit)
{
	if (value)
		figure(key, *value, decimals, unit);
	else
		_figures.push_back({key, "n/a", "", "null"});
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
		out << "  " << std::left << std::setw(static_cast<int>(width)) << entry.key << "  " << entry.text() << "\n";
	out << "  " << std::string(width, '-') << "\n";
	for (const auto& entry: _figures)
		out << "  " << std::left << std::setw(static_cast<int>(width)) << entry.key << "  " << entry.text() << "\n";
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
	out += ",\"units\":{";
	bool first = true;
	for (const Entry& entry: _figures)
	{
		if (entry.unit.empty()) continue;
		out += (first ? "" : ",") + jsonString(entry.key) + ":" + jsonString(entry.unit);
		first = false;
	}
	out += "},\"headline\":[";
	for (std::size_t i = 0; i < _headline.size(); ++i) out += (i ? "," : "") + jsonString(_headline[i]);
	out += "]";
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

std::optional<std::string> Report::value(const std::string& key) const
{
	for (const std::vector<Entry>* entries: {&_figures, &_parameters})
	{
		const auto found = std::find_if(entries->begin(), entries->end(), [&key](const Entry& e) { return e.key == key; });
		if (found != entries->end()) return found->value;
	}
	return std::nullopt;
}

namespace {

// A member that must be there, of type T.
template<typename T>
T member(const Poco::JSON::Object& object, const std::string& name)
{
	if (!object.has(name)) throw std::invalid_argument("report without \"" + name + "\"");
	try
	{
		return object.getValue<T>(name);
	}
	catch (const Poco::Exception&)
	{
		throw std::invalid_argument("report's \"" + name + "\" is of the wrong type");
	}
}

Poco::JSON::Object::Ptr objectMember(const Poco::JSON::Object& object, const std::string& name)
{
	const Poco::JSON::Object::Ptr found = object.getObject(name);
	if (!found) throw std::invalid_argument("report without the object \"" + name + "\"");
	return found;
}

Poco::JSON::Array::Ptr arrayMember(const Poco::JSON::Object& object, const std::string& name)
{
	const Poco::JSON::Array::Ptr found = object.getArray(name);
	if (!found) throw std::invalid_argument("report without the array \"" + name + "\"");
	return found;
}

// A parsed JSON value as the text people read and as a JSON literal.
std::pair<std::string, std::string> valueAndLiteral(const Poco::Dynamic::Var& value)
{
	if (value.isEmpty()) return {"n/a", "null"};
	if (value.isBoolean())
	{
		const bool yes = value.extract<bool>();
		return {yes ? "yes" : "no", yes ? "true" : "false"};
	}
	if (value.isString())
	{
		const std::string text = value.extract<std::string>();
		return {text, jsonString(text)};
	}
	if (value.isInteger())
	{
		const std::string text = value.isSigned() ? std::to_string(value.convert<std::int64_t>())
			: std::to_string(value.convert<std::uint64_t>());
		return {text, text};
	}
	if (value.isNumeric())
	{
		const std::string text = shortest(value.convert<double>());
		return {text, text};
	}
	throw std::invalid_argument("report value that is neither a number, a string, a boolean nor null");
}

} // namespace

std::string shortest(double value)
{
	std::string text = fixed(value, 6);
	if (text.find('.') == std::string::npos) return text;
	while (text.back() == '0') text.pop_back();
	if (text.back() == '.') text.pop_back();
	return text == "-0" ? "0" : text;
}

Report Report::fromJson(const Poco::JSON::Object& object)
{
	Report report(member<std::string>(object, "scenario"));
	const Poco::JSON::Object::Ptr units = objectMember(object, "units");
	auto entries = [&](const std::string& name, std::vector<Entry>& into, bool withUnits) {
		const Poco::JSON::Object::Ptr entries = objectMember(object, name);
		// In the order written when parsed with ParseHandler(true), else
		// sorted by name.
		for (const std::string& key: entries->getNames())
		{
			const auto [value, literal] = valueAndLiteral(entries->get(key));
			const std::string unit = withUnits && units->has(key) ? units->getValue<std::string>(key) : "";
			into.push_back({key, value, unit, literal});
		}
	};
	entries("parameters", report._parameters, false);
	entries("figures", report._figures, true);
	for (const Poco::Dynamic::Var& key: *arrayMember(object, "headline")) report._headline.push_back(key.convert<std::string>());
	for (const Poco::Dynamic::Var& item: *arrayMember(object, "targets"))
	{
		const Poco::JSON::Object::Ptr target = item.extract<Poco::JSON::Object::Ptr>();
		const Poco::Dynamic::Var met = target->get("met");
		report._targets.push_back({member<std::string>(*target, "key"), member<std::string>(*target, "goal"),
			met.isEmpty() ? std::nullopt : std::optional<bool>(met.convert<bool>())});
	}
	for (const Poco::Dynamic::Var& failure: *arrayMember(object, "failures")) report._failures.push_back(failure.convert<std::string>());
	for (const Poco::Dynamic::Var& note: *arrayMember(object, "notes")) report._notes.push_back(note.convert<std::string>());
	if (member<bool>(object, "pass") != report.passed())
		throw std::invalid_argument("report \"" + report._scenario + "\": \"pass\" disagrees with its failures");
	return report;
}

std::string markdownCell(std::string text)
{
	for (char& c: text)
	{
		if (c == '|') c = '/';
		if (c == '\n') c = ' ';
	}
	return text;
}

std::string Report::markdownHeader()
{
	return "| scenario | result | figures | targets |\n| --- | --- | --- | --- |";
}

std::string Report::markdownRow() const
{
	const auto cell = markdownCell;
	std::string figures;
	for (const std::string& key: _headline)
	{
		const auto found = std::find_if(_figures.begin(), _figures.end(), [&key](const Entry& e) { return e.key == key; });
		if (found == _figures.end()) continue;
		figures += (figures.empty() ? "" : "<br>") + cell(found->key + ": " + found->text());
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
