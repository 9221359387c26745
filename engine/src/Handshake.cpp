#include "webchat/engine/Handshake.h"

#include "Poco/Base64Encoder.h"
#include "Poco/SHA1Engine.h"
#include "Poco/String.h"

#include <sstream>

namespace webchat::ws {

namespace {

constexpr const char KeyHeader[] = "Sec-WebSocket-Key";
constexpr const char VersionHeader[] = "Sec-WebSocket-Version";

std::string_view trim(std::string_view s)
{
	while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
	while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
	return s;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
	if (a.size() != b.size()) return false;
	for (std::size_t i = 0; i < a.size(); ++i)
		if (Poco::Ascii::toLower(a[i]) != Poco::Ascii::toLower(b[i])) return false;
	return true;
}

// Poco keeps repeated header lines next to each other; visit each of them.
template <typename F>
void forEachValue(const Poco::Net::HTTPRequest& request, const std::string& name, F&& f)
{
	for (auto it = request.find(name); it != request.end() && Poco::icompare(it->first, name) == 0; ++it) f(it->second);
}

std::size_t countHeader(const Poco::Net::HTTPRequest& request, const std::string& name)
{
	std::size_t count = 0;
	forEachValue(request, name, [&count](const std::string&) { ++count; });
	return count;
}

// A comma-separated token list (Connection, Upgrade), over every line of it.
bool hasToken(const Poco::Net::HTTPRequest& request, const std::string& name, std::string_view token)
{
	bool found = false;
	forEachValue(request, name, [&](const std::string& value) {
		std::string_view rest = value;
		while (!found)
		{
			const std::size_t comma = rest.find(',');
			if (equalsIgnoreCase(trim(rest.substr(0, comma)), token)) found = true;
			if (comma == std::string_view::npos) break;
			rest.remove_prefix(comma + 1);
		}
	});
	return found;
}

bool isBase64Char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

bool hasBody(const Poco::Net::HTTPRequest& request)
{
	if (request.getChunkedTransferEncoding()) return true;
	if (request.has(Poco::Net::HTTPMessage::TRANSFER_ENCODING)) return true;
	if (!request.hasContentLength()) return false;
	return trim(request.get(Poco::Net::HTTPMessage::CONTENT_LENGTH)) != "0";
}

UpgradeCheck refuse(int status, const char* reason)
{
	return UpgradeCheck{status, reason};
}

} // namespace

std::string computeAcceptKey(std::string_view secWebSocketKey)
{
	static constexpr char Guid[] = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
	Poco::SHA1Engine sha1;
	sha1.update(secWebSocketKey.data(), static_cast<unsigned>(secWebSocketKey.size()));
	sha1.update(Guid, sizeof(Guid) - 1);
	const Poco::DigestEngine::Digest& digest = sha1.digest();
	std::ostringstream out;
	Poco::Base64Encoder encoder(out);
	encoder.rdbuf()->setLineLength(0);
	encoder.write(reinterpret_cast<const char*>(digest.data()), static_cast<std::streamsize>(digest.size()));
	encoder.close();
	return out.str();
}

bool isValidClientKey(std::string_view key)
{
	// 16 bytes are 128 bits: 21 full characters, one carrying 2 bits, "==".
	// The unused low bits of the 22nd are not checked, as lenient decoders
	// accept them.
	if (key.size() != 24 || key[22] != '=' || key[23] != '=') return false;
	for (std::size_t i = 0; i < 22; ++i)
		if (!isBase64Char(key[i])) return false;
	return true;
}

UpgradeCheck checkUpgradeRequest(const Poco::Net::HTTPRequest& request)
{
	if (request.getMethod() != Poco::Net::HTTPRequest::HTTP_GET)
		return refuse(405, "a WebSocket upgrade must use GET");
	if (request.getVersion() != Poco::Net::HTTPMessage::HTTP_1_1)
		return refuse(400, "a WebSocket upgrade must use HTTP/1.1");
	if (!hasToken(request, "Upgrade", "websocket"))
		return refuse(426, "this resource needs a WebSocket upgrade");
	if (!hasToken(request, "Connection", "upgrade"))
		return refuse(400, "Connection header lacks \"upgrade\"");
	if (countHeader(request, VersionHeader) != 1 || trim(request.get(VersionHeader)) != "13")
		return refuse(426, "unsupported WebSocket version (13 is supported)");
	const std::size_t keys = countHeader(request, KeyHeader);
	if (keys == 0) return refuse(400, "missing Sec-WebSocket-Key");
	if (keys > 1) return refuse(400, "repeated Sec-WebSocket-Key");
	if (!isValidClientKey(trim(request.get(KeyHeader)))) return refuse(400, "malformed Sec-WebSocket-Key");
	// Bytes after the headers belong to the WebSocket; a body would be read
	// as frames.
	if (hasBody(request)) return refuse(400, "a WebSocket upgrade must not have a body");
	return UpgradeCheck{};
}

void prepareUpgradeResponse(const Poco::Net::HTTPRequest& request, const UpgradeCheck& check,
	Poco::Net::HTTPResponse& response)
{
	using Poco::Net::HTTPResponse;
	if (check.status == 101)
	{
		response.setStatusAndReason(HTTPResponse::HTTP_SWITCHING_PROTOCOLS);
		response.set("Upgrade", "websocket");
		response.set("Connection", "Upgrade");
		response.set("Sec-WebSocket-Accept", computeAcceptKey(trim(request.get(KeyHeader))));
		return;
	}
	response.setStatusAndReason(static_cast<HTTPResponse::HTTPStatus>(check.status));
	if (check.status == HTTPResponse::HTTP_METHOD_NOT_ALLOWED)
		response.set("Allow", "GET");
	else if (check.status == HTTPResponse::HTTP_UPGRADE_REQUIRED)
	{
		response.set("Upgrade", "websocket");
		response.set(VersionHeader, "13");
	}
	response.setContentType("text/plain; charset=utf-8");
	response.setContentLength(static_cast<std::streamsize>(check.reason.size()));
}

} // namespace webchat::ws
