#include "Freshness.h"

#include "HttpDate.h"

#include "Poco/NumberFormatter.h"

namespace webchat {
namespace page {

namespace {

bool isSpace(char c)
{
	return c == ' ' || c == '\t';
}

// The opaque tag (quotes included) without a W/ prefix.
std::string opaque(const std::string& tag)
{
	return tag.compare(0, 2, "W/") == 0 ? tag.substr(2) : tag;
}

} // namespace

std::string Freshness::entityTag(Poco::UInt64 size, const Poco::Timestamp& modified)
{
	return "\"" + Poco::NumberFormatter::formatHex(size) + "-" +
		Poco::NumberFormatter::formatHex(static_cast<Poco::UInt64>(modified.epochMicroseconds())) + "\"";
}

bool Freshness::matchesAny(const std::string& ifNoneMatch, const std::string& entityTag)
{
	const std::string wanted = opaque(entityTag);
	std::string::size_type i = 0;
	const auto skipSeparators = [&]()
	{
		while (i < ifNoneMatch.size() && (isSpace(ifNoneMatch[i]) || ifNoneMatch[i] == ',')) ++i;
	};
	skipSeparators();
	if (ifNoneMatch.compare(i, std::string::npos, "*") == 0) return true;
	while (i < ifNoneMatch.size())
	{
		const std::string::size_type start = i;
		if (ifNoneMatch.compare(i, 2, "W/") == 0) i += 2;
		if (i >= ifNoneMatch.size() || ifNoneMatch[i] != '"') return false;
		const std::string::size_type close = ifNoneMatch.find('"', i + 1);
		if (close == std::string::npos) return false;
		if (opaque(ifNoneMatch.substr(start, close + 1 - start)) == wanted) return true;
		i = close + 1;
		// Tags are separated by a comma, not just juxtaposed.
		while (i < ifNoneMatch.size() && isSpace(ifNoneMatch[i])) ++i;
		if (i < ifNoneMatch.size() && ifNoneMatch[i] != ',') return false;
		skipSeparators();
	}
	return false;
}

bool Freshness::notModified(const std::optional<std::string>& ifNoneMatch,
	const std::optional<std::string>& ifModifiedSince,
	const std::string& entityTag, const Poco::Timestamp& modified, const Poco::Timestamp& now)
{
	if (ifNoneMatch) return matchesAny(*ifNoneMatch, entityTag);
	if (!ifModifiedSince) return false;
	Poco::Timestamp since;
	// An invalid date, or one from the future, is ignored (RFC 9110, 13.1.3).
	if (!HttpDate::parse(*ifModifiedSince, since) || since > now) return false;
	const Poco::Timestamp::TimeVal second = Poco::Timestamp::resolution();
	const Poco::Timestamp modifiedSecond(modified.epochMicroseconds() - modified.epochMicroseconds() % second);
	return modifiedSecond <= since;
}

} } // namespace webchat::page
