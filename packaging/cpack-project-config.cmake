# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE in
# cmake/Packaging.cmake). The .deb installs under /usr and /etc, so it must
# come from a build configured for that prefix: webchatd has its sysconfdir
# compiled in and the systemd unit names its path.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_WEBCHAT_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "webchat: the .deb needs a build configured with -DCMAKE_INSTALL_PREFIX=/usr "
    "(this one has ${CPACK_WEBCHAT_INSTALL_PREFIX}, compiled into webchatd and the systemd unit)")
endif()
