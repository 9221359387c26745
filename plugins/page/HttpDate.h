//
// HttpDate.h
//
// HTTP dates (RFC 9110, section 5.6.7): formatting, and strict parsing of the
// three forms a recipient must accept.
//

#ifndef WEBCHAT_PAGE_HTTPDATE_INCLUDED
#define WEBCHAT_PAGE_HTTPDATE_INCLUDED

#include "Poco/Timestamp.h"

#include <string>

namespace webchat {
namespace page {

class HttpDate
{
public:
	/// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
	static std::string format(const Poco::Timestamp& time);

	/// Parses IMF-fixdate, the obsolete RFC 850 form ("Sunday, 06-Nov-94
	/// 08:49:37 GMT") and asctime ("Sun Nov  6 08:49:37 1994"). Nothing
	/// else: Poco::DateTimeParser accepts almost any text (even "garbage"
	/// parses, as the year 0), and a bogus If-Modified-Since taken as a date
	/// would answer 304 for a file the browser never had.
	static bool parse(const std::string& text, Poco::Timestamp& time);
};

} } // namespace webchat::page

#endif
