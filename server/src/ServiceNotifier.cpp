#include "ServiceNotifier.h"

#if defined(WEBCHAT_HAVE_SYSTEMD)
#include <systemd/sd-daemon.h>
#endif

namespace webchat {

namespace {

void notify(const std::string& state)
{
#if defined(WEBCHAT_HAVE_SYSTEMD)
	sd_notify(0, state.c_str());
#else
	(void) state;
#endif
}

} // namespace

void ServiceNotifier::ready(const std::string& status)
{
	notify("READY=1\nSTATUS=" + status);
}

void ServiceNotifier::reloading()
{
	notify("RELOADING=1");
}

void ServiceNotifier::stopping()
{
	notify("STOPPING=1");
}

} // namespace webchat
