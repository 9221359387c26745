#include "ControlRequests.h"

#include "Poco/Exception.h"

#include <windows.h>
#include <sddl.h>

#include <cstdint>
#include <cstdio>
#include <thread>

namespace webchat {

namespace {

// "webchatd-reload-<FNV-1a of the path, lower-cased>": the name of a kernel
// object may hold no backslash, and Windows paths are case-insensitive.
// "Global\" first (the service runs in session 0, --reload in the
// operator's session); "Local\" where creating a global object is not
// allowed (a console webchatd of a user without SeCreateGlobalPrivilege).
std::wstring reloadEventName(const std::string& configPath, bool global)
{
	std::uint64_t hash = 14695981039346656037ull;
	for (const char c : configPath)
	{
		hash ^= static_cast<unsigned char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		hash *= 1099511628211ull;
	}
	char name[64];
	std::snprintf(name, sizeof name, "%s\\webchatd-reload-%016llx", global ? "Global" : "Local", static_cast<unsigned long long>(hash));
	return std::wstring(name, name + std::char_traits<char>::length(name));
}

// The reload event, settable by the local system (the service's account),
// administrators and the account that runs webchatd: the default rights of
// a service's objects would let an administrator wait on it, not set it.
HANDLE createReloadEvent(const std::string& configPath)
{
	PSECURITY_DESCRIPTOR descriptor = nullptr;
	if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(L"D:(A;;GA;;;SY)(A;;GA;;;BA)(A;;GA;;;OW)", SDDL_REVISION_1, &descriptor, nullptr))
		return nullptr;
	SECURITY_ATTRIBUTES attributes{sizeof(SECURITY_ATTRIBUTES), descriptor, FALSE};
	HANDLE event = CreateEventW(&attributes, FALSE, FALSE, reloadEventName(configPath, true).c_str());
	if (!event) event = CreateEventW(&attributes, FALSE, FALSE, reloadEventName(configPath, false).c_str());
	LocalFree(descriptor);
	return event;
}

} // namespace

void ControlRequests::prepare()
{
	// No signals to block: POCO's ServerApplication takes the service's stop
	// and Ctrl+C, and a closed peer fails a send with an error, not a signal.
}

void ControlRequests::waitForStop(const std::string& configPath, const std::function<void()>& waitForTermination, const std::function<void()>& onReload,
	Poco::Logger& logger)
{
	HANDLE reload = createReloadEvent(configPath);
	if (!reload)
	{
		logger.warning("cannot create the reload event (error " + std::to_string(GetLastError()) + "): webchatd --reload will not reach this process");
		waitForTermination();
		return;
	}
	if (GetLastError() == ERROR_ALREADY_EXISTS)
		logger.warning("another webchatd runs with " + configPath + ": webchatd --reload reaches one of them, either");
	// Reloads run on a thread of their own while the main thread waits in
	// POCO for the stop; the thread ends before this returns, so no reload
	// overlaps the shutdown that follows.
	HANDLE quit = CreateEventW(nullptr, TRUE, FALSE, nullptr);
	std::thread watcher([&] {
		const HANDLE handles[] = {quit, reload};
		while (WaitForMultipleObjects(2, handles, FALSE, INFINITE) == WAIT_OBJECT_0 + 1) onReload();
	});
	waitForTermination();
	SetEvent(quit);
	watcher.join();
	CloseHandle(quit);
	CloseHandle(reload);
}

void ControlRequests::exitOnSecondStop(Poco::Logger&)
{
}

void ControlRequests::requestReload(const std::string& configPath)
{
	HANDLE event = OpenEventW(EVENT_MODIFY_STATE, FALSE, reloadEventName(configPath, true).c_str());
	if (!event) event = OpenEventW(EVENT_MODIFY_STATE, FALSE, reloadEventName(configPath, false).c_str());
	if (!event) throw Poco::NotFoundException("no webchatd runs with " + configPath + " (or this account may not signal it)");
	const bool set = SetEvent(event) != 0;
	CloseHandle(event);
	if (!set) throw Poco::SystemException("cannot signal the webchatd running with " + configPath);
}

} // namespace webchat
