#include "Room.h"

#include "Clock.h"
#include "ServerEvents.h"

#include "webchat/ErrorText.h"
#include "webchat/engine/Protocol.h"

#include <algorithm>
#include <random>

namespace webchat::chatroom {

Room::Room(std::string name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits, HistoryStore& store, Poco::Logger& logger,
	const Moderation* moderation):
	_name(std::move(name)),
	_topic(std::move(topic)),
	_store(store),
	_shared(store.shared()),
	_storeKeepsMessages(store.keepsMessages()),
	_logger(logger),
	_moderation(moderation),
	_state(limits)
{
}

void Room::load()
{
	if (_moderation)
	{
		const RoomRules rules = _moderation->rules(_name);
		_state.setTopic(rules.topic, rules.topicBy);
	}
	HistoryStore::Room stored;
	try
	{
		stored = _store.loadRoom(_name, _state.limits().historySize);
	}
	catch (const std::exception& exc)
	{
		if (_shared) throw; // a copy of a shared room cannot go its own way: the caller waits for the backend
		_logger.error("room " + _name + ": cannot load its history (" + webchat::describe(exc) +
			"); it runs in memory, not stored, until it is forgotten");
		_loaded = true;
		_state.restore(HistoryStore::newEpoch(), 0, {});
		return;
	}
	std::vector<std::string> newest;
	newest.reserve(stored.recent.size());
	for (const auto& message : stored.recent) newest.push_back(ServerEvents::message(message));
	_state.restore(std::move(stored.epoch), stored.lastId, std::move(newest));
	for (const auto& [nick, instance] : stored.remoteMembers)
		if (_state.addRemote(nick)) _remoteOwners[nick] = instance;
	_stored = _storeKeepsMessages && !_shared;
	_loaded = true;
}

std::string Room::sharedGuestNick()
{
	// Guests of several instances share the room: numbered per instance they
	// would meet (every instance has a guest-1), so a random number, checked
	// by the backend like any nick.
	thread_local std::mt19937 random{std::random_device{}()};
	return "guest-" + std::to_string(std::uniform_int_distribution<unsigned>(1000, 999999)(random));
}

Room::JoinResult Room::join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since,
	const std::optional<std::string>& epoch, bool announce)
{
	JoinResult result;
	// Shared rooms: the nick is claimed across instances first, outside the
	// room's lock (the backend answers within its timeout).
	SharedRooms::Verdict claim = SharedRooms::Verdict::Unavailable;
	if (_shared)
	{
		result.nick = nick ? *nick : sharedGuestNick();
		claim = _shared->join(_name, result.nick);
		for (int attempt = 0; !nick && claim == SharedRooms::Verdict::Taken && attempt < 5; ++attempt)
		{
			result.nick = sharedGuestNick();
			claim = _shared->join(_name, result.nick);
		}
		if (claim == SharedRooms::Verdict::Taken)
		{
			result.status = RoomState::Join::NickTaken;
			return result;
		}
	}
	std::string welcome;
	bool heldHere = false; // the nick is another member's of this instance
	connection.subscribe(*_topic, [&](std::string& batch) {
		// The room's first join loads it, under the room's lock: nothing
		// can be posted before (posting takes a member), and other joiners
		// wait for the history they are to be sent. Only this room waits,
		// and once (the store's load is a short indexed read).
		if (!_loaded)
		{
			try
			{
				load();
			}
			catch (const std::exception& exc)
			{
				// Only shared rooms throw: retried by the next join.
				_logger.warning("room " + _name + ": cannot load it from the shared backend (" + webchat::describe(exc) + "); joins wait until it is back");
				result.unavailable = true;
				return;
			}
		}
		if (!_shared) result.nick = nick ? *nick : _state.guestNick();
		result.status = _state.join(result.nick);
		if (*result.status != RoomState::Join::Joined)
		{
			heldHere = _state.hasMember(result.nick) && _remoteOwners.count(result.nick) == 0;
			return;
		}
		welcome = ServerEvents::welcome(_name, result.nick, _state, _state.resume(since, epoch));
		// To the others only: the engine seals this batch before the new
		// subscriber's first one.
		if (announce) ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::join(result.nick, wallClockMs()));
	});
	// A claim the room did not take is given back.
	if (claim == SharedRooms::Verdict::Accepted && result.status != RoomState::Join::Joined && !heldHere) _shared->leave(_name, result.nick);
	// Sent after the lock, still ahead of any live batch: batches reach a
	// connection only when its I/O thread, which is running this, next
	// processes its inbox. (A send that closed the connection inside the
	// callback would re-enter the room's lock through onClose.)
	if (result.status == RoomState::Join::Joined) connection.send(ws::Opcode::Text, welcome);
	return result;
}

