#include "ChatServiceImpl.h"

#include "ChatHandler.h"
#include "Clock.h"
#include "JsonWriter.h"
#include "ModerationState.h"
#include "NameRules.h"
#include "ServerEvents.h"

#include "webchat/ErrorText.h"
#include "webchat/engine/Utf8Validator.h"

#include <mutex>

namespace webchat::chatroom {

namespace {

// Who the moderation of the operator API is by, in the audit log and in
// the deleted and kicked events members get.
const std::string OperatorName = "operator";

// Why a moderator's reason is refused; empty when it is not.
std::string reasonProblem(const std::string& reason)
{
	if (reason.size() <= ModerationLimits::MaxReasonBytes && ws::isValidUtf8(reason)) return {};
	return "a reason is UTF-8 of at most " + std::to_string(ModerationLimits::MaxReasonBytes) + " bytes";
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
		// What the room's memory no longer holds comes from the store, which
		// keeps up to retention_count.
		if (snapshot->history.size() < limit)
		{
			const std::uint64_t oldestInMemory = !snapshot->history.empty() ? snapshot->history.front().first : before != 0 ? before : snapshot->lastId + 1;
			for (const auto& message : chat.storedBefore(room->key(), oldestInMemory, limit - snapshot->history.size()))
				result.value.push_back({message.id, ServerEvents::message(message)});
		}
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

ChatService::Result<ChatService::Done> ChatServiceImpl::deleteMessage(const std::string& name, std::uint64_t id)
{
	return withChat<Done>([&](ChatHandler& chat) {
		Result<Done> result;
		if (!loadedRoom(chat, name, result)) return result;
		if (chat.deleteMessage(name, id, OperatorName) == ChatHandler::Outcome::NotFound)
			return Result<Done>::failure(Status::NoSuchMessage, "room " + name + " never had a message " + std::to_string(id));
		return result;
	});
}

ChatService::Result<ChatService::Done> ChatServiceImpl::kick(const std::string& name, const std::string& nick, const std::string& reason)
{
	if (const std::string problem = NameRules::checkRoom(name); !problem.empty()) return Result<Done>::failure(Status::Invalid, problem);
	if (const std::string problem = NameRules::checkNick(nick); !problem.empty()) return Result<Done>::failure(Status::Invalid, problem);
	if (const std::string problem = reasonProblem(reason); !problem.empty()) return Result<Done>::failure(Status::Invalid, problem);
	return withChat<Done>([&](ChatHandler& chat) {
		if (chat.kick(name, nick, reason, OperatorName) == ChatHandler::Outcome::NotFound)
			return Result<Done>::failure(Status::NoSuchMember, "nobody called " + nick + " is in room " + name);
		return Result<Done>{};
	});
}

ChatService::Result<std::uint64_t> ChatServiceImpl::addBan(const BanRequest& request)
{
	using Answer = ChatService::Result<std::uint64_t>;
	if (!request.room.empty())
		if (const std::string problem = NameRules::checkRoom(request.room); !problem.empty()) return Answer::failure(Status::Invalid, problem);
	if (request.nick.empty() && request.address.empty()) return Answer::failure(Status::Invalid, "a ban names a nick, an address or both");
	if (!request.nick.empty())
		if (const std::string problem = NameRules::checkNick(request.nick); !problem.empty()) return Answer::failure(Status::Invalid, problem);
	std::string address;
	if (!request.address.empty())
	{
		const auto canonical = ModerationLimits::canonicalAddress(request.address);
		if (!canonical) return Answer::failure(Status::Invalid, "the address is no IPv4 or IPv6 address");
		address = *canonical;
	}
	if (request.seconds < 1 || request.seconds > ModerationLimits::MaxBanSeconds)
		return Answer::failure(Status::Invalid, "a ban lasts 1 to " + std::to_string(ModerationLimits::MaxBanSeconds) + " seconds");
	if (const std::string problem = reasonProblem(request.reason); !problem.empty()) return Answer::failure(Status::Invalid, problem);
	return withChat<std::uint64_t>([&](ChatHandler& chat) {
		return Answer{Status::Ok, {}, chat.addBan({request.room, request.nick, address, request.seconds, request.reason}, OperatorName).id};
	});
}

ChatService::Result<std::vector<ChatService::Ban>> ChatServiceImpl::bans()
{
	return withChat<std::vector<Ban>>([](ChatHandler& chat) {
		Result<std::vector<Ban>> result;
		for (const auto& ban : chat.bans()) result.value.push_back({ban.id, ban.room, ban.nick, ban.address, ban.reason, ban.untilMs});
		return result;
	});
}

ChatService::Result<ChatService::Done> ChatServiceImpl::removeBan(std::uint64_t id)
{
	return withChat<Done>([&](ChatHandler& chat) {
		if (chat.removeBan(id, OperatorName) == ChatHandler::Outcome::NotFound) return Result<Done>::failure(Status::NoSuchBan, "no ban " + std::to_string(id));
		return Result<Done>{};
	});
}

} // namespace webchat::chatroom
