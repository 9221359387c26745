#include "IniSyntax.h"

#include "Poco/Exception.h"
#include "Poco/String.h"

namespace webchat {

void IniSyntax::check(std::istream& in)
{
	std::string line;
	int number = 0;
	while (std::getline(in, line))
	{
		++number;
		if (number == 1 && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
		const std::string text = Poco::trim(line);
		const auto fail = [&](const std::string& why) {
			throw Poco::SyntaxException("line " + std::to_string(number) + ": " + why, text);
		};
		if (text.empty() || text[0] == ';' || text[0] == '#') continue;
		if (text[0] == '[')
		{
			const auto close = text.find(']');
			if (close == std::string::npos) fail("section header without ']'");
			if (Poco::trim(text.substr(1, close - 1)).empty()) fail("empty section name");
			const std::string rest = Poco::trim(text.substr(close + 1));
			if (!rest.empty() && rest[0] != ';' && rest[0] != '#') fail("text after section header");
			continue;
		}
		const auto separator = text.find_first_of("=:");
		if (separator == std::string::npos) fail("expected key = value");
		if (Poco::trim(text.substr(0, separator)).empty()) fail("empty key");
	}
}

} // namespace webchat
