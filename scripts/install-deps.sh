#!/usr/bin/env bash
# Installs what webchat needs from Debian 12's packages (run as root).
#   scripts/install-deps.sh          build and run the server
#   scripts/install-deps.sh --test   also everything the test suite uses
# Only asks apt when something is missing, so repeated runs are quick.
set -euo pipefail

packages=(cmake make g++ pkg-config libpoco-dev libsystemd-dev)
if [[ "${1:-}" == "--test" ]]; then
	packages+=(libcppunit-dev chromium clang libclang-rt-14-dev)
	# The package test: dpkg-shlibdeps (cpack's Depends), adduser (postinst),
	# pgrep, systemd-analyze (verifies the unit; systemd need not run).
	packages+=(dpkg-dev adduser procps systemd)
	# The reverse-proxy test (tests/proxy/): nginx in front of webchatd, with
	# a certificate made by openssl. It runs its own nginx on loopback ports.
	packages+=(nginx openssl)
	# Rooms shared through Redis (tests/integration/redis/, the benchmark's
	# two-instance mode): each test starts its own redis-server on loopback.
	packages+=(redis-server)
	# Debian's nodejs (18) is enough; keep a newer one that is already there.
	command -v node >/dev/null && command -v npm >/dev/null || packages+=(nodejs npm)
fi

missing=()
for package in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if ((${#missing[@]})); then
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-deps: missing packages: ${missing[*]}; run this as root (or: sudo apt-get install ${missing[*]})" >&2
		exit 1
	fi
	echo "install-deps: installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
