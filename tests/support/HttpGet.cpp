#include "HttpGet.h"

#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/StreamCopier.h"

namespace webchat::test {

HttpReply httpRequest(Poco::UInt16 port, const std::string& method, const std::string& uri,
	const Poco::Net::NameValueCollection& headers, int timeoutSeconds)
{
	Poco::Net::HTTPClientSession session("127.0.0.1", port);
	session.setTimeout(Poco::Timespan(timeoutSeconds, 0));
	Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
	for (const auto& header : headers) request.set(header.first, header.second);
	session.sendRequest(request);
	HttpReply reply;
	std::istream& in = session.receiveResponse(reply.response);
	reply.status = reply.response.getStatus();
	Poco::StreamCopier::copyToString(in, reply.body);
	return reply;
}

} // namespace webchat::test
