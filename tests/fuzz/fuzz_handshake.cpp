// libFuzzer target for the opening handshake: the input is parsed as an
// HTTP request by Poco (as the server would), then checked and answered.
// Beyond the sanitizers: only the documented statuses come out, a 101 comes
// only with a valid key, and the response always serialises.
#include "webchat/engine/Handshake.h"

#include "Poco/Exception.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/String.h"

#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

using namespace webchat::ws;

namespace {

void check(bool condition)
{
	if (!condition) std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string text(reinterpret_cast<const char*>(data), size);

	// The key helpers on raw bytes.
	const bool keyValid = isValidClientKey(text);
	check(!keyValid || text.size() == 24);
	check(computeAcceptKey(text).size() == 28);

	Poco::Net::HTTPRequest request;
	try
	{
		std::istringstream in(text);
		request.read(in);
	}
	catch (const Poco::Exception&)
	{
		return 0; // Poco refused it before our code would see it
	}

	const UpgradeCheck verdict = checkUpgradeRequest(request);
	check(verdict.status == 101 || verdict.status == 400 || verdict.status == 405 || verdict.status == 426);
	check((verdict.status == 101) == verdict.reason.empty());
	if (verdict.status == 101)
	{
		check(request.getMethod() == "GET");
		check(isValidClientKey(Poco::trim(request.get("Sec-WebSocket-Key"))));
	}

	Poco::Net::HTTPResponse response;
	prepareUpgradeResponse(request, verdict, response);
	check(response.getStatus() == verdict.status);
	check((verdict.status == 101) == response.has("Sec-WebSocket-Accept"));
	std::ostringstream out;
	response.write(out);
	check(!out.str().empty());
	return 0;
}
