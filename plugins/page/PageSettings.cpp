#include "PageSettings.h"

#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/NumberParser.h"
#include "Poco/Path.h"
#include "Poco/Util/OptionException.h"

namespace webchat {
namespace page {

PageSettings::PageSettings(const std::string& root, const ChatEndpoint& chat):
	_root(root),
	_chat(chat)
{
}

PageSettings PageSettings::fromConfig(const Poco::Util::AbstractConfiguration& section)
{
	return PageSettings(resolveRoot(section), readChat(section));
}

std::string PageSettings::resolveRoot(const Poco::Util::AbstractConfiguration& section)
{
	const std::string configured = section.getString("root", "");
	if (configured.empty()) throw Poco::Util::MissingOptionException("missing configuration key", "root");

	Poco::Path path(configured);
	if (path.isRelative())
	{
		// Relative to the .ini's folder, which webchatd puts in
		// application.configDir (the section view falls back to full keys).
		path = Poco::Path(section.getString("application.configDir", Poco::Path::current())).resolve(path);
	}
	const std::string absolute = path.toString();
	const std::string shown = absolute == configured ? configured : configured + " (" + absolute + ")";
	Poco::File dir(absolute);
	if (!dir.exists()) throw Poco::FileNotFoundException("root = " + shown + ": no such directory");
	if (!dir.isDirectory()) throw Poco::InvalidArgumentException("root = " + shown + ": not a directory");
	if (!dir.canRead() || !dir.canExecute()) throw Poco::FileAccessDeniedException("root = " + shown + ": directory not readable");
	return absolute;
}

ChatEndpoint PageSettings::readChat(const Poco::Util::AbstractConfiguration& section)
{
	const std::string url = section.getString("chat_url", "");
	if (!url.empty()) return ChatEndpoint::fromUrl(url);

	const std::string raw = section.getString("chat_port", "");
	if (raw.empty()) return ChatEndpoint::onPort(DEFAULT_CHAT_PORT);
	int port = 0;
	if (!Poco::NumberParser::tryParse(raw, port) || port < 1 || port > 65535)
		throw Poco::InvalidArgumentException("chat_port = " + raw + ": expected a port number from 1 to 65535");
	return ChatEndpoint::onPort(static_cast<Poco::UInt16>(port));
}

} } // namespace webchat::page
