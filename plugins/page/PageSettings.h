//
// PageSettings.h
//
// The page plugin's keys in its listener section, read and validated.
//

#ifndef WEBCHAT_PAGE_PAGESETTINGS_INCLUDED
#define WEBCHAT_PAGE_PAGESETTINGS_INCLUDED

#include "ChatEndpoint.h"

#include "Poco/Util/AbstractConfiguration.h"

#include <string>

namespace webchat {
namespace page {

class PageSettings
{
public:
	/// Reads:
	///   root       the document root (required; an existing directory).
	///              A relative path is taken relative to the folder of the
	///              configuration file (application.configDir).
	///   chat_url   a ws:// or wss:// URL for the page's WebSocket, or
	///   chat_port  a port on the page's own host (default 8000); chat_url
	///              wins when both are set, so one --define can switch.
	/// Throws Poco::Exception naming the key (and for root the path) when a
	/// value is missing or unusable.
	static PageSettings fromConfig(const Poco::Util::AbstractConfiguration& section);

	/// The document root as configured, made absolute (not yet canonical).
	const std::string& root() const { return _root; }
	const ChatEndpoint& chat() const { return _chat; }

	static const Poco::UInt16 DEFAULT_CHAT_PORT = 8000;

private:
	PageSettings(const std::string& root, const ChatEndpoint& chat);
	static std::string resolveRoot(const Poco::Util::AbstractConfiguration& section);
	static ChatEndpoint readChat(const Poco::Util::AbstractConfiguration& section);

	std::string _root;
	ChatEndpoint _chat;
};

} } // namespace webchat::page

#endif
