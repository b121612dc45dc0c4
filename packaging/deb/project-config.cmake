# project-config.cmake - CPACK_PROJECT_CONFIG_FILE: checked by cpack before
# it builds a package.  The .deb installs to /usr, /etc and
# /lib/systemd/system, and the unit names the binary by its configured
# path, so only a build configured for the prefix /usr can be packaged.
if(CPACK_GENERATOR STREQUAL "DEB" AND NOT CPACK_MTA_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR
    "mta-exporter: the .deb needs a build configured with -DCMAKE_INSTALL_PREFIX=/usr "
    "(this one has ${CPACK_MTA_INSTALL_PREFIX}); use `cmake --workflow --preset deb`.")
endif()
