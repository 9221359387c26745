//
// KeyCheck.h
//
// Refuses configuration keys that no component declared, as nginx refuses an
// unknown directive: a misspelled key would otherwise be ignored and its
// default silently apply.
//

#ifndef WEBCHAT_KEYCHECK_INCLUDED
#define WEBCHAT_KEYCHECK_INCLUDED

#include "webchat/ConfigKeys.h"

#include "Poco/Util/AbstractConfiguration.h"

#include <string>
#include <vector>

namespace webchat::KeyCheck {

/// Every key below prefix (e.g. "listeners.chat"), at any depth, relative to
/// it ("histroy_size", "foo.bar"), sorted.
std::vector<std::string> keysBelow(const Poco::Util::AbstractConfiguration& config, const std::string& prefix);

/// Throws Poco::InvalidArgumentException for the first key below prefix that
/// none of the tables declares:
///   unknown key listeners.chat.histroy_size (did you mean history_size?)
void refuseUnknown(const Poco::Util::AbstractConfiguration& config, const std::string& prefix,
	const std::vector<const ConfigTable*>& tables);

} // namespace webchat::KeyCheck

#endif
