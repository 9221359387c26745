//
// ServiceOptions.h
//
// webchatd's command line as POCO's ServerApplication reads it, with
// webchatd's own defaults for registering it as a Windows service: POCO
// registers `webchatd --registerService` with no description, and the
// Services console would show an empty one.
//

#ifndef WEBCHAT_SERVICEOPTIONS_INCLUDED
#define WEBCHAT_SERVICEOPTIONS_INCLUDED

#include <string>
#include <vector>

namespace webchat {

struct ServiceOptions
{
	/// What the Services console says of webchatd.
	static const char* const description;

	/// args (the program first) with --description=<description> added to
	/// a --registerService that gives none; otherwise args as they are.
	static std::vector<std::string> withDefaults(std::vector<std::string> args);
};

} // namespace webchat

#endif
