#include "Room.h"

#include "Clock.h"
#include "ServerEvents.h"

#include "webchat/ErrorText.h"
#include "webchat/engine/Protocol.h"

#include <algorithm>
#include <random>

namespace webchat::chatroom {

Room::Room(Name name, std::shared_ptr<engine::Topic> topic, const RoomState::Limits& limits, HistoryStore& store, Poco::Logger& logger,
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
		const RoomRules rules = _moderation->rules(_name.key);
		_state.setTopic(rules.topic, rules.topicBy);
	}
	HistoryStore::Room stored;
	try
	{
		stored = _store.loadRoom(_name.key, _state.limits().historySize);
	}
	catch (const std::exception& exc)
	{
		if (_shared) throw; // a copy of a shared room cannot go its own way: the caller waits for the backend
		_logger.error("room " + _name.shown + ": cannot load its history (" + webchat::describe(exc) +
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
	{
		Name member = Name::of(nick);
		if (_state.addRemote(member)) _remoteOwners[member.key] = instance;
	}
	_stored = _storeKeepsMessages && !_shared;
	_loaded = true;
}

Name Room::sharedGuestNick()
{
	// Guests of several instances share the room: numbered per instance they
	// would meet (every instance has a guest-1), so a random number, checked
	// by the backend like any nick.
	thread_local std::mt19937 random{std::random_device{}()};
	return Name::of("guest-" + std::to_string(std::uniform_int_distribution<unsigned>(1000, 999999)(random)));
}

Room::Admission Room::admit(const std::optional<std::string>& nick, const std::string& speakerFrom)
{
	Admission admission;
	// Both forms of the nick are made here, outside the room's lock.
	if (nick) admission.nick = Name::of(*nick);
	admission.guest = !nick;
	// Shared rooms: the nick is claimed across instances first, outside the
	// room's lock (the backend answers within its timeout).
	if (_shared)
	{
		if (!nick) admission.nick = sharedGuestNick();
		admission.claim = _shared->join(_name.key, admission.nick, speakerFrom);
		for (int attempt = 0; !nick && admission.claim == SharedRooms::Verdict::Taken && attempt < 5; ++attempt)
		{
			admission.nick = sharedGuestNick();
			admission.claim = _shared->join(_name.key, admission.nick, speakerFrom);
		}
		if (admission.claim == SharedRooms::Verdict::Taken) return admission;
	}
	// The room's first join loads it, under the room's lock: nothing can be
	// posted before (posting takes a member), and other joiners wait for the
	// history they are to be sent. Only this room waits, and once.
	_topic->publishWith([&](std::string&) { admission.unavailable = !ensureLoaded(); });
	return admission;
}

void Room::abandon(const Admission& admission)
{
	if (admission.claim != SharedRooms::Verdict::Accepted) return;
	// The claim is given back unless the nick is another member's here (the
	// backend accepted it for this instance, which holds it already).
	bool heldHere = false;
	_topic->publishWith([&](std::string&) { heldHere = _state.hasMember(admission.nick.key) && _remoteOwners.count(admission.nick.key) == 0; });
	if (!heldHere) _shared->leave(_name.key, admission.nick);
}

bool Room::ensureLoaded()
{
	if (_loaded) return true;
	try
	{
		load();
		return true;
	}
	catch (const std::exception& exc)
	{
		// Only shared rooms throw: retried by the next join.
		_logger.warning("room " + _name.shown + ": cannot load it from the shared backend (" + webchat::describe(exc) + "); joins wait until it is back");
		return false;
	}
}

Room::JoinResult Room::join(engine::Connection& connection, const std::optional<std::string>& nick, const std::optional<std::uint64_t>& since,
	const std::optional<std::string>& epoch, bool announce, const Speaker& speaker, std::string_view token)
{
	return join(connection, admit(nick, speaker.from), since, epoch, announce, speaker, token);
}

Room::JoinResult Room::join(engine::Connection& connection, const Admission& admission, const std::optional<std::uint64_t>& since,
	const std::optional<std::string>& epoch, bool announce, const Speaker& speaker, std::string_view token)
{
	JoinResult result;
	Name joining = admission.nick;
	const SharedRooms::Verdict claim = admission.claim;
	if (claim == SharedRooms::Verdict::Taken)
	{
		result.nick = joining.shown;
		result.status = RoomState::Join::NickTaken;
		return result;
	}
	if (admission.unavailable)
	{
		result.unavailable = true;
		abandon(admission);
		return result;
	}
	std::string welcome;
	bool heldHere = false; // the nick is another member's of this instance
	// The welcome of whichever way the member came in, made under the lock.
	const auto welcomeIn = [&] { welcome = ServerEvents::welcome(_name.shown, result.nick, _state, _state.resume(since, epoch), speaker, token); };
	connection.subscribe(*_topic, [&](std::string& batch) {
		// Loaded by admit(), unless the room was reset since (a new epoch
		// in the shared backend): then it loads here, as admit() would.
		if (!ensureLoaded())
		{
			result.unavailable = true;
			return;
		}
		if (!_shared && admission.guest) joining = _state.guestNick();
		result.nick = joining.shown;
		if (takeBack(joining.key, Member{joining.shown, speaker, connection.peerAddress()}, result))
		{
			welcomeIn();
			return;
		}
		if (claim == SharedRooms::Verdict::Accepted && _remoteOwners.count(joining.key) != 0)
		{
			// The backend gave this instance a nick another instance held:
			// its member, away there within its leave grace, came back
			// through here (or that instance's leave of it is still on its
			// way through the feed). The others saw it stay: no event.
			_remoteOwners.erase(joining.key);
			result.nick = _state.shownAs(joining.key);
			result.status = RoomState::Join::Joined;
			if (speaker.verified) _state.setVerified(joining.key);
			_localMembers[joining.key] = Member{result.nick, speaker, connection.peerAddress()};
			welcomeIn();
			return;
		}
		result.status = _state.join(joining, speaker.verified);
		if (*result.status != RoomState::Join::Joined)
		{
			heldHere = _state.hasMember(joining.key) && _remoteOwners.count(joining.key) == 0;
			return;
		}
		_localMembers[joining.key] = Member{result.nick, speaker, connection.peerAddress()};
		welcomeIn();
		// To the others only: the engine seals this batch before the new
		// subscriber's first one.
		if (announce) ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::join(result.nick, wallClockMs(), speaker.verified));
	});
	// A claim the room did not take is given back.
	if (claim == SharedRooms::Verdict::Accepted && result.status != RoomState::Join::Joined && !heldHere) _shared->leave(_name.key, joining);
	// Sent after the lock, still ahead of any live batch: batches reach a
	// connection only when its I/O thread, which is running this, next
	// processes its inbox. (A send that closed the connection inside the
	// callback would re-enter the room's lock through onClose.)
	if (result.status == RoomState::Join::Joined) connection.send(ws::Opcode::Text, welcome);
	return result;
}

void Room::leave(const std::string& nick, bool announce)
{
	const Name leaving = Name::of(nick);
	const std::string event = ServerEvents::leave(leaving.shown, wallClockMs());
	_topic->publishWith([&](std::string& batch) {
		_localMembers.erase(leaving.key);
		if (_state.leave(leaving.key) && announce) ws::appendFrame(batch, ws::Opcode::Text, event);
	});
	if (_shared) _shared->leave(_name.key, leaving);
}

bool Room::takeBack(const std::string& key, Member returning, JoinResult& result)
{
	const auto away = _away.find(key);
	if (away == _away.end()) return false;
	const auto member = _localMembers.find(key);
	if (member == _localMembers.end() || returning.speaker.from.empty() || member->second.speaker.from != returning.speaker.from) return false;
	// Under the nick as the room shows it: the others never saw it go.
	returning.nick = member->second.nick;
	result.nick = returning.nick;
	result.status = RoomState::Join::Joined;
	result.returned = true;
	result.announced = away->second.announced;
	member->second = std::move(returning);
	_away.erase(away);
	return true;
}

std::uint64_t Room::keepAway(const std::string& nick, bool announce)
{
	const Name away = Name::of(nick);
	std::uint64_t ticket = 0;
	std::string from;
	_topic->publishWith([&](std::string&) {
		ticket = ++_lastTicket;
		_away[away.key] = Absence{ticket, announce};
		const auto member = _localMembers.find(away.key);
		if (member != _localMembers.end()) from = member->second.speaker.from;
	});
	// Shared rooms: its speaker may come back through another instance.
	if (_shared) _shared->away(_name.key, away, from);
	return ticket;
}

bool Room::dismissAway(const std::string& nickKey)
{
	std::uint64_t ticket = 0;
	_topic->publishWith([&](std::string&) {
		const auto away = _away.find(nickKey);
		if (away != _away.end()) ticket = away->second.ticket;
	});
	return ticket != 0 && endAway(nickKey, ticket);
}

bool Room::endAway(const std::string& nickKey, std::uint64_t ticket)
{
	bool left = false;
	bool moved = false;
	std::string shown;
	_topic->publishWith([&](std::string& batch) {
		if (_movedTickets.erase(ticket) != 0)
		{
			moved = true;
			return;
		}
		const auto away = _away.find(nickKey);
		if (away == _away.end() || away->second.ticket != ticket) return;
		left = true;
		const bool announce = away->second.announced;
		_away.erase(away);
		shown = _state.shownAs(nickKey);
		_localMembers.erase(nickKey);
		if (_state.leave(nickKey) && announce) ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::leave(shown, wallClockMs()));
	});
	if (left && _shared) _shared->leave(_name.key, Name{shown, nickKey});
	return left || moved;
}

