# The Windows package: `cpack` in a build directory configured with
# cmake/mingw-w64-x86_64.cmake (scripts/build-windows.sh does both) builds
# webchat-<version>-win64.zip from the install rules, to unzip into any
# folder: bin/webchatd.exe with every DLL that it and the plugins load (POCO,
# OpenSSL, ICU, MinGW's C++ runtime), lib/webchat/plugins/*.dll,
# etc/webchat/*.ini, share/webchat/htdocs/ and the documentation. Test
# plugins, test programs and webchat-bench have no install rule.

# The DLLs, found at install time in the imports of webchatd.exe and of the
# shipped plugins, and of those DLLs in turn (cmake/InstallWindowsDlls.cmake),
# in the deps prefix's bin/ and MinGW's runtime folders; installed next to
# webchatd.exe, where Windows looks first (for the plugins' imports too).
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

get_property(webchat_plugins GLOBAL PROPERTY WEBCHAT_SHIPPED_PLUGINS)
set(webchat_modules "")
foreach(plugin IN LISTS webchat_plugins)
  list(APPEND webchat_modules "$<TARGET_FILE:${plugin}>")
endforeach()
# What the script needs, set in the install script before it runs.
install(CODE "
  set(WEBCHAT_OBJDUMP \"${CMAKE_OBJDUMP}\")
  set(WEBCHAT_EXECUTABLE \"$<TARGET_FILE:webchatd>\")
  set(WEBCHAT_MODULES \"${webchat_modules}\")
  set(WEBCHAT_DLL_DIRS \"${WEBCHAT_WINDOWS_DLL_DIRS}\")
  set(WEBCHAT_DLL_DESTINATION \"${CMAKE_INSTALL_BINDIR}\")
")
install(SCRIPT "${CMAKE_CURRENT_LIST_DIR}/InstallWindowsDlls.cmake")

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
