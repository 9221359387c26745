#include "RunRecord.h"

#include "Poco/Exception.h"
#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/ParseHandler.h"
#include "Poco/JSON/Parser.h"

#include <stdexcept>

namespace webchat::bench {

bool RunRecord::passed() const
{
	if (!error.empty() || reports.empty()) return false;
	for (const Report& report: reports)
		if (!report.passed()) return false;
	return true;
}

std::optional<std::string> RunRecord::value(const std::string& key) const
{
	for (const Report& report: reports)
		if (std::optional<std::string> found = report.value(key)) return found;
	return std::nullopt;
}

namespace {

std::string numberOrNull(const std::optional<double>& value, int decimals)
{
	return value ? fixed(*value, decimals) : "null";
}

std::optional<double> optionalNumber(const Poco::JSON::Object& object, const std::string& name)
{
	const Poco::Dynamic::Var value = object.get(name);
	if (value.isEmpty()) return std::nullopt;
	if (!value.isNumeric()) throw std::invalid_argument("record's \"" + name + "\" is not a number");
	return value.convert<double>();
}

} // namespace

std::string RunRecord::json() const
{
	std::string out = "{\"tool\":\"webchat-bench\",\"name\":" + jsonString(name) + ",\"scenario\":" + jsonString(scenario) +
		",\"pass\":" + (passed() ? "true" : "false");
	if (!error.empty()) out += ",\"error\":" + jsonString(error) + ",\"exit_status\":" + std::to_string(exitStatus);
	out += ",\"machine\":{\"load_average_at_start\":" + numberOrNull(loadAverageAtStart, 2) +
		",\"cpu_contention_percent\":" + numberOrNull(cpuContentionPercent, 1) + "}";
	out += ",\"redis_commandstats\":{";
	bool first = true;
	for (const auto& [command, stat]: redisCommandStats)
	{
		out += (first ? "" : ",") + jsonString(command) + ":{\"calls\":" + std::to_string(stat.calls) +
			",\"usec_per_call\":" + shortest(stat.microsecondsPerCall) + "}";
		first = false;
	}
	out += "},\"reports\":[";
	for (std::size_t i = 0; i < reports.size(); ++i) out += (i ? "," : "") + reports[i].json();
	return out + "]}";
}

RunRecord RunRecord::fromJson(const std::string& text)
{
	Poco::JSON::Object::Ptr object;
	try
	{
		Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(true));
		object = parser.parse(text).extract<Poco::JSON::Object::Ptr>();
	}
	catch (const Poco::Exception& error)
	{
		throw std::invalid_argument("not a JSON object: " + error.displayText());
	}
	if (!object->has("tool") || object->get("tool").toString() != "webchat-bench")
		throw std::invalid_argument("not a webchat-bench record (no \"tool\":\"webchat-bench\")");
	RunRecord record;
	try
	{
		record.name = object->getValue<std::string>("name");
		record.scenario = object->getValue<std::string>("scenario");
		if (object->has("error"))
		{
			record.error = object->getValue<std::string>("error");
			record.exitStatus = object->getValue<int>("exit_status");
		}
		if (const Poco::JSON::Object::Ptr machine = object->getObject("machine"))
		{
			record.loadAverageAtStart = optionalNumber(*machine, "load_average_at_start");
			record.cpuContentionPercent = optionalNumber(*machine, "cpu_contention_percent");
		}
		if (const Poco::JSON::Object::Ptr stats = object->getObject("redis_commandstats"))
		{
			for (const std::string& command: stats->getNames())
			{
				const Poco::JSON::Object::Ptr stat = stats->getObject(command);
				if (!stat) throw std::invalid_argument("redis_commandstats: \"" + command + "\" is not an object");
				record.redisCommandStats[command] = {stat->getValue<std::uint64_t>("calls"), stat->getValue<double>("usec_per_call")};
			}
		}
		const Poco::JSON::Array::Ptr reports = object->getArray("reports");
		if (!reports) throw std::invalid_argument("record without \"reports\"");
		for (const Poco::Dynamic::Var& report: *reports)
		{
			const Poco::JSON::Object::Ptr reportObject = report.extract<Poco::JSON::Object::Ptr>();
			record.reports.push_back(Report::fromJson(*reportObject));
		}
		if (object->getValue<bool>("pass") != record.passed())
			throw std::invalid_argument("record \"" + record.name + "\": \"pass\" disagrees with its reports");
	}
	catch (const Poco::Exception& error)
	{
		throw std::invalid_argument("malformed webchat-bench record: " + error.displayText());
	}
	return record;
}

} // namespace webchat::bench
