# The Debian package: `cpack` (or `cmake --build <dir> --target package`) in a
# build directory configured with -DCMAKE_INSTALL_PREFIX=/usr builds
# webchat_<version>_<arch>.deb from the install rules, i.e. only the real
# components: webchatd, the plugins in plugins/, the shipped configuration,
# the page, the systemd unit, the plugin header and the documentation. Test
# plugins, test programs and webchat-bench have no install rule.
#
# Why a /usr build and not CPACK_PACKAGING_INSTALL_PREFIX alone: the prefix is
# compiled into webchatd (the sysconfdir it reads webchat.ini from:
# /etc/webchat for /usr, /usr/local/etc/webchat for /usr/local) and written
# into the systemd unit (ExecStart=), so a package of a /usr/local build
# would put its files under /usr and look for them under /usr/local. cpack
# refuses such a build (packaging/cpack-project-config.cmake).

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "webchat")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
set(CPACK_PACKAGE_VENDOR "webchat")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "WebSocket chat-room server")
# The summary above is the first line; this is the long description.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "webchatd serves a chat page over HTTP and chat rooms (nicknames, presence,
history, resume after reconnect, flood control) over WebSocket, each listener
run by a handler plugin chosen in /etc/webchat/webchat.ini.
.
The package installs the webchatd.service systemd unit but neither enables nor
starts it: systemctl enable --now webchatd")
set(WEBCHAT_PACKAGE_MAINTAINER "webchat maintainers <maintainers@users.noreply.r-seed-85b502c7.example>"
  CACHE STRING "Maintainer field of the Debian package")
set(CPACK_PACKAGE_CONTACT "${WEBCHAT_PACKAGE_MAINTAINER}")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${WEBCHAT_PACKAGE_MAINTAINER}")

# Staged with DESTDIR, so the install rules' absolute destinations (the
# sysconfdir, /etc/webchat) land in the package, never on this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_STRIP_FILES ON)
# Read by packaging/cpack-project-config.cmake at cpack time.
set(CPACK_WEBCHAT_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_PROJECT_CONFIG_FILE "${PROJECT_SOURCE_DIR}/packaging/cpack-project-config.cmake")

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION "net")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
# Depends: what dpkg-shlibdeps finds for webchatd and the plugins (Debian's
# libpoco*80, libc6, libstdc++6, libsystemd0, ...), plus adduser for postinst.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")

# Maintainer scripts (packaging/debian/) and the conffiles: every file the
# install rules put in the sysconfdir (config/CMakeLists.txt collects them).
get_property(webchat_conffiles GLOBAL PROPERTY WEBCHAT_CONFFILES)
list(JOIN webchat_conffiles "\n" webchat_conffiles)
file(CONFIGURE OUTPUT "${CMAKE_BINARY_DIR}/packaging/conffiles" CONTENT "${webchat_conffiles}\n")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  "${PROJECT_SOURCE_DIR}/packaging/debian/postinst"
  "${PROJECT_SOURCE_DIR}/packaging/debian/prerm"
  "${PROJECT_SOURCE_DIR}/packaging/debian/postrm"
  "${CMAKE_BINARY_DIR}/packaging/conffiles")
# Scripts 0755, conffiles 0644, whatever the checkout's modes.
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

# `make package_source`: the sources without build trees or node_modules.
set(CPACK_SOURCE_GENERATOR "TGZ")
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build[^/]*/" "/node_modules/")

include(CPack)
