#include "PageRequestHandler.h"

#include "webchat/ErrorText.h"

#include "Poco/Exception.h"
#include "Poco/FileStream.h"
#include "Poco/Net/HTTPServerRequestImpl.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/NumberFormatter.h"
#include "Poco/String.h"

#include <algorithm>
#include <vector>

namespace webchat {
namespace page {

using Poco::Net::HTTPResponse;

namespace {

// Request text is the client's: keep control bytes (terminal escapes, and a
// forged log line) out of the log, and keep it short.
std::string printable(const std::string& text)
{
	const std::string::size_type limit = 256;
	std::string out;
	for (std::string::size_type i = 0; i < text.size() && i < limit; ++i)
	{
		const unsigned char c = static_cast<unsigned char>(text[i]);
		if (c < 0x20 || c >= 0x7f) out += "\\x" + Poco::NumberFormatter::formatHex(c, 2);
		else out += text[i];
	}
	if (text.size() > limit) out += "...";
	return out;
}

std::vector<std::string> headerValues(const Poco::Net::HTTPServerRequest& request, const std::string& name)
{
	std::vector<std::string> values;
	for (const auto& header : request)
	{
		if (Poco::icompare(header.first, name) == 0) values.push_back(header.second);
	}
	return values;
}

// A field that may be sent as a list can also be split over several lines.
std::optional<std::string> listHeader(const Poco::Net::HTTPServerRequest& request, const std::string& name)
{
	const auto values = headerValues(request, name);
	if (values.empty()) return std::nullopt;
	return Poco::cat(std::string(", "), values.begin(), values.end());
}

// A field that must occur once; repeated, it is ignored.
std::optional<std::string> singleHeader(const Poco::Net::HTTPServerRequest& request, const std::string& name)
{
	const auto values = headerValues(request, name);
	if (values.size() != 1) return std::nullopt;
	return values.front();
}

const std::size_t COPY_BUFFER_SIZE = 64 * 1024;

} // namespace

PageRequestHandler::PageRequestHandler(std::shared_ptr<const PageSite> site, Poco::Logger& logger):
	_site(std::move(site)),
	_logger(logger)
{
}

std::string PageRequestHandler::urlHost(const Poco::Net::IPAddress& address)
{
	if (address.family() == Poco::Net::IPAddress::IPv4) return address.toString();
	const std::string text = address.toString();
	// A zone ("%eth0") has no portable URL form.
	if (text.find('%') != std::string::npos) return "";
	return "[" + text + "]";
}

PageRequest PageRequestHandler::describe(const Poco::Net::HTTPServerRequest& request)
{
	PageRequest info;
	info.method = request.getMethod();
	info.target = request.getURI();
	info.host = singleHeader(request, Poco::Net::HTTPRequest::HOST);
	info.ifNoneMatch = listHeader(request, "If-None-Match");
	info.ifModifiedSince = singleHeader(request, "If-Modified-Since");
	info.localHost = urlHost(request.serverAddress().host());
	info.client = request.clientAddress().toString();
	info.secure = request.secure();
	return info;
}

void PageRequestHandler::handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response)
{
	PageRequest info;
	try
	{
		info = describe(request);
		PageReply reply = _site->respond(info, Poco::Timestamp());
		carryOut(info, reply, response, request);
	}
	catch (const std::exception& exc)
	{
		fail(info, request, response, webchat::describe(exc));
	}
	catch (...)
	{
		fail(info, request, response, "unknown exception");
	}
}

void PageRequestHandler::carryOut(const PageRequest& request, PageReply& reply, Poco::Net::HTTPServerResponse& response,
	Poco::Net::HTTPServerRequest& httpRequest)
{
	// Open before anything is sent, so a file that vanished or cannot be
	// read still gets a proper status.
	std::unique_ptr<Poco::FileInputStream> file;
	if (!reply.file.empty() && reply.sendBody)
	{
		try
		{
			file = std::make_unique<Poco::FileInputStream>(reply.file);
		}
		catch (const Poco::FileNotFoundException& exc)
		{
			reply = _site->error(HTTPResponse::HTTP_NOT_FOUND, request, exc.displayText());
		}
		catch (const Poco::FileAccessDeniedException& exc)
		{
			_logger.error("cannot read %s: %s", reply.file, exc.displayText());
			reply = _site->error(HTTPResponse::HTTP_FORBIDDEN, request, exc.displayText());
		}
	}

	response.setStatusAndReason(reply.head.getStatus(), reply.head.getReason());
	for (const auto& header : reply.head) response.set(header.first, header.second);
	// An unread request body would be taken for the next request.
	if (httpRequest.hasContentLength() ? httpRequest.getContentLength64() > 0 : httpRequest.getChunkedTransferEncoding())
		response.setKeepAlive(false);

	// Logged before sending, so the line is out by the time the client has
	// the answer.
	log(request, reply);
	std::ostream& out = response.send();
	if (!reply.sendBody) return;
	if (file)
	{
		const Poco::UInt64 size = static_cast<Poco::UInt64>(reply.head.getContentLength64());
		if (!streamFile(*file, size, out))
		{
			// The length is promised; a short body must end the connection,
			// or the client would wait for the rest.
			closeConnection(httpRequest);
			if (out.good()) _logger.error("%s changed while being sent; connection closed", reply.file);
			else _logger.debug("client went away while receiving %s", reply.file);
		}
	}
	else
	{
		out.write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
	}
}

bool PageRequestHandler::streamFile(std::istream& in, Poco::UInt64 size, std::ostream& out)
{
	std::vector<char> buffer(static_cast<std::size_t>(std::min<Poco::UInt64>(size, COPY_BUFFER_SIZE)));
	Poco::UInt64 remaining = size;
	while (remaining > 0 && out.good())
	{
		const auto chunk = static_cast<std::streamsize>(std::min<Poco::UInt64>(remaining, buffer.size()));
		in.read(buffer.data(), chunk);
		const std::streamsize got = in.gcount();
		if (got <= 0) return false;
		out.write(buffer.data(), got);
		remaining -= static_cast<Poco::UInt64>(got);
	}
	out.flush();
	return remaining == 0 && out.good();
}

void PageRequestHandler::fail(const PageRequest& request, Poco::Net::HTTPServerRequest& httpRequest,
	Poco::Net::HTTPServerResponse& response, const std::string& what)
{
	try
	{
		_logger.error("%s %s %s: %s", request.client, printable(request.method), printable(request.target), printable(what));
		if (response.sent())
		{
			closeConnection(httpRequest);
			return;
		}
		PageReply reply = _site->error(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, request, what);
		response.setStatusAndReason(reply.head.getStatus(), reply.head.getReason());
		for (const auto& header : reply.head) response.set(header.first, header.second);
		response.setKeepAlive(false);
		std::ostream& out = response.send();
		if (reply.sendBody) out.write(reply.body.data(), static_cast<std::streamsize>(reply.body.size()));
	}
	catch (...)
	{
		// Nothing left to tell the client; the connection ends with the handler.
	}
}

void PageRequestHandler::closeConnection(Poco::Net::HTTPServerRequest& request)
{
	try
	{
		if (auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request)) impl->socket().shutdown();
	}
	catch (const Poco::Exception&)
	{
		// Already closed by the peer.
	}
}

void PageRequestHandler::log(const PageRequest& request, const PageReply& reply)
{
	const int status = static_cast<int>(reply.head.getStatus());
	if (reply.warn)
	{
		_logger.warning("%s %s %s -> %d: %s", request.client, printable(request.method), printable(request.target), status, printable(reply.problem));
	}
	else if (_logger.debug())
	{
		std::string line = request.client + " " + printable(request.method) + " " + printable(request.target) + " -> " + Poco::NumberFormatter::format(status);
		if (!reply.problem.empty()) line += ": " + printable(reply.problem);
		_logger.debug(line);
	}
}

PageRequestHandlerFactory::PageRequestHandlerFactory(std::shared_ptr<const PageSite> site, Poco::Logger& logger):
	_site(std::move(site)),
	_logger(logger)
{
}

Poco::Net::HTTPRequestHandler* PageRequestHandlerFactory::createRequestHandler(const Poco::Net::HTTPServerRequest&)
{
	return new PageRequestHandler(_site, _logger);
}

} } // namespace webchat::page
