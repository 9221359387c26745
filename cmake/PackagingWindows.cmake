# The Windows package: `cpack` in a build directory configured with
# cmake/mingw-w64-x86_64.cmake (scripts/build-windows.sh does both) builds
# webchat-<version>-win64.zip from the install rules, to unzip into any
# folder: bin/webchatd.exe with every DLL that it and the plugins load (POCO,
# OpenSSL, ICU, MinGW's C++ runtime), lib/webchat/plugins/*.dll,
# etc/webchat/*.ini, share/webchat/htdocs/ and the documentation. Test
# plugins, test programs and webchat-bench have no install rule.

# The DLLs, found at install time in the imports of webchatd.exe and of the
# shipped plugins (read with the toolchain's objdump), and of those DLLs in
# turn, in the deps prefix's bin/ and MinGW's runtime folder; installed next
# to webchatd.exe, where Windows looks first (for the plugins' imports too).
# Only the families below are ours to ship; every other import (kernel32.dll,
# ws2_32.dll, ...) is Windows' own.
# MinGW's runtime: libstdc++ and libgcc beside the compiler, libwinpthread in
# the target's lib folder (the compiler finds both).
set(WEBCHAT_WINDOWS_DLL_DIRS "${WEBCHAT_WINDOWS_DEPS}/bin")
foreach(dll libstdc++-6.dll libwinpthread-1.dll)
  execute_process(COMMAND "${CMAKE_CXX_COMPILER}" -print-file-name=${dll}
    OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  get_filename_component(path "${path}" REALPATH)
  get_filename_component(path "${path}" DIRECTORY)
  list(APPEND WEBCHAT_WINDOWS_DLL_DIRS "${path}")
endforeach()
set(WEBCHAT_WINDOWS_SHIPPED_DLLS
  "^libPoco[A-Za-z]+\\.dll$"
  "^libcrypto-[0-9]+-x64\\.dll$" "^libssl-[0-9]+-x64\\.dll$"
  "^(lib)?icu(uc|in|dt)[0-9]+\\.dll$"
  "^libstdc\\+\\+-6\\.dll$" "^libgcc_s_seh-1\\.dll$" "^libwinpthread-1\\.dll$")

get_property(webchat_plugins GLOBAL PROPERTY WEBCHAT_SHIPPED_PLUGINS)
set(webchat_modules "")
foreach(plugin IN LISTS webchat_plugins)
  string(APPEND webchat_modules " \"$<TARGET_FILE:${plugin}>\"")
endforeach()
list(JOIN WEBCHAT_WINDOWS_DLL_DIRS "\" \"" webchat_dll_dirs)
list(JOIN WEBCHAT_WINDOWS_SHIPPED_DLLS "\" \"" webchat_shipped_dlls)
install(CODE "
  set(CMAKE_GET_RUNTIME_DEPENDENCIES_PLATFORM windows+pe)
  set(CMAKE_GET_RUNTIME_DEPENDENCIES_TOOL objdump)
  set(CMAKE_GET_RUNTIME_DEPENDENCIES_COMMAND \"${CMAKE_OBJDUMP}\")
  file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES \"$<TARGET_FILE:webchatd>\"
    MODULES ${webchat_modules}
    DIRECTORIES \"${webchat_dll_dirs}\"
    PRE_INCLUDE_REGEXES \"${webchat_shipped_dlls}\"
    PRE_EXCLUDE_REGEXES \".*\"
    RESOLVED_DEPENDENCIES_VAR webchat_dlls
    UNRESOLVED_DEPENDENCIES_VAR webchat_missing)
  if(webchat_missing)
    message(FATAL_ERROR \"DLLs not found in ${WEBCHAT_WINDOWS_DLL_DIRS}: \${webchat_missing}\")
  endif()
  file(INSTALL \${webchat_dlls} DESTINATION \"\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_BINDIR}\")
")

set(CPACK_GENERATOR "ZIP")
set(CPACK_PACKAGE_NAME "webchat")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "webchat")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "WebSocket chat-room server")
set(CPACK_PACKAGE_FILE_NAME "webchat-${PROJECT_VERSION}-win64")
# bin/, lib/, etc/ and share/ at the top of the archive: unzipped into the
# folder the user picks.
set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY OFF)
set(CPACK_STRIP_FILES ON)
include(CPack)
