#!/usr/bin/env bash
# Builds webchat and runs the whole test suite: unit, integration (the real
# server on loopback), browser and package tests on a -Werror Release build;
# the unit tests again under AddressSanitizer + UndefinedBehaviorSanitizer; a
# short libFuzzer run of the protocol decoder and handshake parser; the
# Windows package, cross-built, under Wine (tests/windows).
#
# Run it as root: the package test (tests/package/) builds the .deb from the
# Release build (hence its /usr prefix), installs it with dpkg, runs it and
# purges it. It refuses to run if a webchat package, user or folder already
# exists, and fails at once when not root.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc)

# First, before anything is installed: every program the test command runs
# has a line in scripts/programs.txt (so install-deps.sh installs it).
scripts/check-programs.test.sh
scripts/check-programs.sh
scripts/install-deps.sh --test
npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error

echo "== Release build, all tests (the package test included)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DWEBCHAT_WERROR=ON \
	-DCMAKE_INSTALL_PREFIX=/usr -DWEBCHAT_PACKAGE_TEST=ON -DWEBCHAT_PROXY_TEST=ON >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure

echo "== ASan+UBSan build, unit tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DWEBCHAT_WERROR=ON -DWEBCHAT_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs" --target webchat_unit_tests
ctest --test-dir build-asan -L unit --output-on-failure

if [[ -d tests/fuzz ]]; then
	echo "== libFuzzer (clang), short runs"
	CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DWEBCHAT_WERROR=ON -DWEBCHAT_FUZZ=ON >/dev/null
	cmake --build build-fuzz -j"$jobs" --target fuzz_decoder fuzz_handshake fuzz_request_head fuzz_names fuzz_resp fuzz_client_command
	ctest --test-dir build-fuzz -L fuzz --output-on-failure
fi

# The dependencies (OpenSSL, ICU, POCO, CppUnit from Debian's source
# packages) are built once per machine: kept in WEBCHAT_WINDOWS_CACHE
# (outside the clone; set it empty to build them in the clone every time).
echo "== Windows: the cross-built package (scripts/build-windows.sh), tests under Wine"
WEBCHAT_WINDOWS_CACHE=${WEBCHAT_WINDOWS_CACHE-/var/cache/webchat/windows} scripts/build-windows.sh
cmake -S . -B build -DWEBCHAT_WINDOWS_BUILD="$PWD/build-windows" >/dev/null
ctest --test-dir build -L windows --output-on-failure

echo "== all tests passed"
