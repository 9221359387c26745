//
// PeerTable.h
//
// The engine's table of client addresses (webchat::addressKey: an IPv4
// address or an IPv6 /64): how many connection slots each holds against
// max_connections_per_ip, and the one copy of the address its connections
// name. A connection keeps a pointer to that copy (8 bytes, where a
// std::string of its own would take 32, and an IPv6 address 48 more on the
// heap), so the table costs one entry per address, not per connection.
// Thread-safe: HTTP threads admit, I/O threads hold, release and forget;
// one small lock each time, never per message.
//

#ifndef WEBCHAT_ENGINE_PEERTABLE_INCLUDED
#define WEBCHAT_ENGINE_PEERTABLE_INCLUDED

#include <cstddef>
#include <map>
#include <mutex>
#include <string>

namespace webchat::engine {

class PeerTable
{
public:
	/// Reserves a connection slot for address; false when maxTotal slots
	/// are taken in all, or maxPerAddress by address.
	bool admit(const std::string& address, std::size_t maxTotal, std::size_t maxPerAddress);

	/// Gives back one of address's slots (the total's even if address has
	/// none left: a connection adopted without admit()).
	void release(const std::string& address);

	/// The table's copy of address, good until as many forget() calls as
	/// hold() calls for it: what a connection keeps as its peer's address.
	const std::string& hold(const std::string& address);

	/// Lets go of a copy hold() gave.
	void forget(const std::string& held);

	/// Slots taken in all (for tests).
	std::size_t admitted() const;

	/// Addresses in the table: with a slot or held (for tests).
	std::size_t addresses() const;

private:
	struct Entry
	{
		std::size_t admitted = 0; // slots taken (admit, release)
		std::size_t held = 0;     // connections naming it (hold, forget)
	};
	// Under _mutex: drops entry at it once nothing counts it.
	void eraseIfUnused(std::map<std::string, Entry>::iterator it);

	mutable std::mutex _mutex;
	std::size_t _admitted = 0;
	// A map's keys stay where they are while it changes: hold() returns one.
	std::map<std::string, Entry> _entries;
};

} // namespace webchat::engine

#endif
