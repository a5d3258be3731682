#!/bin/sh
# Installs the programs the integration tests run for real: redis-server and
# kcat (librdkafka's command-line client). Uses apt-get when one is missing.
set -eu
missing=""
for p in redis-server kcat; do
	command -v "$p" >/dev/null 2>&1 || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q </dev/null
$SUDO apt-get install -y -q --no-install-recommends redis-server kcat </dev/null
for p in redis-server kcat; do
	command -v "$p" >/dev/null 2>&1 || { echo "$p is still missing after apt-get install" >&2; exit 1; }
done
