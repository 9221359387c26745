#include "ConfigValues.h"

#include "Poco/Exception.h"
#include "Poco/NumberParser.h"

#include <cmath>

namespace webchat::chatroom::ConfigValues {

std::uint64_t whole(const Poco::Util::AbstractConfiguration& section, const std::string& key, std::uint64_t value, std::uint64_t min, std::uint64_t max)
{
	const std::string raw = section.getString(key, "");
	if (raw.empty()) return value;
	Poco::UInt64 parsed = 0;
	if (!Poco::NumberParser::tryParseUnsigned64(raw, parsed) || parsed < min || parsed > max)
	{
		throw Poco::InvalidArgumentException(key + " = " + raw + ": expected a whole number from " +
			std::to_string(min) + " to " + std::to_string(max));
	}
	return parsed;
}

double decimal(const Poco::Util::AbstractConfiguration& section, const std::string& key, double value, double min, double max, const char* range)
{
	const std::string raw = section.getString(key, "");
	if (raw.empty()) return value;
	double parsed = 0;
	if (!Poco::NumberParser::tryParseFloat(raw, parsed) || !std::isfinite(parsed) || parsed < min || parsed > max)
		throw Poco::InvalidArgumentException(key + " = " + raw + ": expected a number from " + range);
	return parsed;
}

} // namespace webchat::chatroom::ConfigValues
