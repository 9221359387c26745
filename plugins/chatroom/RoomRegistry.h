//
// RoomRegistry.h
//
// The rooms that exist, by the comparison key of their name (NameRules.h:
// `lobby`, `Lobby` and `ＬＯＢＢＹ` are one room), at most max_rooms of
// them. A room is created with the name of its first acquire(), which is
// how it is shown until it is forgotten. A room lives
// while anyone holds it (from acquire() to release()) and, once empty, is
// kept for its history, so a client that reconnects finds what it missed.
// An empty room is forgotten when a new room needs its slot (the one that
// has been empty the longest goes first) or, where history lives elsewhere
// (backend = redis), when it has been empty for a while
// (forgetEmptySince()).
//
// Thread-safe: one small mutex, taken once per connection open and close
// (never per message). The room's own state is guarded by its topic.
// A template over the room type so its bookkeeping is tested without an
// engine.
//

#ifndef WEBCHAT_CHATROOM_ROOMREGISTRY_INCLUDED
#define WEBCHAT_CHATROOM_ROOMREGISTRY_INCLUDED

#include "NameRules.h"

#include <chrono>
#include <cstddef>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace webchat::chatroom {

template <class Room>
class RoomRegistry
{
public:
	using Factory = std::function<std::shared_ptr<Room>(const Name& name)>;

	RoomRegistry(std::size_t maxRooms, Factory factory):
		_maxRooms(maxRooms),
		_factory(std::move(factory))
	{
	}

	/// The room of that name, created if needed, held until
	/// release(name.key). Null when max_rooms rooms exist and none of them
	/// is empty.
	std::shared_ptr<Room> acquire(const Name& name)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		auto it = _rooms.find(name.key);
		if (it == _rooms.end())
		{
			if (_rooms.size() >= _maxRooms)
			{
				if (_empty.empty()) return nullptr;
				_rooms.erase(_empty.front());
				_empty.pop_front();
			}
			it = _rooms.emplace(name.key, Entry{_factory(name), 0, _empty.end()}).first;
		}
		Entry& entry = it->second;
		if (entry.holders++ == 0 && entry.emptySince != _empty.end())
		{
			_empty.erase(entry.emptySince);
			entry.emptySince = _empty.end();
		}
		return entry.room;
	}

	/// Gives back a hold from acquire() of a name with that key.
	void release(const std::string& key)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const auto it = _rooms.find(key);
		if (it == _rooms.end() || it->second.holders == 0) return;
		if (--it->second.holders == 0)
		{
			it->second.emptySince = _empty.insert(_empty.end(), key);
			it->second.emptyAt = std::chrono::steady_clock::now();
		}
	}

	/// Forgets every room nobody has held since before cutoff; returns how
	/// many. A room held again meanwhile (a join under way) is kept.
	std::size_t forgetEmptySince(std::chrono::steady_clock::time_point cutoff)
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::size_t forgotten = 0;
		// _empty is in the order the rooms emptied: the oldest first.
		while (!_empty.empty())
		{
			const auto it = _rooms.find(_empty.front());
			if (it != _rooms.end() && it->second.emptyAt >= cutoff) break;
			if (it != _rooms.end()) _rooms.erase(it);
			_empty.pop_front();
			++forgotten;
		}
		return forgotten;
	}

	std::size_t size() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _rooms.size();
	}

	struct Usage
	{
		std::size_t rooms = 0;    // rooms with at least one holder
		std::size_t holders = 0;  // holds over all rooms (a member holds its room once)
	};

	/// For metrics: walks the rooms under the lock, at most max_rooms of them.
	Usage usage() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		Usage usage;
		for (const auto& room : _rooms)
		{
			if (room.second.holders == 0) continue;
			++usage.rooms;
			usage.holders += room.second.holders;
		}
		return usage;
	}

	/// The room of that key if it exists; not held.
	std::shared_ptr<Room> find(const std::string& key) const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const auto it = _rooms.find(key);
		return it == _rooms.end() ? nullptr : it->second.room;
	}

	/// Every room that exists, for a walk outside the lock.
	std::vector<std::shared_ptr<Room>> all() const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::vector<std::shared_ptr<Room>> rooms;
		rooms.reserve(_rooms.size());
		for (const auto& room : _rooms) rooms.push_back(room.second.room);
		return rooms;
	}

	bool contains(const std::string& key) const
	{
		std::lock_guard<std::mutex> lock(_mutex);
		return _rooms.count(key) != 0;
	}

	/// Forgets every room (the plugin drops its topics before its engine).
	void clear()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		_empty.clear();
		_rooms.clear();
	}

private:
	struct Entry
	{
		std::shared_ptr<Room> room;
		std::size_t holders;
		std::list<std::string>::iterator emptySince; // its place in _empty, or _empty.end()
		std::chrono::steady_clock::time_point emptyAt{}; // when it was last released by its last holder
	};

	const std::size_t _maxRooms;
	const Factory _factory;
	mutable std::mutex _mutex;
	std::map<std::string, Entry> _rooms; // by key
	std::list<std::string> _empty;       // keys of the rooms nobody holds, longest empty first
};

} // namespace webchat::chatroom

#endif
