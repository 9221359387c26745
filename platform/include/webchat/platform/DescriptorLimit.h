//
// DescriptorLimit.h
//
// Thousands of clients need thousands of sockets. Linux counts them against
// RLIMIT_NOFILE, whose soft limit is often 1024 while the hard limit allows
// far more; Windows has no such per-process count (a socket is a kernel
// handle, bounded by memory, and WSAPoll takes any number of them), so
// there only the engine's own max_connections applies.
//

#ifndef WEBCHAT_PLATFORM_DESCRIPTORLIMIT_INCLUDED
#define WEBCHAT_PLATFORM_DESCRIPTORLIMIT_INCLUDED

#include <cstdint>
#include <optional>

namespace webchat::platform {

struct DescriptorLimitRaise
{
	std::uint64_t before;
	std::uint64_t after;
};

/// Raises the soft limit on open descriptors to the hard one; what it was
/// and is, if it was raised (nothing where there is no limit to raise).
std::optional<DescriptorLimitRaise> raiseDescriptorLimit();

} // namespace webchat::platform

#endif
