//
// IniSyntax.h
//
// A strict syntax check run before POCO parses an .ini file. POCO's
// IniFileConfiguration accepts an unterminated "[section" and a line without
// "=" (as a key with an empty value), so a typo silently becomes a strange
// key; we want such a file refused with the line that is wrong.
//

#ifndef WEBCHAT_INISYNTAX_INCLUDED
#define WEBCHAT_INISYNTAX_INCLUDED

#include <istream>
#include <string>

namespace webchat {

class IniSyntax
{
public:
	/// Throws Poco::SyntaxException naming the line number and the reason for
	/// the first line that is not blank, a comment (';' or '#'), a
	/// "[section]" header or a "key = value" / "key: value" pair.
	static void check(std::istream& in);
};

} // namespace webchat

#endif
