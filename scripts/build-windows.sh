#!/usr/bin/env bash
# Cross-builds webchat for 64-bit Windows on Debian 12 with Debian's MinGW-w64
# (run as root: it installs the toolchain and fetches source packages):
#   scripts/build-windows.sh          the dependencies (if not cached), then
#                                     webchat and build-windows/webchat-<version>-win64.zip
#   scripts/build-windows.sh deps     only the dependencies, and the smoke check
#   scripts/build-windows.sh deps NAME...  only those (zlib, openssl, icu, poco,
#                                     cppunit), if
#                                     not up to date, without the smoke check
#   scripts/build-windows.sh smoke    only the smoke check (a program built against
#                                     the dependencies, run under wine64)
#
# The dependencies (OpenSSL, ICU, POCO) come from Debian's own source packages
# (`apt-get source`, a deb-src line for the archive this machine already uses;
# nothing from anywhere else) and are built once into build-windows/deps/, a
# prefix with include/, lib/, bin/ (the DLLs) and cmake/ (POCO's package
# config). Each one is stamped with its source package's version and the hash
# of this script and scripts/windows/, so a rerun skips it. With
# WEBCHAT_WINDOWS_CACHE=/some/dir the finished prefix is also kept there and
# taken from there by a clean clone (never required).
#
# All three are shared libraries (DLLs): POCO's singletons and the OpenSSL
# state it hands over (an SSL_CTX made by NetSSL, used by the engine) must
# exist once in a process made of webchatd.exe and plugin DLLs.
set -euo pipefail
shopt -s inherit_errexit
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(dirname "$here")
out="$root/build-windows"
deps="$out/deps"
work="$out/work"
jobs=${WEBCHAT_WINDOWS_JOBS:-2}
host=x86_64-w64-mingw32

log() { echo "build-windows: $*" >&2; }
die() { log "$*"; exit 1; }

