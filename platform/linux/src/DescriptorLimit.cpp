#include "webchat/platform/DescriptorLimit.h"

#include <sys/resource.h>

namespace webchat::platform {

std::optional<DescriptorLimitRaise> raiseDescriptorLimit()
{
	rlimit limit{};
	if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= limit.rlim_max) return std::nullopt;
	const rlim_t before = limit.rlim_cur;
	limit.rlim_cur = limit.rlim_max;
	if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return std::nullopt;
	return DescriptorLimitRaise{before, limit.rlim_cur};
}

} // namespace webchat::platform
