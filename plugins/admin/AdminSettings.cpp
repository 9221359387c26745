#include "AdminSettings.h"

#include "Poco/Exception.h"
#include "Poco/String.h"
#include "Poco/StringTokenizer.h"

namespace webchat::admin {

const SettingsTable<AdminSettings>& AdminSettings::keys()
{
	using Key = ConfigKey;
	static const SettingsTable<AdminSettings> table{"admin", {
		{Key::text("chat_listeners", "chat", "the chat listeners (listeners.<name> of plugin chatroom) the API governs, comma-separated; a request picks one with ?listener=, else the first"),
			&AdminSettings::chatListeners},
		{Key::path("api_token_file", "", "file holding the API's bearer token (relative: to the config file); read at start and reload").mandatory()},
		{Key::integer("max_json_bytes", 16384, 64, 1048576, "bytes", "a longer request body is answered 413"), &AdminSettings::maxJsonBytes},
	}};
	return table;
}

AdminSettings AdminSettings::fromConfig(const Poco::Util::AbstractConfiguration& section)
{
	const ConfigReader read(keys(), section);
	AdminSettings settings;
	keys().read(read, settings);
	settings.apiTokenFile = read.resolvedFilePath("api_token_file");
	const auto names = settings.chatListenerNames();
	if (names.empty()) throw Poco::InvalidArgumentException("chat_listeners: name at least one chat listener");
	for (const auto& name : names)
	{
		if (name.empty() || name.find_first_of(" \t[]=") != std::string::npos)
			throw Poco::InvalidArgumentException("chat_listeners = " + settings.chatListeners + ": \"" + name + "\" is not a listener name");
	}
	return settings;
}

std::vector<std::string> AdminSettings::chatListenerNames() const
{
	std::vector<std::string> names;
	const Poco::StringTokenizer tokens(chatListeners, ",", Poco::StringTokenizer::TOK_TRIM);
	for (const auto& token : tokens) names.push_back(token);
	return names;
}

} // namespace webchat::admin