void Room::leave(const std::string& nick, bool announce)
{
	const std::string event = ServerEvents::leave(nick, wallClockMs());
	_topic->publishWith([&](std::string& batch) {
		if (_state.leave(nick) && announce) ws::appendFrame(batch, ws::Opcode::Text, event);
	});
	if (_shared) _shared->leave(_name, nick);
}

RoomState::Rename Room::rename(const std::string& from, const std::string& to)
{
	if (_shared && from != to && _shared->rename(_name, from, to) == SharedRooms::Verdict::Taken) return RoomState::Rename::Taken;
	const std::string event = ServerEvents::nick(from, to, wallClockMs());
	RoomState::Rename result = RoomState::Rename::NotMember;
	_topic->publishWith([&](std::string& batch) {
		result = _state.rename(from, to);
		if (result == RoomState::Rename::Renamed) ws::appendFrame(batch, ws::Opcode::Text, event);
	});
	return result;
}

SharedRooms::Posted Room::post(const std::string& nick, std::string_view text, std::int64_t ts, std::string_view tail)
{
	// Copied before the lock; under it only the id is set.
	HistoryStore::Message message;
	if (_storeKeepsMessages || _shared)
	{
		message.ts = ts;
		message.nick = nick;
		message.text = text;
	}
	if (_shared)
	{
		// What this copy has seen goes along: should the backend have lost
		// the room, it continues the numbering from there.
		SharedRooms::Position seen;
		_topic->publishWith([&](std::string&) {
			seen.epoch = _state.epoch();
			seen.lastId = _state.lastId();
		});
		return _shared->post(_name, seen, std::move(message));
	}
	_topic->publishWith([&](std::string& batch) {
		message.id = _state.nextId();
		std::string json = ServerEvents::message(message.id, tail);
		ws::appendFrame(batch, ws::Opcode::Text, json);
		_state.append(std::move(json));
		// In id order per room; a queue push, never I/O.
		if (_stored) _store.append(_name, _state.epoch(), std::move(message));
	});
	return SharedRooms::Posted::Sent;
}

Room::Removal Room::tombstone(std::uint64_t id, const std::string& by, bool toStore)
{
	const std::string event = ServerEvents::deleted(id, by);
	Removal result = Removal::NoSuchId;
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded || id == 0 || id > _state.lastId()) return;
		_state.tombstone(id, ServerEvents::tombstone(id, by));
		// Older than the memory's history, it may still be in the store's.
		if (toStore && _stored) _store.tombstone(_name, _state.epoch(), id, by);
		ws::appendFrame(batch, ws::Opcode::Text, event);
		result = Removal::Removed;
	});
	return result;
}

Room::Removal Room::remove(std::uint64_t id, const std::string& by)
{
	const Removal result = tombstone(id, by, true);
	if (result != Removal::Removed || !_shared) return result;
	// Outside the room's lock: this waits for the backend.
	try
	{
		_shared->remove(_name, id, by);
	}
	catch (const std::exception& exc)
	{
		_logger.error("room " + _name + ": cannot delete message " + std::to_string(id) + " in the shared backend (" + webchat::describe(exc) +
			"); it is a tombstone on this instance only");
	}
	return result;
}

void Room::applyRemoval(std::uint64_t id, const std::string& by)
{
	tombstone(id, by, false);
}

void Room::showTopic(const std::string& text, const std::string& by)
{
	const std::string event = ServerEvents::topic(text, by);
	_topic->publishWith([&](std::string& batch) {
		_state.setTopic(text, by);
		ws::appendFrame(batch, ws::Opcode::Text, event);
	});
}

std::string Room::topic()
{
	std::string text;
	_topic->publishWith([&](std::string&) { text = _state.topic(); });
	return text;
}

std::optional<SharedRooms::Position> Room::position()
{
	std::optional<SharedRooms::Position> result;
	_topic->publishWith([&](std::string&) {
		if (_loaded) result = SharedRooms::Position{_state.epoch(), _state.lastId()};
	});
	return result;
}

void Room::deliver(const std::string& epoch, const HistoryStore::Message& message)
{
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded) return;
		if (epoch != _state.epoch())
		{
			if (_state.lastId() != 0)
			{
				// The backend lost the room and another instance started it
				// afresh: ids restart, so clients must start again too.
				_logger.warning("room " + _name + ": its shared history was replaced (epoch " + _state.epoch() + " -> " + epoch + "); members are told to reload");
				ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::error("history_reset", "the room's history was lost on the server; reload the page"));
			}
			_state.restore(epoch, message.id - 1, {});
		}
		if (message.id != _state.nextId()) return; // seen already (or a gap the backend failed to fill)
		std::string json = ServerEvents::message(message);
		ws::appendFrame(batch, ws::Opcode::Text, json);
		_state.append(std::move(json));
	});
}

