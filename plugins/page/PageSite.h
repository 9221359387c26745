//
// PageSite.h
//
// What to answer to a request, decided without touching a socket: the status,
// the headers and either a short generated body or the file to stream. The
// request handler only carries the answer out, which keeps every decision
// unit-testable.
//

#ifndef WEBCHAT_PAGE_PAGESITE_INCLUDED
#define WEBCHAT_PAGE_PAGESITE_INCLUDED

#include "ChatEndpoint.h"
#include "DocumentRoot.h"

#include "Poco/Net/HTTPResponse.h"
#include "Poco/Timestamp.h"

#include <cstddef>
#include <optional>
#include <string>

namespace webchat {
namespace page {

/// The parts of a request the site looks at.
struct PageRequest
{
	std::string method;
	std::string target;                        /// as on the request line
	std::optional<std::string> host;           /// the Host header
	std::optional<std::string> ifNoneMatch;
	std::optional<std::string> ifModifiedSince;
	std::string localHost;                     /// the address the client connected to (for a missing or bad Host)
	std::string client;                        /// the client's address, for the log
	bool secure = false;                       /// came over TLS (this listener's own)
};

/// An answer: status and headers in head (Content-Length included), and the
/// body in body or, for a file, the file to stream (file, length bytes).
struct PageReply
{
	Poco::Net::HTTPResponse head;
	bool sendBody = true;   /// false for HEAD and 304
	std::string body;
	std::string file;       /// canonical path, when serving a file
	std::string problem;    /// why the request was refused, for the log
	bool warn = false;      /// the refusal deserves a warning (a link out of the root)
};

class PageSite
{
public:
	/// maxTextBytes: the longest message text the page sends, told to it in
	/// the generated configuration.
	PageSite(const DocumentRoot& root, const ChatEndpoint& chat, std::size_t maxTextBytes);

	/// Decides the answer. now is the time of the request (for conditional
	/// requests and tests).
	PageReply respond(const PageRequest& request, const Poco::Timestamp& now) const;

	/// A short text/plain error answer with the security headers; the
	/// handler also uses it when carrying out a file answer fails.
	PageReply error(Poco::Net::HTTPResponse::HTTPStatus status, const PageRequest& request, const std::string& problem) const;

	/// The host part of the URL the page was loaded from: the Host header if
	/// it is valid, else the local address the client connected to, else
	/// "localhost". Never unvalidated text.
	static std::string pageHost(const PageRequest& request);

	/// The Content-Security-Policy for a page loaded from pageHost.
	std::string contentSecurityPolicy(const std::string& pageHost) const;

	/// The generated chat configuration for a page loaded from pageHost:
	/// {"chatUrl":...,"maxTextBytes":...}.
	std::string chatConfigJson(const std::string& pageHost, bool secure) const;

	const DocumentRoot& root() const { return _root; }
	const ChatEndpoint& chat() const { return _chat; }

	static const std::string CHAT_CONFIG_PATH;   /// "/webchat-config.json"
	static const std::string ALLOWED_METHODS;    /// "GET, HEAD"

private:
	PageReply start(const PageRequest& request) const;
	PageReply chatConfig(const PageRequest& request) const;
	PageReply serveFile(const PageRequest& request, const DocumentRoot::Resource& resource, const Poco::Timestamp& now) const;
	static void setBody(PageReply& reply, const std::string& contentType, const std::string& body);

	DocumentRoot _root;
	ChatEndpoint _chat;
	std::size_t _maxTextBytes;
};

} } // namespace webchat::page

#endif
