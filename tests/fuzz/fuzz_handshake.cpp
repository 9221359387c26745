// libFuzzer target for the opening handshake: the input is parsed as an
// HTTP request by Poco (as the server would), then checked and answered.
// Beyond the sanitizers: only the documented statuses come out, a 101 comes
// only with a valid key, and the response always serialises. The raw input
// is also read as a Sec-WebSocket-Extensions value: every offer parsed has
// its parameters in range, and permessage-deflate is accepted exactly when
// an offer allows the server's window.
#include "webchat/engine/Handshake.h"
#include "webchat/engine/PerMessageDeflate.h"

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

	bool acceptable = false;
	for (const DeflateOffer& offer : parseDeflateOffers(text))
	{
		check(offer.serverMaxWindowBits == 0 || (offer.serverMaxWindowBits >= 8 && offer.serverMaxWindowBits <= 15));
		check(offer.clientMaxWindowBits == 0 || offer.clientMaxWindowBits == DeflateOffer::ClientWindowAnySize ||
			(offer.clientMaxWindowBits >= 8 && offer.clientMaxWindowBits <= 15));
		acceptable = acceptable || offer.serverMaxWindowBits == 0 || offer.serverMaxWindowBits == 15;
	}
	const auto accepted = acceptDeflate(text);
	check(accepted.has_value() == acceptable);
	if (accepted) check(accepted->rfind("permessage-deflate; server_no_context_takeover; client_no_context_takeover", 0) == 0);

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