void Room::reload()
{
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded) return;
		const std::string before = _state.epoch();
		const std::uint64_t lastId = _state.lastId();
		try
		{
			load();
		}
		catch (const std::exception& exc)
		{
			_logger.warning("room " + _name + ": cannot load it again (" + webchat::describe(exc) + ")");
			return;
		}
		if (_state.epoch() != before && lastId != 0)
		{
			_logger.warning("room " + _name + ": its shared history was replaced (epoch " + before + " -> " + _state.epoch() + "); members are told to reload");
			ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::error("history_reset", "the room's history was lost on the server; reload the page"));
		}
	});
}

void Room::addRemote(std::string& batch, const std::string& nick, const std::string& instance, std::int64_t ts)
{
	if (_state.hasMember(nick))
	{
		// Taken over from an instance that died before we noticed; a nick
		// of this instance's own stays ours (two instances admitted it
		// while the backend was unreachable).
		const auto owner = _remoteOwners.find(nick);
		if (owner != _remoteOwners.end()) owner->second = instance;
		return;
	}
	_state.addRemote(nick);
	_remoteOwners[nick] = instance;
	ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::join(nick, ts));
}

void Room::removeRemote(std::string& batch, const std::string& nick, std::int64_t ts)
{
	_remoteOwners.erase(nick);
	if (_state.leave(nick)) ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::leave(nick, ts));
}

void Room::applyPresence(const SharedRooms::Presence& change)
{
	using Kind = SharedRooms::Presence::Kind;
	const std::int64_t ts = wallClockMs();
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded) return;
		const auto owner = _remoteOwners.find(change.nick);
		const bool owned = owner != _remoteOwners.end() && owner->second == change.instance;
		switch (change.kind)
		{
		case Kind::Join:
			addRemote(batch, change.nick, change.instance, ts);
			break;
		case Kind::Leave:
			if (owned) removeRemote(batch, change.nick, ts);
			break;
		case Kind::Rename:
			if (!owned) break;
			if (_state.rename(change.nick, change.newNick) == RoomState::Rename::Renamed)
			{
				_remoteOwners.erase(change.nick);
				_remoteOwners[change.newNick] = change.instance;
				ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::nick(change.nick, change.newNick, ts));
			}
			else
			{
				removeRemote(batch, change.nick, ts);
			}
			break;
		case Kind::Replace:
		{
			std::vector<std::string> gone;
			for (const auto& [nick, instance] : _remoteOwners)
				if (instance == change.instance && std::find(change.nicks.begin(), change.nicks.end(), nick) == change.nicks.end()) gone.push_back(nick);
			for (const auto& nick : gone) removeRemote(batch, nick, ts);
			for (const auto& nick : change.nicks)
				if (_remoteOwners.count(nick) == 0) addRemote(batch, nick, change.instance, ts);
			break;
		}
		}
	});
}

void Room::replaceRemoteMembers(const std::map<std::string, std::string>& members)
{
	const std::int64_t ts = wallClockMs();
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded) return;
		std::vector<std::string> gone;
		for (const auto& [nick, instance] : _remoteOwners)
		{
			const auto it = members.find(nick);
			if (it == members.end() || it->second != instance) gone.push_back(nick);
		}
		for (const auto& nick : gone) removeRemote(batch, nick, ts);
		for (const auto& [nick, instance] : members)
			if (_remoteOwners.count(nick) == 0) addRemote(batch, nick, instance, ts);
	});
}

void Room::removeInstance(const std::string& instance)
{
	const std::int64_t ts = wallClockMs();
	_topic->publishWith([&](std::string& batch) {
		std::vector<std::string> gone;
		for (const auto& [nick, owner] : _remoteOwners)
			if (owner == instance) gone.push_back(nick);
		for (const auto& nick : gone) removeRemote(batch, nick, ts);
	});
}

std::optional<std::vector<std::string>> Room::localMembers()
{
	std::optional<std::vector<std::string>> result;
	_topic->publishWith([&](std::string&) {
		if (!_loaded) return;
		result.emplace();
		for (const auto& nick : _state.members())
			if (_remoteOwners.count(nick) == 0) result->push_back(nick);
	});
	return result;
}

std::vector<std::string> Room::remoteInstances()
{
	std::vector<std::string> result;
	_topic->publishWith([&](std::string&) {
		for (const auto& [nick, instance] : _remoteOwners)
			if (std::find(result.begin(), result.end(), instance) == result.end()) result.push_back(instance);
	});
	return result;
}

} // namespace webchat::chatroom
