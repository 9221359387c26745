#include "ApiRoute.h"

#include "ApiError.h"

#include "webchat/PercentDecoding.h"

#include "Poco/NumberParser.h"

#include <optional>
#include <string_view>
#include <vector>

namespace webchat::admin {

namespace {

constexpr std::string_view prefix = "/api/v1/";
constexpr std::size_t MaxQueryValueBytes = 128;

[[noreturn]] void invalid(const std::string& message)
{
	throw ApiError(400, "invalid_request", message);
}

[[noreturn]] void notFound(const std::string& path)
{
	throw ApiError(404, "not_found", "no such route: " + path + " (see docs/API.md)");
}

std::vector<std::string_view> segmentsOf(std::string_view path)
{
	std::vector<std::string_view> segments;
	while (!path.empty())
	{
		const auto slash = path.find('/');
		segments.push_back(path.substr(0, slash));
		if (slash == std::string_view::npos) break;
		path.remove_prefix(slash + 1);
		if (path.empty()) segments.emplace_back(); // a trailing slash: an empty segment
	}
	return segments;
}

std::uint64_t idOf(std::string_view text, const char* what)
{
	Poco::UInt64 id = 0;
	if (text.empty() || text.size() > 20 || text.find_first_not_of("0123456789") != std::string_view::npos ||
		!Poco::NumberParser::tryParseUnsigned64(std::string(text), id) || id == 0)
		invalid(std::string(what) + " must be a positive whole number");
	return id;
}

std::string roomOf(std::string_view segment)
{
	if (segment.empty()) invalid("the room name is empty");
	if (segment.size() > ApiRoute::MaxRoomSegmentBytes) invalid("the room name is too long");
	const auto decoded = percentDecode(segment, PlusSign::Literal);
	if (!decoded) invalid("the room name has a broken percent escape");
	return *decoded;
}

// The route each method takes on one path; Allow lists them for a 405.
struct PathMethods
{
	const char* allow;
	std::optional<ApiRoute::Kind> get;
	std::optional<ApiRoute::Kind> post;
	std::optional<ApiRoute::Kind> remove;
};

ApiRoute::Kind pick(const std::string& method, const PathMethods& path)
{
	const std::optional<ApiRoute::Kind> none;
	const auto& kind = method == "GET" ? path.get : method == "POST" ? path.post : method == "DELETE" ? path.remove : none;
	if (!kind) throw ApiError(405, "method_not_allowed", method.substr(0, 16) + " is not allowed here; allowed: " + path.allow, path.allow);
	return *kind;
}

void readQuery(std::string_view query, ApiRoute& route)
{
	bool seenBefore = false;
	bool seenLimit = false;
	bool seenListener = false;
	while (!query.empty())
	{
		const auto amp = query.find('&');
		const std::string_view pair = query.substr(0, amp);
		query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
		if (pair.empty()) continue;
		const auto eq = pair.find('=');
		const std::string_view name = pair.substr(0, eq);
		const std::string_view raw = eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
		if (raw.size() > MaxQueryValueBytes) invalid("the value of " + std::string(name) + " is too long");
		const auto value = percentDecode(raw, PlusSign::Space);
		if (!value) invalid("the value of " + std::string(name) + " has a broken percent escape");
		auto once = [&](bool& seen) {
			if (seen) invalid(std::string(name) + " is given twice");
			seen = true;
		};
		if (name == "listener")
		{
			once(seenListener);
			if (value->empty()) invalid("listener is empty");
			route.listener = *value;
		}
		else if (name == "before" && route.kind == ApiRoute::Kind::ListMessages)
		{
			once(seenBefore);
			route.before = idOf(*value, "before");
		}
		else if (name == "limit" && route.kind == ApiRoute::Kind::ListMessages)
		{
			once(seenLimit);
			const std::uint64_t limit = idOf(*value, "limit");
			route.limit = limit > ApiRoute::MaxLimit ? ApiRoute::MaxLimit : static_cast<std::size_t>(limit);
		}
		else
		{
			invalid("unknown query parameter " + std::string(name).substr(0, 64) + " for this route");
		}
	}
}

} // namespace

ApiRoute ApiRoute::parse(const std::string& method, const std::string& target)
{
	if (target.size() > MaxTargetBytes) throw ApiError(414, "uri_too_long", "the request target is longer than " + std::to_string(MaxTargetBytes) + " bytes");
	std::string_view path = target;
	std::string_view query;
	const auto question = path.find('?');
	if (question != std::string_view::npos)
	{
		query = path.substr(question + 1);
		path = path.substr(0, question);
	}
	const std::string shownPath(path.substr(0, 200));
	if (path.substr(0, prefix.size()) != prefix) notFound(shownPath);
	const auto segments = segmentsOf(path.substr(prefix.size()));

	ApiRoute route;
	if (segments.size() == 1 && segments[0] == "rooms")
	{
		route.kind = pick(method, {"GET", Kind::ListRooms, {}, {}});
	}
	else if (segments.size() == 3 && segments[0] == "rooms" && segments[2] == "users")
	{
		route.kind = pick(method, {"GET", Kind::ListUsers, {}, {}});
		route.room = roomOf(segments[1]);
	}
	else if (segments.size() == 3 && segments[0] == "rooms" && segments[2] == "messages")
	{
		route.kind = pick(method, {"GET, POST", Kind::ListMessages, Kind::AddMessage, {}});
		route.room = roomOf(segments[1]);
	}
	else if (segments.size() == 4 && segments[0] == "rooms" && segments[2] == "messages")
	{
		route.kind = pick(method, {"DELETE", {}, {}, Kind::DeleteMessage});
		route.room = roomOf(segments[1]);
		route.id = idOf(segments[3], "the message id");
	}
	else if (segments.size() == 3 && segments[0] == "rooms" && segments[2] == "kick")
	{
		route.kind = pick(method, {"POST", {}, Kind::Kick, {}});
		route.room = roomOf(segments[1]);
	}
	else if (segments.size() == 1 && segments[0] == "bans")
	{
		route.kind = pick(method, {"GET, POST", Kind::ListBans, Kind::AddBan, {}});
	}
	else if (segments.size() == 2 && segments[0] == "bans")
	{
		route.kind = pick(method, {"DELETE", {}, {}, Kind::RemoveBan});
		route.id = idOf(segments[1], "the ban id");
	}
	else
	{
		notFound(shownPath);
	}
	readQuery(query, route);
	return route;
}

} // namespace webchat::admin
