//
// AdminSettings.h
//
// The admin plugin's keys in its listener section, read and checked: which
// chat listeners it governs, where its API token is, how large a request
// body may be.
//

#ifndef WEBCHAT_ADMIN_ADMINSETTINGS_INCLUDED
#define WEBCHAT_ADMIN_ADMINSETTINGS_INCLUDED

#include "webchat/ConfigKeys.h"

#include "Poco/Util/AbstractConfiguration.h"

#include <cstddef>
#include <string>
#include <vector>

namespace webchat::admin {

struct AdminSettings
{
	std::string chatListeners;         // chat_listeners, as written
	std::string apiTokenFile;          // api_token_file, resolved against the config file's folder
	std::size_t maxJsonBytes = 0;      // max_json_bytes

	static const SettingsTable<AdminSettings>& keys();

	/// Throws Poco::Exception naming the key when a value is unusable.
	static AdminSettings fromConfig(const Poco::Util::AbstractConfiguration& section);

	/// chat_listeners split at commas, each trimmed; the first is the
	/// default of a request that names none.
	std::vector<std::string> chatListenerNames() const;
};

} // namespace webchat::admin

#endif