RoomState::Rename Room::rename(const std::string& from, const std::string& to, bool verified)
{
	const Name current = Name::of(from);
	const Name wanted = Name::of(to);
	if (_shared && current.shown != wanted.shown && _shared->rename(_name.key, current, wanted) == SharedRooms::Verdict::Taken) return RoomState::Rename::Taken;
	const std::string event = ServerEvents::nick(current.shown, wanted.shown, wallClockMs(), verified);
	RoomState::Rename result = RoomState::Rename::NotMember;
	_topic->publishWith([&](std::string& batch) {
		result = _state.rename(current.key, wanted);
		if (result != RoomState::Rename::Renamed) return;
		if (verified) _state.setVerified(wanted.key);
		ws::appendFrame(batch, ws::Opcode::Text, event);
		auto member = _localMembers.extract(current.key);
		if (member.empty()) return;
		member.key() = wanted.key;
		member.mapped().nick = wanted.shown;
		_localMembers.insert(std::move(member));
	});
	return result;
}

void Room::setVerified(const std::string& nick, const Speaker& speaker)
{
	const std::string key = Name::of(nick).key;
	_topic->publishWith([&](std::string&) {
		_state.setVerified(key);
		const auto member = _localMembers.find(key);
		if (member != _localMembers.end()) member->second.speaker = speaker;
	});
}

