//
// AdminHandler.h
//
// One operator API request, on the admin listener's HTTP thread: the bearer
// token first (401 for a missing or wrong one, before anything else is
// looked at), then the route (ApiRoute), the body (JsonBody, bounded by
// max_json_bytes, application/json only), the chat listener's ChatService
// from the host's registry (503 when that listener is not serving), and
// the call. Every answer is JSON; refusals are
// {"error":"<code>","message":"..."}.
//

#ifndef WEBCHAT_ADMIN_ADMINHANDLER_INCLUDED
#define WEBCHAT_ADMIN_ADMINHANDLER_INCLUDED

#include "AdminSettings.h"
#include "ApiRoute.h"
#include "ApiToken.h"

#include "ChatService.h"
#include "webchat/HandlerPlugin.h"

#include "Poco/Logger.h"
#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"

#include <memory>
#include <string>
#include <vector>

namespace webchat::admin {

// What the handlers of one admin listener share; immutable once made.
struct AdminContext
{
	const Host& host;
	ApiToken token;
	std::vector<std::string> chatListeners;
	std::size_t maxJsonBytes;
	Poco::Logger& logger;
};

class AdminHandler: public Poco::Net::HTTPRequestHandler
{
public:
	explicit AdminHandler(std::shared_ptr<const AdminContext> context);

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

	/// A reply: its status and JSON body.
	struct Reply
	{
		int status = 200;
		std::string json;
	};

	/// What a ChatService status becomes: its HTTP status and error code.
	static std::pair<int, const char*> httpStatusOf(ChatService::Status status);

private:
	Reply dispatch(const ApiRoute& route, const std::string& body, const std::string& peer);
	std::string readBody(Poco::Net::HTTPServerRequest& request) const;
	std::shared_ptr<ChatService> chatService(const std::string& listener) const;

	const std::shared_ptr<const AdminContext> _context;
};

class AdminHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	explicit AdminHandlerFactory(std::shared_ptr<const AdminContext> context);

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest&) override;

private:
	const std::shared_ptr<const AdminContext> _context;
};

} // namespace webchat::admin

#endif
