#include "KeyCheck.h"

#include "Poco/Exception.h"

#include <algorithm>

namespace webchat::KeyCheck {

std::vector<std::string> keysBelow(const Poco::Util::AbstractConfiguration& config, const std::string& prefix)
{
	std::vector<std::string> found;
	std::vector<std::string> pending{""};
	while (!pending.empty())
	{
		const std::string relative = pending.back();
		pending.pop_back();
		Poco::Util::AbstractConfiguration::Keys children;
		config.keys(relative.empty() ? prefix : prefix + "." + relative, children);
		for (const auto& child : children)
		{
			const std::string key = relative.empty() ? child : relative + "." + child;
			if (config.has(prefix + "." + key)) found.push_back(key);
			pending.push_back(key);
		}
	}
	std::sort(found.begin(), found.end());
	return found;
}

void refuseUnknown(const Poco::Util::AbstractConfiguration& config, const std::string& prefix,
	const std::vector<const ConfigTable*>& tables)
{
	std::vector<std::string> declared;
	for (const ConfigTable* table : tables)
	{
		for (const auto& key : table->keys()) declared.push_back(key.name);
	}
	for (const auto& key : keysBelow(config, prefix))
	{
		if (std::find(declared.begin(), declared.end(), key) != declared.end()) continue;
		const std::string suggestion = closestKeyName(key, declared);
		throw Poco::InvalidArgumentException("unknown key " + prefix + "." + key +
			(suggestion.empty() ? std::string() : " (did you mean " + suggestion + "?)"));
	}
}

} // namespace webchat::KeyCheck
