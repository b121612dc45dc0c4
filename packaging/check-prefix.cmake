# check-prefix.cmake - install-time guard (install(SCRIPT), run first).
#
# The systemd unit is generated when configuring, with the configured
# prefix in ExecStart= and EnvironmentFile=.  `cmake --install --prefix
# OTHER` would install a unit that runs a binary somewhere else, so it is
# refused with what to do instead.  DESTDIR staging is unaffected.
if(NOT CMAKE_INSTALL_PREFIX STREQUAL MTA_CONFIGURED_PREFIX)
  message(FATAL_ERROR
    "mta_exporter: this build is configured for the prefix ${MTA_CONFIGURED_PREFIX}, "
    "and its systemd unit names files there; installing to ${CMAKE_INSTALL_PREFIX} "
    "would leave a unit that runs a binary elsewhere. Reconfigure with "
    "-DCMAKE_INSTALL_PREFIX=${CMAKE_INSTALL_PREFIX}, or stage with DESTDIR=... "
    "cmake --install (see docs/deployment.md, \"Install layout\").")
endif()
