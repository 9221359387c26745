//
// TextFiles.h
//
// Small text helpers integration tests keep writing again: read and write a
// whole file, look for a part of a server's output.
//

#ifndef WEBCHAT_TEXTFILES_INCLUDED
#define WEBCHAT_TEXTFILES_INCLUDED

#include "Poco/FileStream.h"
#include "Poco/StreamCopier.h"

#include <string>

namespace webchat::test {

inline std::string readTextFile(const std::string& path)
{
	std::string text;
	Poco::FileInputStream in(path);
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

/// Replaces the file's contents.
inline void writeTextFile(const std::string& path, const std::string& text)
{
	Poco::FileOutputStream out(path);
	out << text;
}

inline bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

} // namespace webchat::test

#endif