# What decides how dependency $1 is built: its build function's text, the
# headers of scripts/windows/include/ and the toolchain file, and the stamps of the
# dependencies it is built against ($2...), in the folder $stamps. Its hash
# goes into the stamp.
recipe_hash() {
	local name=$1 d
	shift
	{
		declare -f "build_$name"
		cat "$here"/windows/include/* "$root/cmake/mingw-w64-x86_64.cmake"
		for d in "$@"; do cat "$stamps/$d"; done
	} 2>/dev/null | sha256sum | cut -c1-16
}

# --- the toolchain --------------------------------------------------------

# Debian's MinGW-w64, wine64 and the tools to fetch and build source
# packages: scripts/install-deps.sh --windows.
install_toolchain() {
	"$here/install-deps.sh" --windows
}

# deb-src lines for the Debian archive this machine already uses: its deb
# entries (deb822 .sources files, or the one-line sources.list) that name a
# debian.org host, with the type changed. Written once, then `apt-get update`.
enable_deb_src() {
	local list=/etc/apt/sources.list.d/webchat-deb-src.sources
	[[ -f $list || -f ${list%.sources}.list ]] && return 0
	[[ $(id -u) -eq 0 ]] || die "no deb-src lines for apt-get source; run this as root"
	local file
	for file in /etc/apt/sources.list.d/*.sources; do
		[[ -f $file && $file != "$list" ]] && grep -q '^URIs:.*debian\.org' "$file" || continue
		sed 's/^Types:.*/Types: deb-src/' "$file" >>"$list"
		echo >>"$list"
	done
	if [[ -f /etc/apt/sources.list ]]; then
		sed -n 's/^deb \(.*debian\.org.*\)/deb-src \1/p' /etc/apt/sources.list >"${list%.sources}.list"
		[[ -s ${list%.sources}.list ]] || rm -f "${list%.sources}.list"
	fi
	[[ -f $list || -f ${list%.sources}.list ]] ||
		die "no Debian archive in /etc/apt/sources.list{,.d} to add deb-src lines for"
	log "added deb-src lines for Debian's archive (${list%.sources}.*), apt-get update"
	apt-get update -qq
}

# --- source packages --------------------------------------------------------

# The versions of source package $1 that the archive offers, newest first
# (Debian's ordering: dpkg compares them).
source_versions() {
	local v sorted=() i
	for v in $(apt-cache showsrc "$1" 2>/dev/null | sed -n "/^Package: $1\$/,/^\$/s/^Version: //p" | sort -u); do
		for ((i = 0; i < ${#sorted[@]}; i++)); do
			dpkg --compare-versions "$v" gt "${sorted[i]}" && break
		done
		sorted=("${sorted[@]:0:i}" "$v" "${sorted[@]:i}")
	done
	((${#sorted[@]})) && printf '%s\n' "${sorted[@]}"
}

# Fetches and unpacks source package $1 into $work/src/$1, the newest version
# the archive serves (an index can list a version whose files are gone: the
# next one is taken). Prints the version; the unpacked tree is $work/src/$1/tree.
fetch_source() {
	local name=$1 v dir="$work/src/$1"
	rm -rf "$dir"
	mkdir -p "$dir"
	# apt's download user must be able to write there.
	chmod 777 "$dir"
	for v in $(source_versions "$name"); do
		if (cd "$dir" && apt-get source -qq --download-only "$name=$v" >"$dir/fetch.log" 2>&1); then
			(cd "$dir" && dpkg-source --no-check -x ./*.dsc tree >>"$dir/fetch.log" 2>&1) ||
				die "dpkg-source failed for $name $v (see $dir/fetch.log)"
			echo "$v"
			return 0
		fi
		log "$name $v is listed but cannot be fetched; trying an older one"
		rm -f "$dir"/*.dsc "$dir"/*.tar.* "$dir"/*.asc
	done
	die "no version of the source package $name could be fetched (see $dir/fetch.log)"
}

# --- stamps -----------------------------------------------------------------

# A dependency is built when its stamp ($stamps/NAME: "version hash") is
# missing, has another recipe hash, or names a version the archive no longer
# offers; the stamp is written last, so a failed build reruns.
#   stamp_ok NAME [DEPENDENCY...]
stamps="$deps/stamps"
stamp_of() { cat "$stamps/$1" 2>/dev/null || true; }
stamp_ok() {
	local have
	have=$(stamp_of "$1")
	[[ -n $have && ${have#* } == "$(recipe_hash "$@")" ]] || return 1
	# apt's lists can be briefly unreadable (another apt-get update): no
	# answer is not a "no".
	local offered
	offered=$(source_versions "$1" || true)
	[[ -z $offered ]] || grep -qxF "${have%% *}" <<<"$offered"
}

# Whether every dependency's stamp in the prefix $1 is good.
prefix_ok() {
	local stamps="$1/stamps" entry
	for entry in "${dependencies[@]}"; do
		stamp_ok $entry || return 1
	done
}

# Builds dependency $1 (build_$1 prints the source version it built) unless
# its stamp says it is there; records the time it took in $stamps/NAME.time:
# wall clock, and the CPU time of its processes (user + system), which says
# more on a machine shared with other work.
#   dependency NAME [DEPENDENCY...]
dependency() {
	local name=$1
	if stamp_ok "$@"; then
		log "$name: up to date ($(stamp_of "$name"))"
		return 0
	fi
	log "$name: building"
	rm -f "$stamps/$name"
	mkdir -p "$stamps"
	local build_it="build_$name" TIMEFORMAT="%R %U %S" v wall user sys
	{ time "$build_it" >"$stamps/$name.version" 2>&3; } 3>&2 2>"$stamps/$name.times"
	v=$(cat "$stamps/$name.version")
	read -r wall user sys <"$stamps/$name.times"
	wall=${wall%.*}
	local cpu=$(((${user%.*} + ${sys%.*})))
	echo "wall ${wall} s, cpu ${cpu} s" >"$stamps/$name.time"
	rm -f "$stamps/$name.version" "$stamps/$name.times"
	echo "$v $(recipe_hash "$@")" >"$stamps/$name"
	log "$name $v: built in $((wall / 60)) min $((wall % 60)) s (CPU $((cpu / 60)) min $((cpu % 60)) s)"
}

# Runs a build step quietly in its folder: its output goes to $2.log there,
# and the end of it to the terminal if it fails.
step() {
	local dir=$1 name=$2
	shift 2
	if ! (cd "$dir" && nice -n 10 "$@") >"$dir/$name.log" 2>&1; then
		tail -40 "$dir/$name.log" >&2
		die "failed: $* (in $dir, see $dir/$name.log)"
	fi
}

# --- zlib -------------------------------------------------------------------

# A static libz.a and its headers, for the engine's permessage-deflate (the
# only user: POCO keeps its bundled copy inside PocoFoundation.dll and exports
# none of it). Debian's repack has no win32/ makefile: its CMake file, the
# static library target alone.
build_zlib() {
	local v src build="$work/build-zlib"
	v=$(fetch_source zlib)
	src="$work/src/zlib/tree"
	rm -rf "$build"
	mkdir -p "$build" "$deps/include" "$deps/lib"
	step "$build" configure cmake -S "$src" -B . \
		-DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" -DCMAKE_BUILD_TYPE=Release
	step "$build" build cmake --build . -j"$jobs" --target zlibstatic
	cp "$src/zlib.h" "$build/zconf.h" "$deps/include/"
	cp "$build/libzlibstatic.a" "$deps/lib/libz.a"
	echo "$v"
}

# --- OpenSSL ------------------------------------------------------------------

# libcrypto-3-x64.dll and libssl-3-x64.dll with their import libraries and
# headers: the two DLLs alone (build_libs would compile every file a second
# time for the static libraries, and install_dev wants those), so they are
# installed here by hand; no apps, tests, docs, legacy provider, loadable
# modules or dynamic engines. Left out as well, to build in less time, what
# neither webchat nor POCO's Crypto, NetSSL and JWT call (their sources were
# searched; DES stays for POCO's PKCS #12, DH and OCSP for NetSSL):
# certificate management (CMP, CMS, CT, TS), DTLS and SRTP, SRP, ENGINE,
# compression, the console UI, and ciphers and digests of other countries or
# times. OPENSSLDIR (where openssl.cnf would be looked for) must not name
# this machine's folders: Configure (Perl, on Linux) takes "C:/..." for a
# relative path and puts the prefix in front, so it is given as
# /ProgramData/webchat/ssl, which Windows reads on the current drive
# (C:\ProgramData\webchat\ssl); webchat ships no openssl.cnf.
build_openssl() {
	local v src build="$work/build-openssl"
	v=$(fetch_source openssl)
	src="$work/src/openssl/tree"
	rm -rf "$build"
	mkdir -p "$build"
	step "$build" configure env CC=gcc-posix perl "$src/Configure" mingw64 \
		--cross-compile-prefix=$host- --prefix="$deps" --libdir=lib \
		--openssldir=/ProgramData/webchat/ssl \
		shared no-tests no-legacy no-module no-dynamic-engine \
		no-cmp no-cms no-ct no-ts no-dtls no-srtp no-srp no-engine no-comp no-ui-console \
		no-aria no-bf no-camellia no-cast no-dsa no-gost no-idea no-md4 no-mdc2 no-ocb \
		no-rc2 no-rc4 no-rmd160 no-scrypt no-seed no-siv no-sm2 no-sm3 no-sm4 no-whirlpool
	step "$build" generate make build_generated
	step "$build" build make -j"$jobs" libcrypto-3-x64.dll libssl-3-x64.dll
	mkdir -p "$deps/include/openssl" "$deps/lib" "$deps/bin"
	cp "$src"/include/openssl/*.h "$build"/include/openssl/*.h "$deps/include/openssl/"
	cp "$build"/libcrypto.dll.a "$build"/libssl.dll.a "$deps/lib/"
	cp "$build"/libcrypto-3-x64.dll "$build"/libssl-3-x64.dll "$deps/bin/"
	echo "$v"
}

# --- ICU ----------------------------------------------------------------------

# icuuc72.dll, icuin72.dll and icudt72.dll (the data, from the .dat file the
# source ships) with import libraries and headers.
#
# A cross build of ICU runs ICU's tools on this machine (--with-cross-build:
# a build folder for it with config/icucross.mk and bin/). The two it runs to
# package that .dat file, icupkg and pkgdata, are Debian's own build of the
# same ICU (icu-devtools, installed with libicu-dev): the folder gets ICU's
# native configure and links to them, so no ICU is compiled for Linux.
#
# The Windows build leaves out tools, tests, samples, extras, icuio and
# layoutex, and the parts of the i18n library webchat does not call (the
# chat room's NameRules uses normalization, character properties and the
# spoof checker): formatting, collation, transliteration and regular
# expressions are configured out (UCONFIG_NO_*, written into the installed
# uconfig.h), which leaves most of i18n's files empty. The data is the whole
# of ICU's, as on Linux.
build_icu() {
	local v src native="$work/build-icu-native" build="$work/build-icu" tools
	v=$(fetch_source icu)
	src="$work/src/icu/tree/source"
	tools=$(dpkg-query -W -f='${Version}' icu-devtools 2>/dev/null) ||
		die "icu-devtools is not installed (scripts/install-deps.sh --windows)"
	[[ ${tools%%-*} == "${v%%-*}" ]] || die "icu-devtools is $tools, the icu source $v: not the same ICU"
	rm -rf "$native" "$build"
	mkdir -p "$native/bin" "$native/lib" "$build"
	step "$native" configure env CC=gcc CXX=g++ "$src/configure" --disable-tests --disable-samples
	step "$native" cross-files make config/icucross.mk config/icucross.inc
	ln -s /usr/sbin/icupkg /usr/bin/pkgdata "$native/bin/"
	local no=(FORMATTING COLLATION TRANSLITERATION REGULAR_EXPRESSIONS) flags="" f
	for f in "${no[@]}"; do flags+=" -DUCONFIG_NO_$f=1"; done
	step "$build" configure env CC=$host-gcc-posix CXX=$host-g++-posix CPPFLAGS="${flags# }" \
		"$src/configure" --host=$host --with-cross-build="$native" --prefix="$deps" \
		--disable-tests --disable-samples --disable-extras --disable-icuio --disable-layoutex \
		--disable-tools
	step "$build" build make -j"$jobs"
	step "$build" install make install
	# Code compiled against this ICU must see the same switches: at the top
	# of the installed uconfig.h, as ICU's configure says to do.
	local uconfig="$deps/include/unicode/uconfig.h"
	{
		echo "/* Configured out of this build of ICU (webchat's scripts/build-windows.sh). */"
		for f in "${no[@]}"; do echo "#define UCONFIG_NO_$f 1"; done
		cat "$uconfig"
	} >"$uconfig.new"
	mv "$uconfig.new" "$uconfig"
	echo "$v"
}

# --- POCO ---------------------------------------------------------------------

# The POCO libraries webchat uses, as DLLs, with their headers and CMake
# package config (in $deps/cmake, where POCO puts it on Windows); no tests or
# samples, no XML (Util then has no XMLConfiguration: webchat reads .ini and
# --define only). zlib, PCRE, expat and SQLite are POCO's bundled copies. MinGW names
# <winsock2.h> and <iphlpapi.h> in lower case, POCO's UnWindows.h in mixed
# case: scripts/windows/include/ forwards them, and is installed with POCO's
# headers, since UnWindows.h is public.
build_poco() {
	local v src build="$work/build-poco"
	v=$(fetch_source poco)
	src="$work/src/poco/tree"
	rm -rf "$build"
	mkdir -p "$build" "$deps/include"
	cp "$here"/windows/include/*.h "$deps/include/"
	step "$build" configure cmake -S "$src" -B . \
		-DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
		-DWEBCHAT_WINDOWS_DEPS="$deps" \
		-DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX="$deps" \
		-DOPENSSL_ROOT_DIR="$deps" \
		-DCMAKE_CXX_FLAGS="-I$deps/include" -DCMAKE_C_FLAGS="-I$deps/include" \
		-DBUILD_SHARED_LIBS=ON -DENABLE_TESTS=OFF -DPOCO_UNBUNDLED=OFF \
		-DENABLE_FOUNDATION=ON -DENABLE_XML=OFF -DENABLE_JSON=ON -DENABLE_UTIL=ON \
		-DENABLE_NET=ON -DENABLE_DATA=ON -DENABLE_DATA_SQLITE=ON -DENABLE_REDIS=ON \
		-DENABLE_CRYPTO=ON -DENABLE_NETSSL=ON -DENABLE_JWT=ON \
		-DENABLE_ENCODINGS=OFF -DENABLE_MONGODB=OFF -DENABLE_ZIP=OFF -DENABLE_PDF=OFF \
		-DENABLE_SEVENZIP=OFF -DENABLE_CPPPARSER=OFF -DENABLE_POCODOC=OFF \
		-DENABLE_PAGECOMPILER=OFF -DENABLE_PAGECOMPILER_FILE2PAGE=OFF \
		-DENABLE_ACTIVERECORD=OFF -DENABLE_ACTIVERECORD_COMPILER=OFF \
		-DENABLE_DATA_MYSQL=OFF -DENABLE_DATA_POSTGRESQL=OFF -DENABLE_DATA_ODBC=OFF \
		-DENABLE_APACHECONNECTOR=OFF -DENABLE_NETSSL_WIN=OFF
	step "$build" build cmake --build . -j"$jobs"
	step "$build" install cmake --install .
	# POCO 1.11's PocoUtilConfig.cmake asks for PocoXML even when Util is
	# built without it (its targets say POCO_UTIL_NO_XMLCONFIGURATION): the
	# line goes, or find_package(Poco COMPONENTS Util) fails.
	sed -i '/find_dependency(PocoXML)/d' "$deps/cmake/PocoUtilConfig.cmake"
	# Poco/Data/SQLite/Binder.h, a public header, includes <sqlite3.h>: the
	# bundled SQLite's, which POCO does not install.
	cp "$src/Data/SQLite/src/sqlite3.h" "$deps/include/"
	echo "$v"
}

# --- CppUnit ----------------------------------------------------------------

# The unit tests' framework: a static libcppunit.a, its headers and
# cppunit.pc (tests/CMakeLists.txt finds it with pkg-config); the library only.
build_cppunit() {
	local v src build="$work/build-cppunit"
	v=$(fetch_source cppunit)
	src="$work/src/cppunit/tree"
	rm -rf "$build"
	mkdir -p "$build"
	step "$build" configure "$src/configure" --host=$host --prefix="$deps" \
		CC=$host-gcc-posix CXX=$host-g++-posix \
		--disable-shared --enable-static --disable-doxygen --disable-html-docs --disable-werror
	step "$build" build make -j"$jobs" -C src/cppunit
	step "$build" install-lib make -C src/cppunit install
	step "$build" install-headers make -C include install
	step "$build" install-pc make install-pkgconfigDATA
	echo "$v"
}

# --- the smoke check ----------------------------------------------------------

# wine64's loader is not on PATH in Debian's package: /usr/lib/wine/wine64.

# Runs a Windows program under wine64 in a private, headless prefix
# (build-windows/wine), made on first use; DLLs are found in $deps/bin and the
# MinGW runtime's folder through WINEPATH.
wine_run() {
	export WINEPREFIX="$out/wine" WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
	export WINEPATH="$(wine_path)"
	if [[ ! -f $WINEPREFIX/system.reg ]]; then
		log "making the Wine prefix $WINEPREFIX (once)"
		/usr/lib/wine/wine64 wineboot -i >/dev/null 2>&1 || true
		/usr/lib/wine/wineserver64 -w
	fi
	/usr/lib/wine/wine64 "$@"
}

# The Windows folders the DLLs are in, separated by ';' (Z: is /): the
# prefix's and MinGW's runtime (libstdc++ and libgcc beside the compiler,
# libwinpthread in the target's lib folder: the compiler finds both).
wine_path() {
	local d path="Z:${deps//\//\\}\\bin"
	for d in libstdc++-6.dll libwinpthread-1.dll; do
		d=$(realpath "$($host-g++-posix -print-file-name=$d)")
		d=$(dirname "$d")
		path+=";Z:${d//\//\\}"
	done
	echo "$path"
}

# A program built against the prefix (POCO Foundation and Net, ICU, OpenSSL),
# run under wine64: it must print what it computed.
smoke() {
	local dir="$work/smoke"
	rm -rf "$dir"
	mkdir -p "$dir"
	step "$dir" configure cmake -S "$here/windows/smoke" -B . \
		-DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
		-DWEBCHAT_WINDOWS_DEPS="$deps" -DCMAKE_BUILD_TYPE=Release
	step "$dir" build cmake --build . -j"$jobs"
	local output
	output=$(wine_run "$dir/smoke.exe" 2>&1) || { echo "$output" >&2; die "smoke.exe failed under wine64"; }
	echo "$output"
	local expected
	for expected in "os: Windows" "loopback: ok" "nfkc_casefold: ok" "skeleton: ok" \
		"openssl: OpenSSL 3.*TLS context ok"; do
		grep -q "^$expected" <<<"$output" || die "smoke.exe did not print \"$expected\""
	done
	log "smoke check passed"
}

# --- webchat -----------------------------------------------------------------

# Configures this tree for Windows against the prefix into build-windows/build,
# builds it (webchatd.exe, the plugin DLLs, the *_unit_tests.exe) and packages
# build-windows/webchat-<version>-win64.zip.
build_webchat() {
	local build="$out/build"
	mkdir -p "$build"
	step "$build" configure cmake -S "$root" -B . \
		-DCMAKE_TOOLCHAIN_FILE="$root/cmake/mingw-w64-x86_64.cmake" \
		-DWEBCHAT_WINDOWS_DEPS="$deps" -DCMAKE_BUILD_TYPE=Release -DWEBCHAT_WERROR=ON
	log "building webchat for Windows (log: $build/build.log)"
	step "$build" build cmake --build . -j"$jobs"
	step "$build" package cpack -B "$out"
	rm -rf "$out/_CPack_Packages"
	log "package: $(ls "$out"/webchat-*-win64.zip)"
}

# --- the steps ----------------------------------------------------------------

# The dependencies in the order they are built, each with those it is built
# against.
dependencies=(zlib openssl icu "poco openssl" cppunit)

# Builds the dependencies named (all by default) that are not up to date.
# With WEBCHAT_WINDOWS_CACHE, a prefix kept there whose stamps are all good
# replaces an outdated one here, and a prefix built here is kept there.
build_deps() {
	install_toolchain
	enable_deb_src
	local cache=${WEBCHAT_WINDOWS_CACHE:+$WEBCHAT_WINDOWS_CACHE/deps} entry built=0
	if [[ -n $cache && $# -eq 0 ]] && ! prefix_ok "$deps" && prefix_ok "$cache"; then
		log "taking the dependencies from $cache"
		rm -rf "$deps"
		mkdir -p "$out"
		cp -a "$cache" "$deps"
	fi
	mkdir -p "$deps" "$work/src"
	for entry in "${dependencies[@]}"; do
		[[ $# -eq 0 || " $* " == *" ${entry%% *} "* ]] || continue
		stamp_ok $entry || built=1
		dependency $entry
	done
	if [[ -n $cache ]] && ((built)) && prefix_ok "$deps"; then
		log "keeping the dependencies in $cache"
		rm -rf "$cache"
		mkdir -p "$(dirname "$cache")"
		cp -a "$deps" "$cache"
	fi
}

main() {
	case "${1:-}" in
	deps)
		shift
		build_deps "$@"
		(($#)) || smoke
		;;
	smoke) smoke ;;
	"")
		build_deps
		build_webchat
		;;
	*)
		echo "build-windows: unknown argument $1 (none, deps or smoke)" >&2
		exit 64
		;;
	esac
}

# One line, read whole before it runs: editing this file while it runs is safe.
main "$@"; exit
