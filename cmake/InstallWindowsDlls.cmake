# Installs the DLLs the Windows package needs (run by cmake --install and
# cpack; cmake/PackagingWindows.cmake sets WEBCHAT_OBJDUMP, WEBCHAT_EXECUTABLE,
# WEBCHAT_MODULES, WEBCHAT_DLL_DIRS and WEBCHAT_DLL_DESTINATION first): every
# DLL that webchatd.exe and the plugins import, and those DLLs import in
# turn, read with the toolchain's objdump and looked up in WEBCHAT_DLL_DIRS.
# Only the families below are ours to ship; every other import
# (kernel32.dll, ws2_32.dll...) is Windows' own.
#
# file(GET_RUNTIME_DEPENDENCIES) gives Windows names in lower case (Windows
# ignores case) and so cannot find libPocoFoundation.dll on this case-
# sensitive file system: what it leaves unresolved is looked up again here,
# ignoring case, and the DLLs found that way are read for their own imports.

# Run by the install script, which sets no policies: this project's.
cmake_policy(PUSH)
cmake_policy(VERSION 3.25)

set(CMAKE_GET_RUNTIME_DEPENDENCIES_PLATFORM windows+pe)
set(CMAKE_GET_RUNTIME_DEPENDENCIES_TOOL objdump)
set(CMAKE_GET_RUNTIME_DEPENDENCIES_COMMAND "${WEBCHAT_OBJDUMP}")
set(shipped
  "^libpoco[a-z]+[.]dll$"
  "^libcrypto-[0-9]+-x64[.]dll$" "^libssl-[0-9]+-x64[.]dll$"
  "^(lib)?icu(uc|in|dt)[0-9]+[.]dll$"
  "^libstdc[+][+]-6[.]dll$" "^libgcc_s_seh-1[.]dll$" "^libwinpthread-1[.]dll$")

# The file in WEBCHAT_DLL_DIRS whose name is `name` in lower case, or "".
function(find_ignoring_case name result)
  foreach(dir IN LISTS WEBCHAT_DLL_DIRS)
    file(GLOB candidates "${dir}/*.dll" "${dir}/*.DLL")
    foreach(candidate IN LISTS candidates)
      get_filename_component(base "${candidate}" NAME)
      string(TOLOWER "${base}" lower)
      if(lower STREQUAL name)
        set(${result} "${candidate}" PARENT_SCOPE)
        return()
      endif()
    endforeach()
  endforeach()
  set(${result} "" PARENT_SCOPE)
endfunction()

set(dlls "")
set(missing "")
set(executables "${WEBCHAT_EXECUTABLE}")
set(modules "${WEBCHAT_MODULES}")
set(libraries "")
# Each round reads the files found in the last one; a DLL found by its
# lower-case name starts another round for its own imports.
while(executables OR modules OR libraries)
  file(GET_RUNTIME_DEPENDENCIES
    EXECUTABLES ${executables}
    MODULES ${modules}
    LIBRARIES ${libraries}
    DIRECTORIES ${WEBCHAT_DLL_DIRS}
    PRE_INCLUDE_REGEXES ${shipped}
    PRE_EXCLUDE_REGEXES ".*"
    RESOLVED_DEPENDENCIES_VAR resolved
    UNRESOLVED_DEPENDENCIES_VAR unresolved)
  list(APPEND dlls ${resolved})
  set(executables "")
  set(modules "")
  set(libraries "")
  foreach(name IN LISTS unresolved)
    find_ignoring_case("${name}" path)
    if(NOT path)
      list(APPEND missing "${name}")
    elseif(NOT path IN_LIST dlls)
      list(APPEND dlls "${path}")
      list(APPEND libraries "${path}")
    endif()
  endforeach()
endwhile()
list(REMOVE_DUPLICATES dlls)
list(REMOVE_DUPLICATES missing)
if(missing)
  message(FATAL_ERROR "DLLs not found in ${WEBCHAT_DLL_DIRS}: ${missing}")
endif()
file(INSTALL ${dlls} DESTINATION "${CMAKE_INSTALL_PREFIX}/${WEBCHAT_DLL_DESTINATION}")
cmake_policy(POP)
