//
// ConfigValues.h
//
// Reading a number from a listener's section, refusing a bad one with a
// message that names the key (the host exits 78 with it).
//

#ifndef WEBCHAT_CHATROOM_CONFIGVALUES_INCLUDED
#define WEBCHAT_CHATROOM_CONFIGVALUES_INCLUDED

#include "Poco/Util/AbstractConfiguration.h"

#include <cstdint>
#include <string>

namespace webchat::chatroom::ConfigValues {

/// key as a whole number from min to max; value when absent or empty.
/// Throws Poco::InvalidArgumentException naming the key otherwise.
std::uint64_t whole(const Poco::Util::AbstractConfiguration& section, const std::string& key, std::uint64_t value, std::uint64_t min, std::uint64_t max);

/// key as a number (fractions allowed) from min to max; range says so in words.
double decimal(const Poco::Util::AbstractConfiguration& section, const std::string& key, double value, double min, double max, const char* range);

} // namespace webchat::chatroom::ConfigValues

#endif
