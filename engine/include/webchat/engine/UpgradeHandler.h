//
// UpgradeHandler.h
//
// The HTTP side of a WebSocket listener: validates the upgrade request
// (protocol, Origin, connection limits), answers 101 and hands the socket,
// with any bytes already read past the request, to the engine. The HTTP
// worker thread is free again as soon as the 101 is written.
//

#ifndef WEBCHAT_ENGINE_UPGRADEHANDLER_INCLUDED
#define WEBCHAT_ENGINE_UPGRADEHANDLER_INCLUDED

#include "webchat/engine/Engine.h"
#include "webchat/engine/OriginPolicy.h"

#include "Poco/Net/HTTPRequestHandler.h"
#include "Poco/Net/HTTPRequestHandlerFactory.h"
#include "Poco/Net/HTTPResponse.h"

namespace webchat::engine {

class UpgradeHandlerFactory: public Poco::Net::HTTPRequestHandlerFactory
{
public:
	UpgradeHandlerFactory(Engine& engine, OriginPolicy origins);

	Poco::Net::HTTPRequestHandler* createRequestHandler(const Poco::Net::HTTPServerRequest& request) override;

private:
	Engine& _engine;
	const OriginPolicy _origins;
};

class UpgradeHandler: public Poco::Net::HTTPRequestHandler
{
public:
	UpgradeHandler(Engine& engine, const OriginPolicy& origins);

	void handleRequest(Poco::Net::HTTPServerRequest& request, Poco::Net::HTTPServerResponse& response) override;

private:
	void refuse(Poco::Net::HTTPServerResponse& response, Poco::Net::HTTPResponse::HTTPStatus status, const std::string& reason);

	Engine& _engine;
	const OriginPolicy& _origins;
};

} // namespace webchat::engine

#endif
