#include "DocumentRoot.h"

#include <climits>
#include <cstdlib>
#include <memory>

namespace webchat {
namespace page {

std::string DocumentRoot::canonical(const std::string& path)
{
	// Poco::Path only normalises text; following links needs the system.
	std::unique_ptr<char, decltype(&std::free)> resolved(::realpath(path.c_str(), nullptr), &std::free);
	return resolved ? std::string(resolved.get()) : std::string();
}

} } // namespace webchat::page
