#include "ControlSignals.h"

#include "Poco/Exception.h"
#include "Poco/NumberFormatter.h"
#include "Poco/Process.h"
#include "Poco/UnicodeConverter.h"

#include <cstdlib>
#include <string>
#include <thread>
#include <windows.h>

namespace webchat {

namespace {

// The event POCO's ServerApplication sets for a stop: the Service Control
// Manager's stop, a console's Ctrl+C or Ctrl+Break, Poco::Process::
// requestTermination(). Its name is POCO's (ProcessImpl::
// terminationEventName): "POCOTRM" and the process id in 8 hex digits.
HANDLE terminationEvent()
{
	std::string name("POCOTRM");
	Poco::NumberFormatter::appendHex(name, static_cast<unsigned>(Poco::Process::id()), 8);
	std::wstring wide;
	Poco::UnicodeConverter::toUTF16(name, wide);
	// Opens POCO's if it exists (same name); auto-reset as POCO's NamedEvent.
	const HANDLE event = ::CreateEventW(nullptr, FALSE, FALSE, wide.c_str());
	if (!event) throw Poco::SystemException("termination event", static_cast<int>(::GetLastError()));
	return event;
}

// The reload request of `webchatd --reload`. Global: the service runs in
// session 0, the command in the operator's session; one name per machine,
// as one service is installed under one name. A webchatd started by a user
// without the right to create global objects (not a service, not an
// administrator) uses the session's own name instead.
const wchar_t* const reloadEventNames[] = {L"Global\\webchatd-reload", L"Local\\webchatd-reload"};

HANDLE reloadEvent()
{
	for (const wchar_t* name : reloadEventNames)
	{
		if (const HANDLE event = ::CreateEventW(nullptr, FALSE, FALSE, name)) return event;
	}
	throw Poco::SystemException("reload event webchatd-reload", static_cast<int>(::GetLastError()));
}

} // namespace

void ControlSignals::prepare()
{
	// Nothing to block: no signals; writing to a closed socket is an error
	// return on Windows, never a SIGPIPE.
}

void ControlSignals::waitForStop(const std::function<void()>& onReload)
{
	const HANDLE events[2] = {terminationEvent(), reloadEvent()};
	for (;;)
	{
		const DWORD which = ::WaitForMultipleObjects(2, events, FALSE, INFINITE);
		if (which == WAIT_OBJECT_0 + 1)
		{
			onReload();
			continue;
		}
		// The stop, or the wait itself failed: stop rather than spin.
		break;
	}
	::CloseHandle(events[1]);
	::CloseHandle(events[0]);
}

void ControlSignals::exitOnSecondStop(Poco::Logger& logger)
{
	const HANDLE event = terminationEvent();
	std::thread([&logger, event] {
		if (::WaitForSingleObject(event, INFINITE) != WAIT_OBJECT_0) return;
		logger.warning("second stop request: exiting without draining");
		std::_Exit(1);
	}).detach();
}

bool ControlSignals::hasReloadCommand()
{
	return true;
}

bool ControlSignals::requestReload()
{
	for (const wchar_t* name : reloadEventNames)
	{
		const HANDLE event = ::OpenEventW(EVENT_MODIFY_STATE, FALSE, name);
		if (!event) continue;
		const BOOL set = ::SetEvent(event);
		::CloseHandle(event);
		if (!set) throw Poco::SystemException("--reload: setting the reload event", static_cast<int>(::GetLastError()));
		return true;
	}
	return false;
}

} // namespace webchat
