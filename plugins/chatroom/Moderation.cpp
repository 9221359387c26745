#include "Moderation.h"

#include "Clock.h"
#include "JsonWriter.h"

#include "webchat/ErrorText.h"

namespace webchat::chatroom {

namespace {

// Expired bans and mutes are forgotten at most this often.
constexpr std::int64_t PruneIntervalMs = 60 * 1000;

std::string targetOf(const std::string& nick, const std::string& address)
{
	if (nick.empty()) return address;
	return address.empty() ? nick : nick + " " + address;
}

} // namespace

Moderation::Moderation(ModerationStore& store, Poco::Logger& audit, Poco::Logger& logger, WallClock clock):
	_store(store),
	_audit(audit),
	_logger(logger),
	_clock(clock ? std::move(clock) : WallClock(wallClockMs))
{
}

void Moderation::load()
{
	ModerationStore::Records records;
	{
		std::lock_guard<std::mutex> lock(_storeMutex);
		records = _store.load();
	}
	std::lock_guard<std::mutex> lock(_mutex);
	_state.restore(std::move(records.bans), std::move(records.mutes), std::move(records.rooms));
	_state.prune(_clock());
	updateMessageRules();
	_loaded.store(true, std::memory_order_release);
}

void Moderation::loadIfNeeded()
{
	constexpr std::int64_t RetryMs = 5000;
	if (_loaded.load(std::memory_order_acquire)) return;
	const std::int64_t now = steadyMs();
	std::int64_t triedAt = _loadTriedAt.load(std::memory_order_relaxed);
	if (triedAt != 0 && now - triedAt < RetryMs) return;
	// One thread tries; the others go on with what is in memory.
	if (!_loadTriedAt.compare_exchange_strong(triedAt, now)) return;
	try
	{
		load();
		_logger.information("moderation: bans, mutes and room rules read");
	}
	catch (const std::exception& exc)
	{
		_logger.error("moderation: cannot read bans, mutes and room rules (" + webchat::describe(exc) + "); a join tries again, every 5 seconds at most");
	}
}

void Moderation::updateMessageRules()
{
	bool any = !_state.mutes(_clock()).empty();
	for (const auto& [room, rules] : _state.allRules()) any = any || rules.slowmodeSeconds > 0;
	_messageRules.store(any, std::memory_order_release);
}

void Moderation::store(const std::string& what, const std::function<void()>& write)
{
	std::lock_guard<std::mutex> lock(_storeMutex);
	try
	{
		write();
	}
	catch (const std::exception& exc)
	{
		_logger.error("moderation: cannot store " + what + " (" + webchat::describe(exc) + "); it holds until this webchatd stops");
	}
}

std::optional<Ban> Moderation::banOf(const std::string& room, const Subject& subject) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _state.banOf(room, subject, _clock());
}

std::int64_t Moderation::mutedFor(const std::string& room, const Subject& subject) const
{
	if (!_messageRules.load(std::memory_order_acquire)) return 0;
	std::lock_guard<std::mutex> lock(_mutex);
	return _state.mutedFor(room, subject, _clock());
}

std::int64_t Moderation::takeTurn(const std::string& room, const Subject& subject)
{
	if (!_messageRules.load(std::memory_order_acquire)) return 0;
	const std::int64_t now = _clock();
	std::lock_guard<std::mutex> lock(_mutex);
	if (now - _prunedAt >= PruneIntervalMs)
	{
		_state.prune(now);
		_prunedAt = now;
		updateMessageRules();
	}
	return _state.takeTurn(room, subject, now);
}

RoomRules Moderation::rules(const std::string& room) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	const RoomRules* rules = _state.rules(room);
	return rules ? *rules : RoomRules{};
}

Ban Moderation::addBan(Ban ban, std::optional<std::int64_t> seconds)
{
	ban.untilMs = seconds ? _clock() + *seconds * 1000 : 0;
	{
		std::lock_guard<std::mutex> lock(_storeMutex);
		try
		{
			ban.id = _store.addBan(ban);
		}
		catch (const std::exception& exc)
		{
			_logger.error("moderation: cannot store a ban (" + webchat::describe(exc) + "); it holds until this webchatd stops");
		}
	}
	{
		std::lock_guard<std::mutex> lock(_mutex);
		// Unstored, it still needs an id of its own (past every live one).
		if (ban.id == 0)
		{
			const auto all = _state.bans(0);
			ban.id = (all.empty() ? 0 : all.back().id) + 1;
		}
		_state.addBan(ban);
	}
	audit(ban.by, "ban", targetOf(ban.nick, ban.address), ban.room, ban.reason + (seconds ? " (" + std::to_string(*seconds) + " s)" : " (permanent)"));
	return ban;
}

