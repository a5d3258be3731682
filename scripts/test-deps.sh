#!/bin/sh
# Installs the programs the integration tests run for real: redis-server and
# redis-cli, kcat (librdkafka's command-line client) and chromium (the
# dashboard's browser tests drive it headless). Uses apt-get when one is
# missing.
set -eu
programs="redis-server redis-cli kcat chromium"
missing=""
for p in $programs; do
	command -v "$p" >/dev/null 2>&1 && continue
	# redis-cli (the Redis Cluster tests create their cluster with it) comes
	# in redis-tools; every other package is named as its program.
	case "$p" in
	redis-cli) missing="$missing redis-tools" ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q </dev/null
# shellcheck disable=SC2086
$SUDO apt-get install -y -q --no-install-recommends $missing </dev/null
for p in $programs; do
	command -v "$p" >/dev/null 2>&1 || { echo "$p is still missing after apt-get install" >&2; exit 1; }
done
