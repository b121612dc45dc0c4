# install-defaults.cmake - install-time rule (install(SCRIPT)): install the
# flags file MTA_DEFAULTS_FILE from MTA_DEFAULTS_SOURCE unless one is there
# already, so that reinstalling never overwrites the administrator's flags.
if(EXISTS "$ENV{DESTDIR}${MTA_DEFAULTS_FILE}")
  message(STATUS "Keeping: $ENV{DESTDIR}${MTA_DEFAULTS_FILE}")
else()
  get_filename_component(dir "${MTA_DEFAULTS_FILE}" DIRECTORY)
  get_filename_component(name "${MTA_DEFAULTS_FILE}" NAME)
  file(INSTALL "${MTA_DEFAULTS_SOURCE}" DESTINATION "${dir}" RENAME "${name}"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
