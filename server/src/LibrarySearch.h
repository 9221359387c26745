//
// LibrarySearch.h
//
// Where the libraries a plugin needs are found when it is loaded. On Linux
// the dynamic linker finds them itself (DT_NEEDED, the system's folders).
// On Windows a plugin DLL in lib\webchat\plugins\ is loaded with its own
// folder first in the search (POCO's LoadLibraryEx with
// LOAD_WITH_ALTERED_SEARCH_PATH), which leaves out webchatd.exe's folder,
// where the package puts the DLLs (POCO, OpenSSL, ICU): it is added here.
//

#ifndef WEBCHAT_LIBRARYSEARCH_INCLUDED
#define WEBCHAT_LIBRARYSEARCH_INCLUDED

#include <string>

namespace webchat {

struct LibrarySearch
{
	/// programFolder: webchatd's own folder (application.dir). Before the
	/// first plugin is loaded.
	static void includeProgramFolder(const std::string& programFolder);
};

} // namespace webchat

#endif
