#include "webchat/platform/DescriptorLimit.h"

namespace webchat::platform {

// No per-process limit on sockets to raise (see the header).
std::optional<DescriptorLimitRaise> raiseDescriptorLimit()
{
	return std::nullopt;
}

} // namespace webchat::platform
