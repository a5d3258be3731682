#!/bin/sh
# Installs the programs the integration tests run for real: redis-server,
# kcat (librdkafka's command-line client) and chromium (the dashboard's
# browser tests drive it headless). Uses apt-get when one is missing.
set -eu
programs="redis-server kcat chromium"
missing=""
for p in $programs; do
	command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q </dev/null
# The Debian package of each program is named as the program.
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing </dev/null
for p in $programs; do
	command -v "$p" >/dev/null 2>&1 || { echo "$p is still missing after apt-get install" >&2; exit 1; }
done
