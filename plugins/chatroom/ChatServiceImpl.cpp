#include "ChatServiceImpl.h"

#include "ChatHandler.h"
#include "Clock.h"
#include "JsonWriter.h"
#include "NameRules.h"
#include "ServerEvents.h"

#include "webchat/ErrorText.h"
#include "webchat/engine/Utf8Validator.h"

#include <mutex>

namespace webchat::chatroom {

namespace {

// What the moderation calls answer until the chat room takes the commands.
template <class Value>
ChatService::Result<Value> notImplemented(const char* what)
{
	return ChatService::Result<Value>::failure(ChatService::Status::NotImplemented, std::string(what) + " is not implemented by this chat room yet");
}

} // namespace

ChatServiceImpl::ChatServiceImpl(ChatHandler& chat, std::size_t maxTextBytes):
	_chat(&chat),
	_maxTextBytes(maxTextBytes)
{
}

void ChatServiceImpl::detach()
{
	std::unique_lock<std::shared_mutex> lock(_mutex);
	_chat = nullptr;
}

template <class Value, class Call>
ChatService::Result<Value> ChatServiceImpl::withChat(Call&& call)
{
	std::shared_lock<std::shared_mutex> lock(_mutex);
	if (!_chat) return Result<Value>::failure(Status::Unavailable, "the chat listener has shut down");
	try
	{
		return call(*_chat);
	}
	catch (const std::exception& exc)
	{
		return Result<Value>::failure(Status::Unavailable, "the chat room failed: " + describe(exc));
	}
}

ChatService::Result<std::vector<ChatService::RoomSummary>> ChatServiceImpl::rooms()
{
	return withChat<std::vector<RoomSummary>>([](ChatHandler& chat) {
		Result<std::vector<RoomSummary>> result;
		for (const auto& room : chat.allRooms())
		{
			const auto snapshot = room->snapshot(0, 0);
			if (snapshot) result.value.push_back({room->name(), snapshot->members.size(), snapshot->lastId});
		}
		return result;
	});
}

namespace {

// The room of that name, loaded, or why not.
template <class Value>
std::shared_ptr<Room> loadedRoom(ChatHandler& chat, const std::string& name, ChatService::Result<Value>& failure)
{
	const std::string problem = NameRules::checkRoom(name);
	if (!problem.empty())
	{
		failure = ChatService::Result<Value>::failure(ChatService::Status::Invalid, problem);
		return nullptr;
	}
	auto room = chat.findRoom(name);
	if (!room) failure = ChatService::Result<Value>::failure(ChatService::Status::NoSuchRoom, "no room " + name + " on this server");
	return room;
}

} // namespace

ChatService::Result<std::vector<ChatService::Member>> ChatServiceImpl::members(const std::string& name)
{
	return withChat<std::vector<Member>>([&](ChatHandler& chat) {
		Result<std::vector<Member>> result;
		const auto room = loadedRoom(chat, name, result);
		if (!room) return result;
		const auto snapshot = room->snapshot(0, 0);
		if (!snapshot) return Result<std::vector<Member>>::failure(Status::Unavailable, "room " + name + " is not loaded yet (its shared backend is unreachable)");
		for (const auto& member : snapshot->members)
			result.value.push_back({member.nick, member.speaker.from, member.speaker.verified, member.address});
		return result;
	});
}

ChatService::Result<std::vector<ChatService::StoredMessage>> ChatServiceImpl::messages(const std::string& name, std::uint64_t before, std::size_t limit)
{
	return withChat<std::vector<StoredMessage>>([&](ChatHandler& chat) {
		Result<std::vector<StoredMessage>> result;
		const auto room = loadedRoom(chat, name, result);
		if (!room) return result;
		auto snapshot = room->snapshot(before, limit);
		if (!snapshot) return Result<std::vector<StoredMessage>>::failure(Status::Unavailable, "room " + name + " is not loaded yet (its shared backend is unreachable)");
		for (auto& [id, json] : snapshot->history) result.value.push_back({id, std::move(json)});
		return result;
	});
}

ChatService::Result<ChatService::Posted> ChatServiceImpl::post(const std::string& name, const std::string& nick, const std::string& text)
{
	const std::string nickProblem = NameRules::checkNick(nick);
	if (!nickProblem.empty()) return Result<Posted>::failure(Status::Invalid, nickProblem);
	if (text.empty()) return Result<Posted>::failure(Status::Invalid, "the text is empty");
	if (text.size() > _maxTextBytes)
		return Result<Posted>::failure(Status::Invalid, "a message may have at most " + std::to_string(_maxTextBytes) + " bytes");
	if (!ws::isValidUtf8(text)) return Result<Posted>::failure(Status::Invalid, "the text is not valid UTF-8");
	return withChat<Posted>([&](ChatHandler& chat) {
		Result<Posted> result;
		const auto room = loadedRoom(chat, name, result);
		if (!room) return result;
		// Only a loaded room numbers its messages.
		if (!room->snapshot(0, 0)) return Result<Posted>::failure(Status::Unavailable, "room " + name + " is not loaded yet (its shared backend is unreachable)");
		std::string tail;
		const std::int64_t ts = wallClockMs();
		ServerEvents::appendMessageTail(tail, JsonWriter::escaped(nick), text, ts);
		switch (room->post(nick, ServerEvents::Sender{}, text, ts, tail, &result.value.id))
		{
		case SharedRooms::Posted::Sent:
			break;
		case SharedRooms::Posted::Delayed:
			result.value.queued = true;
			break;
		case SharedRooms::Posted::Refused:
			return Result<Posted>::failure(Status::Unavailable, "the queue to the shared backend is full (unreachable or overloaded); the message was not sent");
		}
		return result;
	});
}

ChatService::Result<ChatService::Done> ChatServiceImpl::deleteMessage(const std::string&, std::uint64_t)
{
	return notImplemented<Done>("deleting a message");
}

ChatService::Result<ChatService::Done> ChatServiceImpl::kick(const std::string&, const std::string&, const std::string&)
{
	return notImplemented<Done>("kicking");
}

ChatService::Result<std::uint64_t> ChatServiceImpl::addBan(const BanRequest&)
{
	return notImplemented<std::uint64_t>("banning");
}

ChatService::Result<std::vector<ChatService::Ban>> ChatServiceImpl::bans()
{
	return notImplemented<std::vector<Ban>>("listing bans");
}

ChatService::Result<ChatService::Done> ChatServiceImpl::removeBan(std::uint64_t)
{
	return notImplemented<Done>("lifting a ban");
}

} // namespace webchat::chatroom
