#include "DocumentRoot.h"

#include "Poco/UnicodeConverter.h"

#include <algorithm>
#include <vector>
#include <windows.h>

namespace webchat {
namespace page {

std::string DocumentRoot::canonical(const std::string& path)
{
	// The path the system opens, every link and junction followed: open it
	// (a directory too: BACKUP_SEMANTICS) and ask for its final name.
	std::wstring wide;
	Poco::UnicodeConverter::toUTF16(path, wide);
	const HANDLE handle = ::CreateFileW(wide.c_str(), 0, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
		FILE_FLAG_BACKUP_SEMANTICS, nullptr);
	if (handle == INVALID_HANDLE_VALUE) return std::string();
	std::vector<wchar_t> name(MAX_PATH);
	DWORD length = ::GetFinalPathNameByHandleW(handle, name.data(), static_cast<DWORD>(name.size()), FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
	if (length >= name.size())
	{
		name.resize(length + 1);
		length = ::GetFinalPathNameByHandleW(handle, name.data(), static_cast<DWORD>(name.size()), FILE_NAME_NORMALIZED | VOLUME_NAME_DOS);
	}
	::CloseHandle(handle);
	if (length == 0 || length >= name.size()) return std::string();
	std::string result;
	Poco::UnicodeConverter::toUTF8(std::wstring(name.data(), length), result);
	// "\\?\C:\site" (a long-path prefix) as "C:/site", the form the
	// containment check (DocumentRoot::contains) compares with '/'.
	if (result.compare(0, 4, "\\\\?\\") == 0) result.erase(0, 4);
	std::replace(result.begin(), result.end(), '\\', '/');
	return result;
}

} } // namespace webchat::page
