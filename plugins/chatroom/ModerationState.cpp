#include "ModerationState.h"

#include "Poco/Net/IPAddress.h"

#include <algorithm>

namespace webchat::chatroom {

std::optional<std::string> ModerationLimits::canonicalAddress(const std::string& text)
{
	const bool dotted = std::count(text.begin(), text.end(), '.') == 3 && text.find_first_not_of("0123456789.") == std::string::npos;
	Poco::Net::IPAddress address;
	if ((text.find(':') == std::string::npos && !dotted) || !Poco::Net::IPAddress::tryParse(text, address)) return std::nullopt;
	return address.toString();
}

namespace {

bool holds(const std::string& key, const std::string& holder, const Subject& subject)
{
	return (!key.empty() && key == subject.nickKey) || (!holder.empty() && holder == subject.from);
}

// Ends later: a permanent one (0) beyond any other.
bool endsLater(std::int64_t a, std::int64_t b)
{
	if (a == 0) return b != 0;
	return b != 0 && a > b;
}

} // namespace

bool Ban::matches(const Subject& subject) const
{
	return holds(nickKey, holder, subject) || (!address.empty() && address == subject.address);
}

void ModerationState::restore(std::vector<Ban> bans, std::vector<Mute> mutes, std::map<std::string, RoomRules> rooms)
{
	_bans.clear();
	for (auto& ban : bans) _bans.emplace(ban.id, std::move(ban));
	_mutes = std::move(mutes);
	_rooms = std::move(rooms);
}

void ModerationState::addBan(Ban ban)
{
	const std::uint64_t id = ban.id;
	_bans[id] = std::move(ban);
}

std::optional<Ban> ModerationState::removeBan(std::uint64_t id)
{
	const auto it = _bans.find(id);
	if (it == _bans.end()) return std::nullopt;
	Ban removed = std::move(it->second);
	_bans.erase(it);
	return removed;
}

std::optional<Ban> ModerationState::setHolder(std::uint64_t id, const std::string& holder)
{
	const auto it = _bans.find(id);
	if (it == _bans.end() || !it->second.holder.empty() || holder.empty()) return std::nullopt;
	it->second.holder = holder;
	return it->second;
}

std::vector<Ban> ModerationState::bansMatching(const std::string& room, const std::string& nickKey, const std::string& address, std::int64_t now) const
{
	std::vector<Ban> result;
	for (const auto& [id, ban] : _bans)
	{
		if (ban.room != room || !live(ban.untilMs, now)) continue;
		const bool matches = nickKey.empty() ? (!address.empty() && ban.address == address) : ban.nickKey == nickKey;
		if (matches) result.push_back(ban);
	}
	return result;
}

std::vector<Ban> ModerationState::bans(std::int64_t now) const
{
	std::vector<Ban> result;
	for (const auto& [id, ban] : _bans)
		if (live(ban.untilMs, now)) result.push_back(ban);
	return result;
}

std::optional<Ban> ModerationState::banOf(const std::string& room, const Subject& subject, std::int64_t now) const
{
	const Ban* found = nullptr;
	for (const auto& [id, ban] : _bans)
	{
		if (!ban.room.empty() && ban.room != room) continue;
		if (!live(ban.untilMs, now)) continue;
		if (ban.matches(subject) && (!found || endsLater(ban.untilMs, found->untilMs))) found = &ban;
	}
	if (!found) return std::nullopt;
	return *found;
}

void ModerationState::mute(Mute mute)
{
	unmute(mute.room, mute.nickKey);
	_mutes.push_back(std::move(mute));
}

bool ModerationState::unmute(const std::string& room, const std::string& nickKey)
{
	const auto end = std::remove_if(_mutes.begin(), _mutes.end(), [&](const Mute& mute) { return mute.room == room && mute.nickKey == nickKey; });
	const bool removed = end != _mutes.end();
	_mutes.erase(end, _mutes.end());
	return removed;
}

std::int64_t ModerationState::mutedFor(const std::string& room, const Subject& subject, std::int64_t now) const
{
	std::int64_t remaining = 0;
	for (const Mute& mute : _mutes)
	{
		if (mute.room != room || mute.untilMs <= now || !holds(mute.nickKey, mute.holder, subject)) continue;
		remaining = std::max(remaining, mute.untilMs - now);
	}
	return remaining;
}

std::optional<Mute> ModerationState::setMuteHolder(const std::string& room, const std::string& nickKey, const std::string& holder)
{
	const auto it = std::find_if(_mutes.begin(), _mutes.end(), [&](const Mute& mute) { return mute.room == room && mute.nickKey == nickKey; });
	if (it == _mutes.end() || !it->holder.empty() || holder.empty()) return std::nullopt;
	it->holder = holder;
	return *it;
}

std::vector<Mute> ModerationState::mutes(std::int64_t now) const
{
	std::vector<Mute> result;
	for (const Mute& mute : _mutes)
		if (mute.untilMs > now) result.push_back(mute);
	return result;
}

void ModerationState::setSlowmode(const std::string& room, std::int64_t seconds)
{
	RoomRules& rules = _rooms[room];
	rules.slowmodeSeconds = seconds;
	if (seconds == 0) _lastPosts.erase(room);
	if (rules.empty()) _rooms.erase(room);
}

void ModerationState::setTopic(const std::string& room, std::string text, std::string by)
{
	RoomRules& rules = _rooms[room];
	rules.topic = std::move(text);
	rules.topicBy = rules.topic.empty() ? std::string() : std::move(by);
	if (rules.empty()) _rooms.erase(room);
}

const RoomRules* ModerationState::rules(const std::string& room) const
{
	const auto it = _rooms.find(room);
	return it == _rooms.end() ? nullptr : &it->second;
}

std::int64_t ModerationState::takeTurn(const std::string& room, const Subject& subject, std::int64_t now)
{
	const RoomRules* roomRules = rules(room);
	if (!roomRules || roomRules->slowmodeSeconds == 0) return 0;
	const std::int64_t interval = roomRules->slowmodeSeconds * 1000;
	const std::string speaker = subject.from.empty() ? "nick:" + subject.nickKey : subject.from;
	auto& lastPosts = _lastPosts[room];
	const auto [it, first] = lastPosts.emplace(speaker, now);
	if (first) return 0;
	const std::int64_t wait = it->second + interval - now;
	if (wait > 0) return wait;
	it->second = now;
	return 0;
}

void ModerationState::prune(std::int64_t now)
{
	for (auto it = _bans.begin(); it != _bans.end();)
		it = live(it->second.untilMs, now) ? std::next(it) : _bans.erase(it);
	_mutes.erase(std::remove_if(_mutes.begin(), _mutes.end(), [&](const Mute& mute) { return mute.untilMs <= now; }), _mutes.end());
	for (auto room = _lastPosts.begin(); room != _lastPosts.end();)
	{
		const RoomRules* roomRules = rules(room->first);
		const std::int64_t interval = roomRules ? roomRules->slowmodeSeconds * 1000 : 0;
		auto& posts = room->second;
		for (auto post = posts.begin(); post != posts.end();)
			post = post->second + interval <= now ? posts.erase(post) : std::next(post);
		room = posts.empty() ? _lastPosts.erase(room) : std::next(room);
	}
}

} // namespace webchat::chatroom
