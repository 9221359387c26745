#include "webchat/platform/Wakeup.h"

#include "Poco/Exception.h"

#include <cerrno>
#include <cstdint>
#include <sys/eventfd.h>
#include <unistd.h>

namespace webchat::platform {

Wakeup::Wakeup():
	_readEnd(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)),
	_signalEnd(_readEnd)
{
	if (_readEnd < 0) throw Poco::SystemException("eventfd", errno);
}

Wakeup::~Wakeup()
{
	::close(_readEnd);
}

void Wakeup::signal()
{
	const std::uint64_t one = 1;
	// Fails only when the counter would overflow: it is readable then anyway.
	[[maybe_unused]] const auto written = ::write(_signalEnd, &one, sizeof one);
}

void Wakeup::drain()
{
	std::uint64_t count = 0;
	[[maybe_unused]] const auto read = ::read(_readEnd, &count, sizeof count);
}

} // namespace webchat::platform
