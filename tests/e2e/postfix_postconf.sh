#!/bin/bash
# postfix_postconf.sh - differential test of the Postfix configuration model
# against the real postconf (Debian package "postfix", installed here when
# missing, with debconf "No configuration"; the daemon is never started).
# The comparison itself is tests/e2e/postfix_postconf.py; our side is the
# test driver tests/tools/postfix_dump.c (same code as the collector).
set -eu

if ! command -v postconf >/dev/null 2>&1; then
	if [ "$(id -u)" != 0 ]; then
		echo "postconf missing and not root: skipped"
		exit 77
	fi
	echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -q postfix >/dev/null
fi
dump="${MTA_BUILD_DIR}/tests/postfix_dump"
[ -x "$dump" ] || { echo "missing $dump"; exit 1; }
exec python3 "${MTA_SOURCE_DIR}/tests/e2e/postfix_postconf.py" "$dump" \
	"${MTA_SOURCE_DIR}/tests/fixtures/postfix/cases"
