// A one-shot HTTP request to a server on 127.0.0.1, for integration tests.
#ifndef WEBCHAT_HTTPGET_INCLUDED
#define WEBCHAT_HTTPGET_INCLUDED

#include "Poco/Net/HTTPResponse.h"
#include "Poco/Types.h"

#include <string>

namespace webchat::test {

struct HttpReply
{
	int status = 0;
	Poco::Net::HTTPResponse response; // headers
	std::string body;
};

HttpReply httpRequest(Poco::UInt16 port, const std::string& method, const std::string& uri,
	const Poco::Net::NameValueCollection& headers = {}, int timeoutSeconds = 10);

inline HttpReply httpGet(Poco::UInt16 port, const std::string& uri) { return httpRequest(port, "GET", uri); }

} // namespace webchat::test

#endif
