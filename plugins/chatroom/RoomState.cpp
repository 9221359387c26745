#include "RoomState.h"

#include <algorithm>

namespace webchat::chatroom {

RoomState::RoomState(const Limits& limits):
	_limits(limits),
	_ring(limits.historySize)
{
}

RoomState::Join RoomState::join(const Name& nick, bool verified)
{
	if (hasMember(nick.key)) return Join::NickTaken;
	if (_members.size() >= _limits.maxUsers) return Join::Full;
	_members.push_back(nick);
	if (verified) _verified.insert(nick.key);
	return Join::Joined;
}

bool RoomState::addRemote(const Name& nick)
{
	if (hasMember(nick.key)) return false;
	_members.push_back(nick);
	return true;
}

bool RoomState::leave(const std::string& key)
{
	const auto it = findMember(key);
	if (it == _members.end()) return false;
	_members.erase(it);
	_verified.erase(key);
	return true;
}

RoomState::Rename RoomState::rename(const std::string& fromKey, const Name& to)
{
	const auto it = findMember(fromKey);
	if (it == _members.end()) return Rename::NotMember;
	if (it->shown == to.shown) return Rename::Unchanged;
	if (to.key != fromKey && hasMember(to.key)) return Rename::Taken;
	*it = to;
	if (_verified.erase(fromKey) != 0) _verified.insert(to.key);
	return Rename::Renamed;
}

void RoomState::setVerified(const std::string& key)
{
	if (hasMember(key)) _verified.insert(key);
}

Name RoomState::guestNick()
{
	for (;;)
	{
		Name nick = Name::of("guest-" + std::to_string(_nextGuest++));
		if (!hasMember(nick.key)) return nick;
	}
}

bool RoomState::hasMember(const std::string& key) const
{
	return findMember(key) != _members.end();
}

std::string RoomState::shownAs(const std::string& key) const
{
	const auto it = findMember(key);
	return it == _members.end() ? std::string() : it->shown;
}

std::vector<Name>::iterator RoomState::findMember(const std::string& key)
{
	return std::find_if(_members.begin(), _members.end(), [&](const Name& member) { return member.key == key; });
}

std::vector<Name>::const_iterator RoomState::findMember(const std::string& key) const
{
	return std::find_if(_members.begin(), _members.end(), [&](const Name& member) { return member.key == key; });
}

void RoomState::restore(std::string epoch, std::uint64_t lastId, std::vector<std::string> newest)
{
	_epoch = std::move(epoch);
	for (std::size_t i = 0; i < _count; ++i) std::string().swap(_ring[(_head + i) % _ring.size()]);
	_head = 0;
	_count = 0;
	_bytes = 0;
	// They end at lastId, so there are at most lastId of them.
	if (newest.size() > lastId) newest.erase(newest.begin(), newest.end() - static_cast<std::ptrdiff_t>(lastId));
	_lastId = lastId - newest.size();
	for (auto& json : newest) append(std::move(json));
}

void RoomState::append(std::string json)
{
	++_lastId;
	if (_ring.empty()) return;
	if (_count == _ring.size()) dropOldest();
	const std::size_t size = json.size();
	_ring[(_head + _count) % _ring.size()] = std::move(json);
	++_count;
	_bytes += size;
	while (_count > 0 && _bytes > _limits.historyBytes) dropOldest();
}

std::string RoomState::spareEntry(std::size_t size)
{
	std::string spare;
	if (_ring.empty() || _count < _ring.size() || _ring[_head].capacity() > 2 * size) return spare;
	std::string& oldest = _ring[_head];
	_bytes -= oldest.size();
	spare.swap(oldest);
	_head = (_head + 1) % _ring.size();
	--_count;
	spare.clear();
	return spare;
}

void RoomState::dropOldest()
{
	std::string& oldest = _ring[_head];
	_bytes -= oldest.size();
	// Release the memory now: the byte bound is about memory as well.
	std::string().swap(oldest);
	_head = (_head + 1) % _ring.size();
	--_count;
}

bool RoomState::tombstone(std::uint64_t id, std::string json)
{
	if (id == 0 || id > _lastId || id + _count <= _lastId) return false;
	std::string& entry = _ring[(_head + static_cast<std::size_t>(id + _count - 1 - _lastId)) % _ring.size()];
	_bytes = _bytes - entry.size() + json.size();
	entry = std::move(json);
	// A tombstone naming a long nick may outgrow a short message.
	while (_count > 0 && _bytes > _limits.historyBytes) dropOldest();
	return true;
}

void RoomState::setTopic(std::string text, std::string by)
{
	_topic = std::move(text);
	_topicBy = _topic.empty() ? std::string() : std::move(by);
}

const std::string& RoomState::historyJson(std::size_t index) const
{
	return _ring[(_head + index) % _ring.size()];
}

RoomState::Resume RoomState::resume(const std::optional<std::uint64_t>& since, const std::optional<std::string>& epoch) const
{
	Resume resume;
	if (!since) return resume;
	if ((epoch && *epoch != _epoch) || *since > _lastId)
	{
		// Another incarnation of the room (a restart without persistence,
		// a forgotten room, a crash that lost ids), or ids the room never
		// gave: the client's ids mean nothing here. All history it has.
		resume.reset = true;
		return resume;
	}
	const std::uint64_t firstKept = _lastId - _count + 1;
	if (*since + 1 < firstKept)
	{
		resume.gapFrom = *since + 1;
		resume.gapTo = firstKept - 1;
		return resume;
	}
	resume.first = static_cast<std::size_t>(*since + 1 - firstKept);
	return resume;
}

} // namespace webchat::chatroom
