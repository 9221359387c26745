#include "ChatSession.h"

#include "JsonWriter.h"

namespace webchat::chatroom {

ChatSession::ChatSession(RequestTarget target, const ChatSettings& settings):
	_target(std::move(target)),
	_messages(settings.ratePerSecond, static_cast<double>(settings.rateBurst)),
	_nickChanges(static_cast<double>(settings.nickChangesPerMinute) / 60.0, static_cast<double>(settings.nickChangesPerMinute)),
	_typing(1000.0 / TypingIntervalMs, 1),
	_flood(settings.floodCloseAfter, settings.floodWindowMs)
{
}

void ChatSession::joinedAs(std::string nick)
{
	_joined = true;
	setNick(std::move(nick));
}

bool ChatSession::keepEarlyFrame(ws::Opcode opcode, std::string_view payload)
{
	if (_earlyFrames.size() >= MaxEarlyFrames || _earlyBytes + payload.size() > MaxEarlyBytes) return false;
	_earlyFrames.emplace_back(opcode, std::string(payload));
	_earlyBytes += payload.size();
	return true;
}

std::vector<std::pair<ws::Opcode, std::string>> ChatSession::takeEarlyFrames()
{
	auto frames = std::move(_earlyFrames);
	_earlyFrames.clear();
	_earlyBytes = 0;
	return frames;
}

void ChatSession::setNick(std::string nick)
{
	_escapedNick = JsonWriter::escaped(nick);
	_nick = std::move(nick);
}

} // namespace webchat::chatroom