SharedRooms::Posted Room::post(const std::string& nick, const ServerEvents::Sender& sender, std::string_view text, std::int64_t ts,
	std::string_view tail, std::uint64_t* assignedId)
{
	// Copied before the lock; under it only the id is set.
	HistoryStore::Message message;
	if (_storeKeepsMessages || _shared)
	{
		message.ts = ts;
		message.nick = nick;
		message.from = sender.from;
		message.verified = sender.verified;
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
		return _shared->post(_name.key, seen, std::move(message));
	}
	_topic->publishWith([&](std::string& batch) {
		message.id = _state.nextId();
		if (assignedId) *assignedId = message.id;
		// Built once, in the buffer of the history entry it replaces.
		std::string json = _state.spareEntry(tail.size() + 48);
		ServerEvents::appendMessage(json, message.id, tail);
		ws::appendFrame(batch, ws::Opcode::Text, json);
		_state.append(std::move(json));
		// In id order per room; a queue push, never I/O.
		if (_stored) _store.append(_name.key, _state.epoch(), std::move(message));
	});
	return SharedRooms::Posted::Sent;
}

std::optional<Room::Snapshot> Room::snapshot(std::uint64_t before, std::size_t historyLimit)
{
	std::optional<Snapshot> result;
	_topic->publishWith([&](std::string&) {
		if (!_loaded) return;
		result.emplace();
		for (const auto& name : _state.members())
		{
			const auto local = _localMembers.find(name.key);
			result->members.push_back(local != _localMembers.end() ? local->second : Member{name.shown, {}, {}});
		}
		copyHistory(*result, before, historyLimit);
	});
	return result;
}

