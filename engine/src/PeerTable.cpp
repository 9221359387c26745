#include "webchat/engine/PeerTable.h"

namespace webchat::engine {

bool PeerTable::admit(const std::string& address, std::size_t maxTotal, std::size_t maxPerAddress)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _entries.try_emplace(address).first;
	if (_admitted >= maxTotal || it->second.admitted >= maxPerAddress)
	{
		eraseIfUnused(it);
		return false;
	}
	++it->second.admitted;
	++_admitted;
	return true;
}

void PeerTable::release(const std::string& address)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _entries.find(address);
	if (it != _entries.end() && it->second.admitted > 0)
	{
		--it->second.admitted;
		eraseIfUnused(it);
	}
	if (_admitted > 0) --_admitted;
}

const std::string& PeerTable::hold(const std::string& address)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _entries.try_emplace(address).first;
	++it->second.held;
	return it->first;
}

void PeerTable::forget(const std::string& held)
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _entries.find(held);
	if (it == _entries.end() || it->second.held == 0) return;
	--it->second.held;
	eraseIfUnused(it);
}

std::size_t PeerTable::admitted() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _admitted;
}

std::size_t PeerTable::addresses() const
{
	std::lock_guard<std::mutex> lock(_mutex);
	return _entries.size();
}

void PeerTable::eraseIfUnused(std::map<std::string, Entry>::iterator it)
{
	if (it->second.admitted == 0 && it->second.held == 0) _entries.erase(it);
}

} // namespace webchat::engine
