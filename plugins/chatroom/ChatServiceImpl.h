//
// ChatServiceImpl.h
//
// The chat listener's ChatService (api/ChatService.h): the rooms of one
// ChatHandler, for other plugins on their own threads. Posting goes
// through the room like a member's message, so with backend = redis it
// reaches every instance.
//
// detach() cuts it from the handler before the plugin shuts down: it waits
// for calls in progress, and every later call answers Unavailable, so a
// plugin that still holds the service never reaches a handler that is gone.
//

#ifndef WEBCHAT_CHATROOM_CHATSERVICEIMPL_INCLUDED
#define WEBCHAT_CHATROOM_CHATSERVICEIMPL_INCLUDED

#include "ChatService.h"

#include <cstddef>
#include <shared_mutex>

namespace webchat::chatroom {

class ChatHandler;

class ChatServiceImpl final: public ChatService
{
public:
	/// maxTextBytes: max_text_bytes, the longest text post() takes.
	ChatServiceImpl(ChatHandler& chat, std::size_t maxTextBytes);

	/// From now on every call answers Unavailable; returns once no call is
	/// in progress. Idempotent.
	void detach();

	Result<std::vector<RoomSummary>> rooms() override;
	Result<std::vector<Member>> members(const std::string& room) override;
	Result<std::vector<StoredMessage>> messages(const std::string& room, std::uint64_t before, std::size_t limit) override;
	Result<Posted> post(const std::string& room, const std::string& nick, const std::string& text) override;
	Result<Done> deleteMessage(const std::string& room, std::uint64_t id) override;
	Result<Done> kick(const std::string& room, const std::string& nick, const std::string& reason) override;
	Result<std::uint64_t> addBan(const BanRequest& ban) override;
	Result<std::vector<Ban>> bans() override;
	Result<Done> removeBan(std::uint64_t id) override;

private:
	// Runs call(handler) while attached, turning whatever it throws into
	// Unavailable: nothing is thrown across the plugins' boundary.
	template <class Value, class Call>
	Result<Value> withChat(Call&& call);

	std::shared_mutex _mutex;
	ChatHandler* _chat; // null once detached
	const std::size_t _maxTextBytes;
};

} // namespace webchat::chatroom

#endif
