#include "LibrarySearch.h"

#include "Poco/UnicodeConverter.h"

#include <windows.h>

namespace webchat {

void LibrarySearch::includeProgramFolder(const std::string& programFolder)
{
	// SetDllDirectory's folder takes the place of the current directory in
	// both search orders, the standard one and the one POCO loads plugins
	// with; the current directory is better left out anyway.
	std::wstring folder;
	Poco::UnicodeConverter::toUTF16(programFolder, folder);
	SetDllDirectoryW(folder.c_str());
}

} // namespace webchat
