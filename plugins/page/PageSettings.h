//
// PageSettings.h
//
// The page plugin's keys in its listener section, read and validated.
//

#ifndef WEBCHAT_PAGE_PAGESETTINGS_INCLUDED
#define WEBCHAT_PAGE_PAGESETTINGS_INCLUDED

#include "ChatEndpoint.h"

#include "webchat/ConfigKeys.h"

#include "Poco/Util/AbstractConfiguration.h"

#include <cstddef>
#include <string>

namespace webchat {
namespace page {

class PageSettings
{
public:
	/// The page plugin's keys: root (the document root, an existing
	/// directory; relative: to the configuration file's folder), chat_url
	/// and chat_port (where the page's WebSocket goes; chat_url wins when
	/// both are set, so one --define can switch), and max_text_bytes (the
	/// longest message the page lets one send: set it to the chat
	/// listener's max_text_bytes; both default to 4096).
	static const ConfigTable& keys();

	/// Reads keys(). Throws Poco::Exception naming the key (and for root
	/// the path) when a value is missing or unusable.
	static PageSettings fromConfig(const Poco::Util::AbstractConfiguration& section);

	/// The document root as configured, made absolute (not yet canonical).
	const std::string& root() const { return _root; }
	const ChatEndpoint& chat() const { return _chat; }
	std::size_t maxTextBytes() const { return _maxTextBytes; }

private:
	PageSettings(const std::string& root, const ChatEndpoint& chat, std::size_t maxTextBytes);
	static std::string resolveRoot(const ConfigReader& read);
	static ChatEndpoint readChat(const ConfigReader& read);

	std::string _root;
	ChatEndpoint _chat;
	std::size_t _maxTextBytes;
};

} } // namespace webchat::page

#endif
