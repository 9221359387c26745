//
// ErrorText.h
//
// One line of text for an exception, for the log and for error replies,
// shared by webchatd and its plugins (header-only, so each keeps its own
// copy): a Poco::Exception says most in displayText() (its name and
// message: "I/O error: Redis closed the connection"), anything else in
// what(). Catching std::exception and describing it replaces a pair of
// catch clauses, one for Poco::Exception and one for std::exception, that
// would otherwise say the same twice.
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
