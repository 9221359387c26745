//
// ModerationTargets.h
//
// The members this instance holds, by room and nick comparison key: whom a
// kick or a ban reaches, and who holds a nick when a moderator bans or
// mutes it (its public id, so the ban follows the identity or nick token
// and not only the nick), and whom a typing notice goes to. Any thread;
// one short lock per call.
//

#ifndef WEBCHAT_CHATROOM_MODERATIONTARGETS_INCLUDED
#define WEBCHAT_CHATROOM_MODERATIONTARGETS_INCLUDED

#include "ModerationState.h"

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace webchat::chatroom {

template <class Handle>
class ModerationTargets
{
public:
	struct Target
	{
		std::string room;
		std::string nick;
		Subject subject; // nickKey, from, address
		Handle handle;   // reaches its connection
	};

	void add(Target target)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto key = std::make_pair(target.room, target.subject.nickKey);
		_targets[std::move(key)] = std::move(target);
	}

	void remove(const std::string& room, const std::string& nickKey)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_targets.erase({room, nickKey});
	}

	/// The member of room called nick (by key) is now called newNick.
	void rename(const std::string& room, const std::string& nickKey, const std::string& newNick, const std::string& newKey)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const auto it = _targets.find({room, nickKey});
		if (it == _targets.end()) return;
		Target target = std::move(it->second);
		_targets.erase(it);
		target.nick = newNick;
		target.subject.nickKey = newKey;
		_targets[{room, newKey}] = std::move(target);
	}

	/// The member of room with that nick key; room empty: of any room.
	std::optional<Target> find(const std::string& room, const std::string& nickKey) const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (room.empty())
		{
			for (const auto& [key, target] : _targets)
				if (key.second == nickKey) return target;
			return std::nullopt;
		}
		const auto it = _targets.find({room, nickKey});
		if (it == _targets.end()) return std::nullopt;
		return it->second;
	}

	/// The handles of room's members but the one of nickKey; none when
	/// there are more than max of them. Also whom a typing notice reaches.
	std::vector<Handle> othersIn(const std::string& room, const std::string& nickKey, std::size_t max) const
	{
		std::vector<Handle> result;
		std::lock_guard<std::mutex> lock(_mutex);
		for (auto it = _targets.lower_bound({room, std::string()}); it != _targets.end() && it->first.first == room; ++it)
		{
			if (it->first.second == nickKey) continue;
			if (result.size() == max) return {};
			result.push_back(it->second.handle);
		}
		return result;
	}

	/// The members ban keeps out (in its room, or every room for a ban of
	/// every room).
	std::vector<Target> bannedBy(const Ban& ban) const
	{
		std::vector<Target> result;
		std::lock_guard<std::mutex> lock(_mutex);
		for (const auto& [key, target] : _targets)
		{
			if ((ban.room.empty() || ban.room == target.room) && ban.matches(target.subject)) result.push_back(target);
		}
		return result;
	}

private:
	mutable std::mutex _mutex;
	std::map<std::pair<std::string, std::string>, Target> _targets;
};

} // namespace webchat::chatroom

#endif
