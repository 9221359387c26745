#include "ServiceRegistry.h"

#include <utility>

namespace webchat {

void ServiceRegistry::publish(const std::string& name, std::shared_ptr<Service> service)
{
	std::shared_ptr<Service> previous;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		previous = std::exchange(_services[name], std::move(service));
	}
	// A service released here may be the last hold on its object: its
	// destructor runs outside the lock.
}

bool ServiceRegistry::withdraw(const std::string& name, const Service& service)
{
	std::shared_ptr<Service> removed;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		const auto it = _services.find(name);
		if (it == _services.end() || it->second.get() != &service) return false;
		removed = std::move(it->second);
		_services.erase(it);
	}
	return true;
}

std::shared_ptr<Service> ServiceRegistry::find(const std::string& name) const
{
	std::lock_guard<std::mutex> lock(_mutex);
	const auto it = _services.find(name);
	return it == _services.end() ? nullptr : it->second;
}

void ServiceRegistry::clear()
{
	std::map<std::string, std::shared_ptr<Service>> services;
	{
		std::lock_guard<std::mutex> lock(_mutex);
		services.swap(_services);
	}
}

} // namespace webchat
