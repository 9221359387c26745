//
// PageRequestHandler.h
//
// Carries out PageSite's answer on a POCO HTTP connection, and the factory
// the listener's HTTPServer calls for every request.
//

#ifndef WEBCHAT_PAGE_PAGEREQUESTHANDLER_INCLUDED
#define WEBCHAT_PAGE_PAGEREQUESTHANDLER_INCLUDED

#include "PageSite.h"

#include "Poco/Logger.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "Poco/Net/HTTPServerRequest.h"
#include "Poco/Net/HTTPServerResponse.h"

#include <memory>

namespace webchat {
namespace page {

class PageRequestHandler: public Poco::Net::HTTPRequestHandler
{
public:
	PageRequestHandler(std::shared_ptr<const PageSite> site, Poco::Logger& logger);

	/// Never throws: a failure before the answer is sent becomes 500, one
	/// after (the client went away, the file shrank) closes the connection.
	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

	/// The parts of the request PageSite looks at.
	static PageRequest describe(const Poco::Net::HTTPServerRequest& request);

	/// "[v6]" or "v4" for a URL; empty when it has no URL form.
	static std::string urlHost(const Poco::Net::IPAddress& address);

private:
	void carryOut(const PageRequest& request, PageReply& reply, Poco::Net::HTTPServerResponse& response,
		Poco::Net::HTTPServerRequest& httpRequest);
	void fail(const PageRequest& request, Poco::Net::HTTPServerRequest& httpRequest,
		Poco::Net::HTTPServerResponse& response, const std::string& what);
	/// Copies size bytes in chunks (big files are never held in memory);
	/// false if fewer could be read or sent.
	static bool streamFile(std::istream& in, Poco::UInt64 size, std::ostream& out);
	void log(const PageRequest& request, const PageReply& reply);
	static void closeConnection(Poco::Net::HTTPServerRequest& request);

	std::shared_ptr<const PageSite> _site;
	Poco::Logger& _logger;
};

class PageRequestHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	PageRequestHandlerFactory(std::shared_ptr<const PageSite> site, Poco::Logger& logger);

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	std::shared_ptr<const PageSite> _site;
	Poco::Logger& _logger;
};

} } // namespace webchat::page

#endif
