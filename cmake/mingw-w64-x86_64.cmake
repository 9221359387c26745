# CMake toolchain: 64-bit Windows with Debian's MinGW-w64 (the posix-threads
# compilers of g++-mingw-w64-x86-64-posix, which std::thread needs).
#   cmake -DCMAKE_TOOLCHAIN_FILE=cmake/mingw-w64-x86_64.cmake \
#         -DWEBCHAT_WINDOWS_DEPS=/path/to/deps ...
# WEBCHAT_WINDOWS_DEPS is the prefix scripts/build-windows.sh builds OpenSSL,
# ICU and POCO into (build-windows/deps); libraries, headers and packages are
# looked for there and in MinGW's own folder only, never in this machine's
# /usr (Linux libraries), programs only on this machine.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(WEBCHAT_MINGW_HOST x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${WEBCHAT_MINGW_HOST}-gcc-posix)
set(CMAKE_CXX_COMPILER ${WEBCHAT_MINGW_HOST}-g++-posix)
set(CMAKE_RC_COMPILER ${WEBCHAT_MINGW_HOST}-windres)
# The binutils for PE files (cpack strips with them; the install step's
# runtime-dependency scan reads DLL imports with objdump).
set(CMAKE_AR ${WEBCHAT_MINGW_HOST}-ar)
set(CMAKE_RANLIB ${WEBCHAT_MINGW_HOST}-ranlib)
set(CMAKE_STRIP ${WEBCHAT_MINGW_HOST}-strip)
set(CMAKE_OBJDUMP ${WEBCHAT_MINGW_HOST}-objdump)
# POCO's message compiler (its Foundation event-log messages), by full path:
# POCO's rule runs it from a build subfolder.
find_program(CMAKE_MC_COMPILER x86_64-w64-mingw32-windmc REQUIRED)

# Try-compiles see the deps prefix too.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES WEBCHAT_WINDOWS_DEPS)
set(CMAKE_FIND_ROOT_PATH /usr/${WEBCHAT_MINGW_HOST})
if(WEBCHAT_WINDOWS_DEPS)
  list(APPEND CMAKE_FIND_ROOT_PATH "${WEBCHAT_WINDOWS_DEPS}")
  # POCO installs its package config in <prefix>/cmake on Windows.
  list(APPEND CMAKE_PREFIX_PATH "${WEBCHAT_WINDOWS_DEPS}" "${WEBCHAT_WINDOWS_DEPS}/cmake")
endif()
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# pkg-config (CppUnit for the tests) reads the deps prefix's .pc files only,
# not this machine's (libsystemd is then not found: no sd_notify on Windows).
if(WEBCHAT_WINDOWS_DEPS)
  set(ENV{PKG_CONFIG_LIBDIR} "${WEBCHAT_WINDOWS_DEPS}/lib/pkgconfig")
  set(ENV{PKG_CONFIG_PATH} "")
endif()
