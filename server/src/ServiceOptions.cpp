#include "ServiceOptions.h"

#include <algorithm>

namespace webchat {

const char* const ServiceOptions::description =
	"webchat chat-room server: serves the listeners of etc\\webchat\\webchat.ini beside its bin folder (webchatd --reload re-reads it)";

std::vector<std::string> ServiceOptions::withDefaults(std::vector<std::string> args)
{
	const auto given = [&](const std::string& option) {
		return std::any_of(args.begin() + (args.empty() ? 0 : 1), args.end(),
			[&](const std::string& arg) { return arg == option || arg.rfind(option + "=", 0) == 0; });
	};
	if (given("--registerService") && !given("--description")) args.push_back(std::string("--description=") + description);
	return args;
}

} // namespace webchat
