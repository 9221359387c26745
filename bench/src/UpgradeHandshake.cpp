#include "UpgradeHandshake.h"

#include "webchat/engine/Handshake.h"

#include <cctype>

namespace webchat::bench {

namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
	if (a.size() != b.size()) return false;
	for (std::size_t i = 0; i < a.size(); ++i)
	{
		if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
	}
	return true;
}

std::string_view trim(std::string_view text)
{
	while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
	while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
	return text;
}

// True when the comma-separated list holds token (case-insensitive).
bool listHasToken(std::string_view list, std::string_view token)
{
	while (!list.empty())
	{
		const std::size_t comma = list.find(',');
		if (equalsIgnoreCase(trim(list.substr(0, comma)), token)) return true;
		if (comma == std::string_view::npos) break;
		list.remove_prefix(comma + 1);
	}
	return false;
}

} // namespace

std::string base64(const unsigned char* data, std::size_t size)
{
	static constexpr char Alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	std::string out;
	out.reserve((size + 2) / 3 * 4);
	for (std::size_t i = 0; i < size; i += 3)
	{
		const std::size_t left = size - i;
		const std::uint32_t chunk = (std::uint32_t{data[i]} << 16) | (left > 1 ? std::uint32_t{data[i + 1]} << 8 : 0) |
			(left > 2 ? std::uint32_t{data[i + 2]} : 0);
		out.push_back(Alphabet[(chunk >> 18) & 63]);
		out.push_back(Alphabet[(chunk >> 12) & 63]);
		out.push_back(left > 1 ? Alphabet[(chunk >> 6) & 63] : '=');
		out.push_back(left > 2 ? Alphabet[chunk & 63] : '=');
	}
	return out;
}

UpgradeHandshake::UpgradeHandshake(std::string_view hostHeader, std::string_view path, const unsigned char key16[16], bool offerDeflate):
	_key(base64(key16, 16)),
	_expectedAccept(ws::computeAcceptKey(_key)),
	_offerDeflate(offerDeflate)
{
	_request.reserve(200);
	_request.append("GET ").append(path).append(" HTTP/1.1\r\nHost: ").append(hostHeader);
	_request.append("\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ").append(_key);
	_request.append("\r\nSec-WebSocket-Version: 13\r\n");
	if (offerDeflate) _request.append("Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n");
	_request.append("\r\n");
}

std::size_t UpgradeHandshake::headEnd(std::string_view received)
{
	const std::size_t at = received.find("\r\n\r\n");
	return at == std::string_view::npos ? 0 : at + 4;
}

std::string UpgradeHandshake::check(std::string_view head) const
{
	std::size_t lineEnd = head.find("\r\n");
	if (lineEnd == std::string_view::npos) return "no status line";
	const std::string_view statusLine = head.substr(0, lineEnd);
	// "HTTP/1.1 101 Switching Protocols": the reason phrase is free text.
	if (statusLine.size() < 12 || statusLine.substr(0, 9) != "HTTP/1.1 ")
		return "bad status line: " + std::string(statusLine.substr(0, 80));
	if (statusLine.substr(9, 3) != "101") return "status " + std::string(statusLine.substr(9, 3)) + " instead of 101";

	bool upgrade = false, connection = false, accept = false;
	std::string extensions;
	std::string acceptValue;
	std::size_t at = lineEnd + 2;
	while (at < head.size())
	{
		lineEnd = head.find("\r\n", at);
		if (lineEnd == std::string_view::npos) lineEnd = head.size();
		const std::string_view line = head.substr(at, lineEnd - at);
		at = lineEnd + 2;
		if (line.empty()) break;
		const std::size_t colon = line.find(':');
		if (colon == std::string_view::npos) return "malformed header line";
		const std::string_view name = line.substr(0, colon);
		const std::string_view value = trim(line.substr(colon + 1));
		if (equalsIgnoreCase(name, "Upgrade")) upgrade = upgrade || listHasToken(value, "websocket");
		else if (equalsIgnoreCase(name, "Connection")) connection = connection || listHasToken(value, "upgrade");
		else if (equalsIgnoreCase(name, "Sec-WebSocket-Accept"))
		{
			if (accept) return "Sec-WebSocket-Accept repeated";
			accept = true;
			acceptValue = value;
		}
		else if (equalsIgnoreCase(name, "Sec-WebSocket-Extensions"))
			extensions += std::string(extensions.empty() ? "" : ", ") + std::string(value);
	}
	if (!upgrade) return "no Upgrade: websocket";
	if (!connection) return "no Connection: upgrade";
	if (!accept) return "no Sec-WebSocket-Accept";
	if (acceptValue != _expectedAccept) return "wrong Sec-WebSocket-Accept " + acceptValue + " (expected " + _expectedAccept + ")";
	// The decoder inflates each message on its own: the server must not
	// keep its context between messages (nor expect us to).
	if (_offerDeflate && extensions.rfind("permessage-deflate", 0) != 0) return "permessage-deflate not accepted";
	if (!_offerDeflate && !extensions.empty()) return "extensions not offered: " + extensions;
	if (_offerDeflate && extensions.find("server_no_context_takeover") == std::string::npos)
		return "permessage-deflate without server_no_context_takeover";
	return {};
}

} // namespace webchat::bench