void Moderation::completeBan(std::uint64_t id, const std::string& holder)
{
	std::optional<Ban> completed;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		completed = _state.setHolder(id, holder);
	}
	if (completed) store("the holder of ban " + std::to_string(id), [&] { _store.updateBan(*completed); });
}

void Moderation::completeMute(const std::string& room, const std::string& nickKey, const std::string& holder)
{
	std::optional<Mute> completed;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		completed = _state.setMuteHolder(room, nickKey, holder);
	}
	if (completed) store("the holder of a mute", [&] { _store.saveMute(*completed); });
}

std::vector<Mute> Moderation::mutes() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _state.mutes(_clock());
}

std::optional<Ban> Moderation::removeBan(std::uint64_t id, const std::string& by)
{
	std::optional<Ban> removed;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		removed = _state.removeBan(id);
	}
	if (!removed) return removed;
	store("the lifting of ban " + std::to_string(id), [&] { _store.removeBan(id); });
	audit(by, "unban", targetOf(removed->nick, removed->address), removed->room);
	return removed;
}

std::vector<Ban> Moderation::unban(const std::string& room, const std::string& nickKey, const std::string& address, const std::string& by)
{
	std::vector<Ban> removed;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		removed = _state.bansMatching(room, nickKey, address, _clock());
		for (const Ban& ban : removed) _state.removeBan(ban.id);
	}
	for (const Ban& ban : removed)
	{
		store("the lifting of ban " + std::to_string(ban.id), [&] { _store.removeBan(ban.id); });
		audit(by, "unban", targetOf(ban.nick, ban.address), room);
	}
	return removed;
}

std::vector<Ban> Moderation::bans() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _state.bans(_clock());
}

void Moderation::mute(Mute mute, std::int64_t seconds)
{
	mute.untilMs = _clock() + seconds * 1000;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		if (seconds > 0)
			_state.mute(mute);
		else
			_state.unmute(mute.room, mute.nickKey);
		updateMessageRules();
	}
	if (seconds > 0)
		store("a mute", [&] { _store.saveMute(mute); });
	else
		store("the lifting of a mute", [&] { _store.removeMute(mute.room, mute.nickKey); });
	audit(mute.by, seconds > 0 ? "mute" : "unmute", mute.nick, mute.room, seconds > 0 ? std::to_string(seconds) + " s" : std::string());
}

void Moderation::setSlowmode(const std::string& room, std::int64_t seconds, const std::string& by)
{
	RoomRules rules;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_state.setSlowmode(room, seconds);
		if (const RoomRules* now = _state.rules(room)) rules = *now;
		updateMessageRules();
	}
	store("the slow mode of room " + room, [&] { _store.saveRules(room, rules); });
	audit(by, "slowmode", room, room, std::to_string(seconds) + " s");
}

void Moderation::setTopic(const std::string& room, const std::string& text, const std::string& by)
{
	RoomRules rules;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_state.setTopic(room, text, by);
		if (const RoomRules* now = _state.rules(room)) rules = *now;
	}
	store("the topic of room " + room, [&] { _store.saveRules(room, rules); });
	audit(by, "topic", room, room, text);
}

void Moderation::audit(const std::string& by, const std::string& action, const std::string& target, const std::string& room, const std::string& reason) const
{
	// Values quoted and escaped: a reason or topic cannot forge a line.
	std::string line = "by=";
	JsonWriter::appendString(line, by);
	line += " action=" + action + " target=";
	JsonWriter::appendString(line, target);
	line += " room=";
	JsonWriter::appendString(line, room.empty() ? "*" : room);
	line += " reason=";
	JsonWriter::appendString(line, reason);
	_audit.notice(line);
}

} // namespace webchat::chatroom
