#include "PageSettings.h"

#include "webchat/platform/FolderAccess.h"

#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/Path.h"

namespace webchat {
namespace page {

PageSettings::PageSettings(const std::string& root, const ChatEndpoint& chat, std::size_t maxTextBytes):
	_root(root),
	_chat(chat),
	_maxTextBytes(maxTextBytes)
{
}

const ConfigTable& PageSettings::keys()
{
	using Key = ConfigKey;
	static const ConfigTable table{"page", {
		Key::path("root", "", "the document root (relative: to the config file's folder); re-resolved per request, so a symlink swap needs no restart").mandatory(),
		Key::integer("chat_port", 8000, 1, 65535, "", "the page connects to ws://<the host it was loaded from>:<chat_port>/ (wss:// when the page came over TLS)"),
		Key::text("chat_url", "", "a full ws:// or wss:// URL instead (wins over chat_port), e.g. behind a TLS proxy"),
		Key::integer("max_text_bytes", 4096, 1, 64 * 1024 * 1024, "bytes", "the longest message text the page sends (UTF-8 bytes): the chat listener's max_text_bytes; the page counts down near it and keeps a longer text in the box"),
	}};
	return table;
}

PageSettings PageSettings::fromConfig(const Poco::Util::AbstractConfiguration& section)
{
	const ConfigReader read(keys(), section);
	return PageSettings(resolveRoot(read), readChat(read), static_cast<std::size_t>(read.integer("max_text_bytes")));
}

std::string PageSettings::resolveRoot(const ConfigReader& read)
{
	const std::string configured = read.path("root");
	const std::string absolute = read.resolvedPath("root");
	const std::string shown = absolute == configured ? configured : configured + " (" + absolute + ")";
	Poco::File dir(absolute);
	if (!dir.exists()) throw Poco::FileNotFoundException("root = " + shown + ": no such directory");
	if (!dir.isDirectory()) throw Poco::InvalidArgumentException("root = " + shown + ": not a directory");
	if (!platform::canReadFolder(absolute)) throw Poco::FileAccessDeniedException("root = " + shown + ": directory not readable");
	return absolute;
}

ChatEndpoint PageSettings::readChat(const ConfigReader& read)
{
	const std::string url = read.text("chat_url");
	if (!url.empty()) return ChatEndpoint::fromUrl(url);
	return ChatEndpoint::onPort(static_cast<Poco::UInt16>(read.integer("chat_port")));
}

} } // namespace webchat::page
