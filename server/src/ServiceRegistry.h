//
// ServiceRegistry.h
//
// The services plugins publish for each other (HandlerPlugin.h, Service),
// by name. The host keeps them and knows nothing of what they do.
// Thread-safe: one small mutex, taken to publish, withdraw or find, never
// during a call on a service.
//

#ifndef WEBCHAT_SERVICEREGISTRY_INCLUDED
#define WEBCHAT_SERVICEREGISTRY_INCLUDED

#include "webchat/HandlerPlugin.h"

#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace webchat {

class ServiceRegistry
{
public:
	/// Offers service under name, replacing what name offered before.
	void publish(const std::string& name, std::shared_ptr<Service> service);

	/// Removes name's service if it is service; false when name offers
	/// another one (a successor's) or nothing.
	bool withdraw(const std::string& name, const Service& service);

	/// Null when nothing is published under name.
	std::shared_ptr<Service> find(const std::string& name) const;

	/// Drops every service (the host stops).
	void clear();

private:
	mutable std::mutex _mutex;
	std::map<std::string, std::shared_ptr<Service>> _services;
};

} // namespace webchat

#endif
