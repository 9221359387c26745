#!/usr/bin/env bash
# Installs what webchat needs from Debian 12's packages (run as root).
#   scripts/install-deps.sh             build and run the server
#   scripts/install-deps.sh --package   also build the Debian package (cpack)
#   scripts/install-deps.sh --test      also everything the test suite uses
#                                       (the Windows cross-build included)
#   scripts/install-deps.sh --windows   also the Windows cross-build
#                                       (scripts/build-windows.sh)
# The programs and the packages that install them are listed in
# scripts/programs.txt; the libraries (headers to build against) here. Only
# asks apt when something is missing, so repeated runs are quick. Fails if a
# listed program is still missing afterwards.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

needed_by=(run)
libraries=(libpoco-dev libsystemd-dev libicu-dev zlib1g-dev)
# Debian's MinGW-w64 (its compilers are named by the CMake toolchain file,
# cmake/mingw-w64-x86_64.cmake, not run from a script); ICU's own tools for
# its cross build (scripts/build-windows.sh).
windows_libraries=(g++-mingw-w64-x86-64-posix binutils-mingw-w64-x86-64 icu-devtools)
case "${1:-}" in
"") ;;
--package) needed_by+=(package) ;;
--test)
	# The test command builds and tests the Windows package too.
	needed_by+=(package test windows)
	# CppUnit; the runtimes of clang's libFuzzer and sanitizers (the fuzz
	# build); colour emoji for the page in the browser tests' screenshots.
	libraries+=(libcppunit-dev libclang-rt-14-dev fonts-noto-color-emoji "${windows_libraries[@]}")
	;;
--windows)
	needed_by+=(windows)
	libraries+=("${windows_libraries[@]}")
	;;
*)
	echo "install-deps: unknown argument $1 (none, --package, --test or --windows)" >&2
	exit 64
	;;
esac

# A program is found by its absolute path, or by name in PATH and the sbin
# folders (where nginx is, and where a non-root PATH does not look).
found() {
	local program
	IFS='|' read -ra alternatives <<<"$1"
	for program in "${alternatives[@]}"; do
		if [[ $program == /* ]]; then
			[[ -x $program ]] && return 0
		else
			PATH="$PATH:/usr/sbin:/sbin" command -v "$program" >/dev/null && return 0
		fi
	done
	return 1
}

programs=()
packages=()
while read -r program package scope _; do
	[[ -z $program || $program == \#* ]] && continue
	[[ " ${needed_by[*]} " == *" $scope "* ]] || continue
	programs+=("$program")
	found "$program" || packages+=("$package")
done <"$here/programs.txt"
for package in "${libraries[@]}"; do
	dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || packages+=("$package")
done

if ((${#packages[@]})); then
	mapfile -t packages < <(printf '%s\n' "${packages[@]}" | sort -u)
	if [[ $(id -u) -ne 0 ]]; then
		echo "install-deps: missing packages: ${packages[*]}; run this as root (or: sudo apt-get install ${packages[*]})" >&2
		exit 1
	fi
	echo "install-deps: installing ${packages[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
fi

missing=()
for program in "${programs[@]}"; do
	found "$program" || missing+=("$program")
done
if ((${#missing[@]})); then
	echo "install-deps: still missing after the install: ${missing[*]} (is its package right in scripts/programs.txt?)" >&2
	exit 1
fi
