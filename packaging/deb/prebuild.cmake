# prebuild.cmake - CPACK_PRE_BUILD_SCRIPTS: after cpack has staged what
# `cmake --install` installs and before it builds the .deb, add the files
# only a Debian package has: the copyright file and changelog.Debian.gz
# (gzip -9n: no name or time stamp in the header) in the doc directory,
# and the lintian overrides; and drop the .comment and .note sections cpack's
# strip leaves in the binary, as dh_strip does.
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
set(doc "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_MTA_DOCDIR}")
file(COPY "${CPACK_MTA_COPYRIGHT}" DESTINATION "${doc}"
     FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
file(COPY_FILE "${CPACK_MTA_CHANGELOG}" "${doc}/changelog.Debian")
file(CHMOD "${doc}/changelog.Debian" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
execute_process(COMMAND "${CPACK_MTA_GZIP}" -9nf "${doc}/changelog.Debian"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gzip ${doc}/changelog.Debian failed: ${rc}")
endif()

set(overrides "${CPACK_TEMPORARY_INSTALL_DIRECTORY}/usr/share/lintian/overrides")
file(MAKE_DIRECTORY "${overrides}")
file(COPY_FILE "${CPACK_MTA_LINTIAN_OVERRIDES}" "${overrides}/${CPACK_DEBIAN_PACKAGE_NAME}")
file(CHMOD "${overrides}/${CPACK_DEBIAN_PACKAGE_NAME}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

execute_process(COMMAND "${CPACK_MTA_STRIP}" --remove-section=.comment --remove-section=.note
                        "${CPACK_TEMPORARY_INSTALL_DIRECTORY}${CPACK_MTA_BINDIR}/mta_exporter"
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "strip ${CPACK_MTA_BINDIR}/mta_exporter failed: ${rc}")
endif()
