//
// ServiceNotifier.h
//
// Tells the service manager where webchatd stands: systemd's sd_notify
// (Type=notify) when built with libsystemd and started with NOTIFY_SOCKET;
// nothing otherwise (other init systems, Windows, a terminal).
//

#ifndef WEBCHAT_SERVICENOTIFIER_INCLUDED
#define WEBCHAT_SERVICENOTIFIER_INCLUDED

#include <string>

namespace webchat {

class ServiceNotifier
{
public:
	/// Every listener is up.
	static void ready(const std::string& status);

	/// Re-reading the configuration; ready() follows.
	static void reloading();

	/// Shutting down.
	static void stopping();
};

} // namespace webchat

#endif
