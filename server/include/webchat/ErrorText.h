//
// ErrorText.h
//
// The text of an exception, for the log and for error replies,
// shared by webchatd and its plugins (header-only, so each keeps its own
// copy): a Poco::Exception says most in displayText() (its name and
// message: "I/O error: Redis closed the connection"), anything else in
// what(). So one catch of std::exception serves both kinds: no second
// clause for Poco::Exception that formats the same text again.
//

#ifndef WEBCHAT_ERRORTEXT_INCLUDED
#define WEBCHAT_ERRORTEXT_INCLUDED

#include "Poco/Exception.h"

#include <exception>
#include <string>

namespace webchat {

inline std::string describe(const std::exception& error)
{
	if (const auto* poco = dynamic_cast<const Poco::Exception*>(&error)) return poco->displayText();
	return error.what();
}

} // namespace webchat

#endif
