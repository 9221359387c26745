#include "PageSite.h"

#include "Freshness.h"
#include "HostName.h"
#include "HttpDate.h"
#include "MimeTypes.h"
#include "RequestPath.h"

#include "Poco/Net/HTTPRequest.h"
#include "Poco/NumberFormatter.h"
#include "Poco/String.h"

namespace webchat {
namespace page {

using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

const std::string PageSite::CHAT_CONFIG_PATH = "/webchat-config.json";
const std::string PageSite::ALLOWED_METHODS = "GET, HEAD";

namespace {

const std::string TEXT_PLAIN = "text/plain; charset=utf-8";

// Escapes a string for a JSON string literal. What reaches here is already
// validated, so this is belt and braces.
std::string jsonString(const std::string& text)
{
	std::string out = "\"";
	for (char ch : text)
	{
		const unsigned char c = static_cast<unsigned char>(ch);
		if (c == '"' || c == '\\') { out += '\\'; out += ch; }
		else if (c < 0x20 || c == '<' || c == '>' || c == '&') out += "\\u" + Poco::NumberFormatter::formatHex(c, 4);
		else out += ch;
	}
	return out + "\"";
}

} // namespace

PageSite::PageSite(const DocumentRoot& root, const ChatEndpoint& chat, std::size_t maxTextBytes):
	_root(root),
	_chat(chat),
	_maxTextBytes(maxTextBytes)
{
}

std::string PageSite::pageHost(const PageRequest& request)
{
	if (request.host)
	{
		std::string host;
		Poco::UInt16 port = 0;
		if (HostName::parseAuthority(*request.host, host, port)) return host;
	}
	if (HostName::isValid(request.localHost)) return Poco::toLower(request.localHost);
	return "localhost";
}

std::string PageSite::contentSecurityPolicy(const std::string& pageHost) const
{
	// Only the page's own files, and the chat endpoint; no inline script or
	// style, no framing, no <base> tricks.
	return "default-src 'self'; connect-src 'self' " + _chat.connectSources(pageHost) +
		"; img-src 'self' data:; style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'";
}

std::string PageSite::chatConfigJson(const std::string& pageHost, bool secure) const
{
	return "{\"chatUrl\":" + jsonString(_chat.url(pageHost, secure)) +
		",\"maxTextBytes\":" + Poco::NumberFormatter::format(static_cast<Poco::UInt64>(_maxTextBytes)) + "}\n";
}

PageReply PageSite::start(const PageRequest& request) const
{
	PageReply reply;
	reply.head.setStatusAndReason(HTTPResponse::HTTP_OK);
	reply.head.set("X-Content-Type-Options", "nosniff");
	reply.head.set("Referrer-Policy", "no-referrer");
	reply.head.set("X-Frame-Options", "DENY");
	reply.head.set("Content-Security-Policy", contentSecurityPolicy(pageHost(request)));
	// Cache, but ask every time: the page changes with each deployment.
	reply.head.set("Cache-Control", "no-cache");
	reply.sendBody = request.method != HTTPRequest::HTTP_HEAD;
	return reply;
}

void PageSite::setBody(PageReply& reply, const std::string& contentType, const std::string& body)
{
	reply.head.setContentType(contentType);
	reply.head.setContentLength64(body.size());
	reply.body = body;
}

PageReply PageSite::error(HTTPResponse::HTTPStatus status, const PageRequest& request, const std::string& problem) const
{
	PageReply reply = start(request);
	reply.head.setStatusAndReason(status);
	reply.head.set("Cache-Control", "no-store");
	setBody(reply, TEXT_PLAIN, Poco::NumberFormatter::format(static_cast<int>(status)) + " " + HTTPResponse::getReasonForStatus(status) + "\n");
	reply.problem = problem;
	return reply;
}

PageReply PageSite::respond(const PageRequest& request, const Poco::Timestamp& now) const
{
	if (request.method != HTTPRequest::HTTP_GET && request.method != HTTPRequest::HTTP_HEAD)
	{
		PageReply reply = error(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, request, "method not allowed");
		reply.head.set("Allow", ALLOWED_METHODS);
		return reply;
	}

	const RequestPath path = RequestPath::parse(request.target);
	if (path.verdict() == RequestPath::MALFORMED) return error(HTTPResponse::HTTP_BAD_REQUEST, request, path.problem());
	if (path.verdict() == RequestPath::HIDDEN) return error(HTTPResponse::HTTP_NOT_FOUND, request, path.problem());

	// Generated, so it is never shadowed by (or read from) a file.
	if (!path.directory() && path.segments().size() == 1 && "/" + path.segments().front() == CHAT_CONFIG_PATH)
		return chatConfig(request);

	const DocumentRoot::Resource resource = _root.find(path);
	switch (resource.kind)
	{
	case DocumentRoot::Resource::FILE:
		return serveFile(request, resource, now);
	case DocumentRoot::Resource::ADD_SLASH:
	{
		// Relative links in dir/index.html need the slash.
		PageReply reply = error(HTTPResponse::HTTP_MOVED_PERMANENTLY, request, "directory without trailing slash");
		reply.head.set("Location", path.encoded() + "/");
		return reply;
	}
	case DocumentRoot::Resource::NO_INDEX:
		return error(HTTPResponse::HTTP_FORBIDDEN, request, resource.problem);
	case DocumentRoot::Resource::NOT_FOUND:
		break;
	}
	PageReply reply = error(HTTPResponse::HTTP_NOT_FOUND, request, resource.problem);
	reply.warn = resource.refused;
	return reply;
}

PageReply PageSite::chatConfig(const PageRequest& request) const
{
	PageReply reply = start(request);
	// Depends on the Host the page was loaded from.
	reply.head.set("Cache-Control", "no-store");
	setBody(reply, "application/json", chatConfigJson(pageHost(request), request.secure));
	return reply;
}

PageReply PageSite::serveFile(const PageRequest& request, const DocumentRoot::Resource& resource, const Poco::Timestamp& now) const
{
	PageReply reply = start(request);
	const std::string tag = Freshness::entityTag(resource.size, resource.modified);
	reply.head.set("ETag", tag);
	reply.head.set("Last-Modified", HttpDate::format(resource.modified));
	if (Freshness::notModified(request.ifNoneMatch, request.ifModifiedSince, tag, resource.modified, now))
	{
		reply.head.setStatusAndReason(HTTPResponse::HTTP_NOT_MODIFIED);
		reply.sendBody = false;
		return reply;
	}
	reply.head.setContentType(MimeTypes::forPath(resource.path));
	reply.head.setContentLength64(resource.size);
	reply.file = resource.path;
	return reply;
}

} } // namespace webchat::page
