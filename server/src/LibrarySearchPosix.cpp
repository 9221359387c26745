#include "LibrarySearch.h"

namespace webchat {

void LibrarySearch::includeProgramFolder(const std::string&)
{
	// The dynamic linker finds a plugin's libraries by their sonames.
}

} // namespace webchat