std::optional<Room::Snapshot> Room::historyBefore(std::uint64_t before, std::size_t historyLimit)
{
	std::optional<Snapshot> result;
	_topic->publishWith([&](std::string&) {
		if (!_loaded) return;
		result.emplace();
		copyHistory(*result, before, historyLimit);
	});
	return result;
}

std::size_t Room::memberCount()
{
	std::size_t count = 0;
	_topic->publishWith([&](std::string&) { count = _state.members().size(); });
	return count;
}

void Room::copyHistory(Snapshot& snapshot, std::uint64_t before, std::size_t historyLimit) const
{
	snapshot.lastId = _state.lastId();
	// The newest entries below before, walking back from the newest.
	std::size_t end = _state.historyCount();
	while (end > 0 && before != 0 && _state.historyId(end - 1) >= before) --end;
	const std::size_t first = end > historyLimit ? end - historyLimit : 0;
	for (std::size_t index = first; index < end; ++index) snapshot.history.emplace_back(_state.historyId(index), _state.historyJson(index));
}

Room::Removal Room::tombstone(std::uint64_t id, const std::string& by, bool toStore)
{
	const std::string event = ServerEvents::deleted(id, by);
	Removal result = Removal::NoSuchId;
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded || id == 0 || id > _state.lastId()) return;
		_state.tombstone(id, ServerEvents::tombstone(id, by));
		// Older than the memory's history, it may still be in the store's.
		if (toStore && _stored) _store.tombstone(_name.key, _state.epoch(), id, by);
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
		_shared->remove(_name.key, id, by);
	}
	catch (const std::exception& exc)
	{
		_logger.error("room " + _name.shown + ": cannot delete message " + std::to_string(id) + " in the shared backend (" + webchat::describe(exc) +
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
				_logger.warning("room " + _name.shown + ": its shared history was replaced (epoch " + _state.epoch() + " -> " + epoch + "); members are told to reload");
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
			_logger.warning("room " + _name.shown + ": cannot load it again (" + webchat::describe(exc) + ")");
			return;
		}
		if (_state.epoch() != before && lastId != 0)
		{
			_logger.warning("room " + _name.shown + ": its shared history was replaced (epoch " + before + " -> " + _state.epoch() + "); members are told to reload");
			ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::error("history_reset", "the room's history was lost on the server; reload the page"));
		}
	});
}

void Room::addRemote(std::string& batch, const Name& nick, const std::string& instance, std::int64_t ts)
{
	if (_state.hasMember(nick.key))
	{
		// Taken over from an instance that died before we noticed; a nick
		// of this instance's own stays ours (two instances admitted it
		// while the backend was unreachable).
		const auto owner = _remoteOwners.find(nick.key);
		if (owner != _remoteOwners.end())
		{
			owner->second = instance;
			return;
		}
		// This instance's member, away within its leave grace, came back
		// through instance (the backend handed it its nick): it is that
		// instance's now, and its absence here ends unannounced.
		const auto away = _away.find(nick.key);
		if (away != _away.end())
		{
			_movedTickets.insert(away->second.ticket);
			_away.erase(away);
			_localMembers.erase(nick.key);
			_remoteOwners[nick.key] = instance;
		}
		return;
	}
	_state.addRemote(nick);
	_remoteOwners[nick.key] = instance;
	ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::join(nick.shown, ts));
}

