#include "webchat/engine/OriginPolicy.h"

#include "Poco/Exception.h"
#include "Poco/NumberParser.h"
#include "Poco/String.h"
#include "Poco/StringTokenizer.h"

namespace webchat::engine {

OriginPolicy::OriginPolicy(const std::string& list)
{
	Poco::StringTokenizer entries(list, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
	for (const auto& entry : entries)
	{
		if (entry == "*")
		{
			_any = true;
		}
		else if (Poco::icompare(entry, "self") == 0)
		{
			_selfAnyPort = true;
		}
		else if (Poco::icompare(entry.substr(0, 5), "self:") == 0)
		{
			int port = 0;
			if (!Poco::NumberParser::tryParse(entry.substr(5), port) || port < 1 || port > 65535)
				throw Poco::InvalidArgumentException("allowed_origins: bad port in", entry);
			_selfPorts.push_back(port);
		}
		else
		{
			Origin origin;
			if (!parseOrigin(entry, origin))
				throw Poco::InvalidArgumentException("allowed_origins: not an origin (scheme://host[:port]), '*', 'self' or 'self:PORT'", entry);
			_exact.push_back(origin);
		}
	}
}

bool OriginPolicy::parseOrigin(const std::string& text, Origin& origin)
{
	const auto schemeEnd = text.find("://");
	if (schemeEnd == std::string::npos) return false;
	origin.scheme = Poco::toLower(text.substr(0, schemeEnd));
	if (origin.scheme != "http" && origin.scheme != "https") return false;
	std::string authority = text.substr(schemeEnd + 3);
	if (!authority.empty() && authority.back() == '/') authority.pop_back();
	if (authority.empty() || authority.find_first_of("/?#@ ") != std::string::npos) return false;
	std::string portText;
	if (authority[0] == '[')
	{
		const auto close = authority.find(']');
		if (close == std::string::npos) return false;
		origin.host = Poco::toLower(authority.substr(0, close + 1));
		if (close + 1 < authority.size())
		{
			if (authority[close + 1] != ':') return false;
			portText = authority.substr(close + 2);
		}
	}
	else
	{
		const auto colon = authority.find(':');
		origin.host = Poco::toLower(authority.substr(0, colon));
		if (colon != std::string::npos) portText = authority.substr(colon + 1);
	}
	if (origin.host.empty()) return false;
	origin.port = origin.scheme == "https" ? 443 : 80;
	if (!portText.empty() && (!Poco::NumberParser::tryParse(portText, origin.port) || origin.port < 1 || origin.port > 65535))
		return false;
	return true;
}

std::string OriginPolicy::hostOf(const std::string& hostHeader)
{
	Origin parsed;
	if (!parseOrigin("http://" + hostHeader, parsed)) return {};
	return parsed.host;
}

bool OriginPolicy::allows(const std::string& origin, const std::string& host) const
{
	if (origin.empty() || _any) return true;
	Origin parsed;
	if (!parseOrigin(origin, parsed)) return false; // includes "null"
	for (const auto& exact : _exact)
	{
		if (exact.scheme == parsed.scheme && exact.host == parsed.host && exact.port == parsed.port) return true;
	}
	if (!_selfAnyPort && _selfPorts.empty()) return false;
	const std::string requestHost = hostOf(host);
	if (requestHost.empty() || requestHost != parsed.host) return false;
	if (_selfAnyPort) return true;
	for (int port : _selfPorts)
	{
		if (port == parsed.port) return true;
	}
	return false;
}

} // namespace webchat::engine
