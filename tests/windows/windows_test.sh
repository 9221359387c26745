#!/usr/bin/env bash
# The Windows package under Wine (CTest `windows`, see CMakeLists.txt):
#   windows_test.sh <Windows build folder> <windows_package_test>
# The folder is scripts/build-windows.sh's build-windows/: the package
# (webchat-<version>-win64.zip), the dependencies' DLLs (deps/bin) and our
# Windows build with its unit-test runners (build/). In a private Wine prefix:
#   1. every *_unit_tests.exe of the Windows build;
#   2. windows_package_test (a Linux program) against a copy of the unzipped
#      package: the relay, refusals, webchat.ini as a Windows service.
# Prints how long each part took.
set -euo pipefail
winbuild=$(cd "$1" && pwd)
package_test=$2

# Debian's wine64 keeps its binaries off PATH: named by their paths below.
[[ -x /usr/lib/wine/wine64 ]] || { echo "windows_test: wine64 is not installed (scripts/install-deps.sh --windows)" >&2; exit 1; }
zips=("$winbuild"/webchat-*-win64.zip)
zip=${zips[0]}
[[ -f $zip ]] || { echo "windows_test: no webchat-*-win64.zip in $winbuild (scripts/build-windows.sh)" >&2; exit 1; }

work=$(mktemp -d /tmp/webchat-windows-test.XXXXXX)
export WINEPREFIX=$work/prefix WINEDEBUG=-all WINEARCH=win64
# No Mono or Gecko installer dialogs: nothing here needs them.
export WINEDLLOVERRIDES="mscoree,mshtml="
cleanup() {
	/usr/lib/wine/wineserver64 -k 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

windows_path() { local p=${1//\//\\}; echo "Z:$p"; }

start=$SECONDS
/usr/lib/wine/wine64 wineboot -i >/dev/null 2>&1
echo "windows_test: Wine prefix ready in $((SECONDS - start)) s"

# The archive holds bin/, etc/, lib/ and share/ at its top (no folder of its own).
package=$work/webchat
unzip -q "$zip" -d "$package"
[[ -x $package/bin/webchatd.exe || -f $package/bin/webchatd.exe ]] || { echo "windows_test: no bin/webchatd.exe in $zip" >&2; exit 1; }

# 1. The unit tests, with the package's DLLs and the dependencies' (CppUnit).
part=$SECONDS
export WINEPATH="$(windows_path "$package/bin");$(windows_path "$winbuild/deps/bin")"
mapfile -t runners < <(find "$winbuild/build/tests/unit" -name '*_tests.exe' | sort)
((${#runners[@]} > 0)) || { echo "windows_test: no unit-test runner (*_tests.exe) in $winbuild/build/tests/unit" >&2; exit 1; }
failed=0
for runner in "${runners[@]}"; do
	if /usr/lib/wine/wine64 "$runner" >"$work/unit.log" 2>&1; then
		echo "windows_test: $(basename "$runner"): passed"
	else
		echo "windows_test: $(basename "$runner"): FAILED" >&2
		echo "$(<"$work/unit.log")" >&2
		failed=1
	fi
done
echo "windows_test: ${#runners[@]} unit-test runners in $((SECONDS - part)) s"
((failed == 0)) || exit 1

# 2. The package's webchatd.exe, checked from Linux.
part=$SECONDS
unset WINEPATH
WEBCHAT_WINDOWS_PACKAGE=$package WINE=/usr/lib/wine/wine64 "$package_test"
echo "windows_test: package test in $((SECONDS - part)) s; Windows part $((SECONDS - start)) s in all"