void Room::removeRemote(std::string& batch, const std::string& key, std::int64_t ts)
{
	_remoteOwners.erase(key);
	const std::string shown = _state.shownAs(key);
	if (_state.leave(key)) ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::leave(shown, ts));
}

void Room::applyPresence(const SharedRooms::Presence& change)
{
	using Kind = SharedRooms::Presence::Kind;
	const std::int64_t ts = wallClockMs();
	// Both forms made before the lock.
	const Name nick = Name::of(change.nick);
	const Name newNick = change.kind == Kind::Rename ? Name::of(change.newNick) : Name();
	std::vector<Name> nicks;
	for (const auto& member : change.nicks) nicks.push_back(Name::of(member));
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded) return;
		const auto owner = _remoteOwners.find(nick.key);
		const bool owned = owner != _remoteOwners.end() && owner->second == change.instance;
		switch (change.kind)
		{
		case Kind::Join:
			addRemote(batch, nick, change.instance, ts);
			break;
		case Kind::Leave:
			if (owned) removeRemote(batch, nick.key, ts);
			break;
		case Kind::Rename:
		{
			if (!owned) break;
			const std::string before = _state.shownAs(nick.key);
			if (_state.rename(nick.key, newNick) == RoomState::Rename::Renamed)
			{
				_remoteOwners.erase(nick.key);
				_remoteOwners[newNick.key] = change.instance;
				ws::appendFrame(batch, ws::Opcode::Text, ServerEvents::nick(before, newNick.shown, ts));
			}
			else
			{
				removeRemote(batch, nick.key, ts);
			}
			break;
		}
		case Kind::Replace:
		{
			std::vector<std::string> gone;
			for (const auto& [key, instance] : _remoteOwners)
				if (instance == change.instance && std::none_of(nicks.begin(), nicks.end(), [&](const Name& member) { return member.key == key; }))
					gone.push_back(key);
			for (const auto& key : gone) removeRemote(batch, key, ts);
			for (const auto& member : nicks)
				if (_remoteOwners.count(member.key) == 0) addRemote(batch, member, change.instance, ts);
			break;
		}
		}
	});
}

void Room::replaceRemoteMembers(const std::map<std::string, std::string>& members)
{
	const std::int64_t ts = wallClockMs();
	// By key, made before the lock.
	std::map<std::string, std::pair<Name, std::string>> byKey;
	for (const auto& [nick, instance] : members)
	{
		Name member = Name::of(nick);
		std::string key = member.key;
		byKey.emplace(std::move(key), std::make_pair(std::move(member), instance));
	}
	_topic->publishWith([&](std::string& batch) {
		if (!_loaded) return;
		std::vector<std::string> gone;
		for (const auto& [key, instance] : _remoteOwners)
		{
			const auto it = byKey.find(key);
			if (it == byKey.end() || it->second.second != instance) gone.push_back(key);
		}
		for (const auto& key : gone) removeRemote(batch, key, ts);
		for (const auto& [key, member] : byKey)
			if (_remoteOwners.count(key) == 0) addRemote(batch, member.first, member.second, ts);
	});
}

void Room::removeInstance(const std::string& instance)
{
	const std::int64_t ts = wallClockMs();
	_topic->publishWith([&](std::string& batch) {
		std::vector<std::string> gone;
		for (const auto& [key, owner] : _remoteOwners)
			if (owner == instance) gone.push_back(key);
		for (const auto& key : gone) removeRemote(batch, key, ts);
	});
}

std::optional<std::vector<Name>> Room::localMembers()
{
	std::optional<std::vector<Name>> result;
	_topic->publishWith([&](std::string&) {
		if (!_loaded) return;
		result.emplace();
		for (const auto& member : _state.members())
			if (_remoteOwners.count(member.key) == 0) result->push_back(member);
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
