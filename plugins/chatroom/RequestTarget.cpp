#include "RequestTarget.h"

#include "NameRules.h"

#include "webchat/PercentDecoding.h"
#include "webchat/engine/Utf8Validator.h"

namespace webchat::chatroom {

namespace {

// Every decoded part of the target must be UTF-8: it becomes a name others
// see, or is compared as text.
std::optional<std::string> decodeUtf8(std::string_view encoded, PlusSign plus)
{
	std::optional<std::string> decoded = percentDecode(encoded, plus);
	if (decoded && !ws::isValidUtf8(*decoded)) decoded.reset();
	return decoded;
}

bool parseSince(std::string_view text, std::uint64_t& value)
{
	if (text.empty()) return false;
	while (text.size() > 1 && text.front() == '0') text.remove_prefix(1);
	if (text.size() > 16) return false; // 2^53 has 16 digits: no overflow below
	value = 0;
	for (const char c : text)
	{
		if (c < '0' || c > '9') return false;
		value = value * 10 + static_cast<std::uint64_t>(c - '0');
	}
	return value <= RequestTarget::MaxSince;
}

bool validEpoch(const std::string& text)
{
	if (text.size() > RequestTarget::MaxEpochLength) return false;
	for (const char c : text)
	{
		const bool letterOrDigit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!letterOrDigit && c != '-' && c != '_') return false;
	}
	return true;
}

bool validToken(const std::string& text)
{
	if (text.size() > RequestTarget::MaxTokenLength) return false;
	for (const char c : text)
	{
		const bool letterOrDigit = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (!letterOrDigit && c != '-' && c != '_' && c != '.') return false;
	}
	return true;
}

} // namespace

RequestTarget RequestTarget::refuse(const char* code, std::string message)
{
	RequestTarget target;
	target._error = ChatError{code, std::move(message), CloseCodes::BadRequest};
	return target;
}

RequestTarget RequestTarget::parse(std::string_view target)
{
	// A fragment is never sent, but must not end up in a name either.
	target = target.substr(0, target.find('#'));
	if (target.empty() || target.front() != '/') return refuse("invalid_room", "the room is the URL's path: ws://host/<room>");
	const std::size_t queryStart = target.find('?');
	const std::string_view path = target.substr(1, queryStart == std::string_view::npos ? std::string_view::npos : queryStart - 1);
	std::string_view query = queryStart == std::string_view::npos ? std::string_view() : target.substr(queryStart + 1);

	RequestTarget result;
	if (path.empty())
	{
		result._room = "lobby";
	}
	else
	{
		std::optional<std::string> room = decodeUtf8(path, PlusSign::Literal);
		if (!room) return refuse("invalid_room", "the room name is not percent-encoded UTF-8");
		result._room = std::move(*room);
		const std::string problem = NameRules::checkRoom(result._room);
		if (!problem.empty()) return refuse("invalid_room", problem);
	}

	bool nickSeen = false;
	bool sinceSeen = false;
	bool epochSeen = false;
	bool tokenSeen = false;
	while (!query.empty())
	{
		const std::size_t end = query.find('&');
		const std::string_view pair = query.substr(0, end);
		query = end == std::string_view::npos ? std::string_view() : query.substr(end + 1);
		const std::size_t equals = pair.find('=');
		const std::string_view key = pair.substr(0, equals);
		const std::string_view raw = equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
		if (key == "nick")
		{
			if (nickSeen) return refuse("invalid_nick", "nick is given more than once");
			nickSeen = true;
			std::optional<std::string> nick = decodeUtf8(raw, PlusSign::Space);
			if (!nick) return refuse("invalid_nick", "the nick is not percent-encoded UTF-8");
			if (nick->empty()) continue;
			const std::string problem = NameRules::checkNick(*nick);
			if (!problem.empty()) return refuse("invalid_nick", problem);
			result._nick = std::move(nick);
		}
		else if (key == "since")
		{
			if (sinceSeen) return refuse("invalid_since", "since is given more than once");
			sinceSeen = true;
			const std::optional<std::string> text = decodeUtf8(raw, PlusSign::Space);
			if (!text) return refuse("invalid_since", "since is not percent-encoded UTF-8");
			if (text->empty()) continue;
			std::uint64_t since = 0;
			if (!parseSince(*text, since)) return refuse("invalid_since", "since must be a message id, a whole number from 0 to " + std::to_string(MaxSince));
			result._since = since;
		}
		else if (key == "epoch")
		{
			if (epochSeen) return refuse("invalid_epoch", "epoch is given more than once");
			epochSeen = true;
			std::optional<std::string> epoch = decodeUtf8(raw, PlusSign::Space);
			if (!epoch) return refuse("invalid_epoch", "epoch is not percent-encoded UTF-8");
			if (epoch->empty()) continue;
			if (!validEpoch(*epoch))
				return refuse("invalid_epoch", "epoch must be the one a welcome gave: up to " + std::to_string(MaxEpochLength) + " letters, digits, - or _");
			result._epoch = std::move(epoch);
		}
		else if (key == "token")
		{
			if (tokenSeen) return refuse("invalid_token", "token is given more than once");
			tokenSeen = true;
			std::optional<std::string> token = decodeUtf8(raw, PlusSign::Space);
			if (!token) return refuse("invalid_token", "the token is not percent-encoded UTF-8");
			if (token->empty()) continue;
			if (!validToken(*token))
				return refuse("invalid_token", "token must be the one a welcome gave or a signed identity: up to " + std::to_string(MaxTokenLength) +
					" letters, digits, -, _ or .");
			result._token = std::move(token);
		}
	}
	return result;
}

} // namespace webchat::chatroom
