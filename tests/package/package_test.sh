#!/usr/bin/env bash
# The Debian package, end to end, as root (CTest `package`, see CMakeLists.txt):
#   package_test.sh BUILD_DIR SOURCE_DIR INSTALLED_SERVER_TEST CPACK
#
# cpack builds the .deb from BUILD_DIR (configured with CMAKE_INSTALL_PREFIX
# /usr) into BUILD_DIR/tests/package/work; the test checks its contents,
# dependencies and conffiles; dpkg -i installs it; the webchat user, its
# directories and the unit (systemd-analyze verify) are checked;
# INSTALLED_SERVER_TEST runs the installed webchatd as the webchat user; an
# edited conffile must survive a reinstall (dpkg's upgrade path); dpkg -r keeps
# the configuration and the user; dpkg --purge must leave nothing behind.
#
# It only ever touches the package's own paths: it refuses to start if any of
# them, the webchat user or group, or a webchat package already exist (so
# purging can only remove what this run installed), and cleans up (kills what
# runs as webchat, purges the package, deletes its work folder) on any exit.
set -euo pipefail

build=$1
source=$2
smoke=$3
cpack=$4
work="$build/tests/package/work"
installed=0

step() { echo; echo "== package test: $*"; }
fail() { echo "package test: FAIL: $*" >&2; exit 1; }

if [[ $(id -u) -ne 0 ]]; then
	echo "package test: FAIL: must run as root: it installs the webchat .deb with dpkg -i, runs it as the webchat system user and purges it (CI runs as root; or configure without -DWEBCHAT_PACKAGE_TEST=ON)" >&2
	exit 1
fi
# cpack's DEB generator needs file and dpkg-shlibdeps (the package's Depends).
for tool in dpkg dpkg-deb dpkg-query dpkg-shlibdeps file setpriv getent tar pgrep sysctl; do
	command -v "$tool" >/dev/null || fail "$tool is missing (scripts/install-deps.sh --test installs what this test needs)"
done

# What the package owns, or makes at run time, outside shared folders.
own_paths=(/etc/webchat /var/lib/webchat /var/log/webchat /usr/lib/webchat /usr/share/webchat
	/usr/share/doc/webchat /usr/include/webchat /usr/bin/webchatd
	/usr/lib/systemd/system/webchatd.service /lib/systemd/system/webchatd.service /usr/lib/sysctl.d/60-webchat.conf
	/etc/systemd/system/webchatd.service /etc/systemd/system/multi-user.target.wants/webchatd.service
	/var/lib/systemd/deb-systemd-helper-enabled/webchatd.service.dsh-also
	/var/lib/systemd/deb-systemd-helper-enabled/multi-user.target.wants/webchatd.service
	/var/lib/systemd/deb-systemd-helper-masked/webchatd.service)

package_state() { dpkg-query -W -f='${db:Status-Status}' webchat 2>/dev/null || true; }

step "preconditions"
state=$(package_state)
[[ -z $state || $state == not-installed ]] ||
	fail "a webchat package is already on this machine (dpkg status: $state); this test would purge it. Remove it first (dpkg --purge webchat) if it is a leftover."
for path in "${own_paths[@]}"; do
	[[ ! -e $path && ! -L $path ]] || fail "$path already exists; this test would delete it"
done
! getent passwd webchat >/dev/null || fail "a webchat user already exists; this test would delete it"
! getent group webchat >/dev/null || fail "a webchat group already exists; this test would delete it"

webchat_pids() { pgrep -u webchat 2>/dev/null || true; }

# The kernel settings the postinst applies (60-webchat.conf), as they were
# before: put back at the end, so the test leaves the machine as it found it.
sysctl_keys=(net.core.somaxconn net.ipv4.tcp_max_syn_backlog)
declare -A sysctl_before=()
for key in "${sysctl_keys[@]}"; do sysctl_before[$key]=$(sysctl -n "$key"); done

cleanup() {
	local rc=$?
	for key in "${sysctl_keys[@]}"; do sysctl -q -w "$key=${sysctl_before[$key]}" >/dev/null 2>&1 || true; done
	if ((installed)); then
		echo "== package test: cleaning up (exit status $rc)"
		# The webchat user is this run's (checked above): whatever runs as it
		# is the installed webchatd started here.
		if getent passwd webchat >/dev/null; then
			for pid in $(webchat_pids); do kill -KILL "$pid" 2>/dev/null || true; done
		fi
		dpkg --purge webchat >/dev/null 2>&1 || echo "package test: dpkg --purge webchat failed during cleanup" >&2
	fi
	rm -rf "$work"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

rm -rf "$work"
mkdir -p "$work"

step "cpack"
"$cpack" --config "$build/CPackConfig.cmake" -B "$work"
debs=("$work"/webchat_*.deb)
[[ ${#debs[@]} -eq 1 && -f ${debs[0]} ]] || fail "cpack made no single webchat_*.deb in $work"
deb=${debs[0]}

step "dpkg-deb -I $(basename "$deb")"
dpkg-deb -I "$deb"
depends=$(dpkg-deb -f "$deb" Depends)
# Debian's POCO runtime packages, found by dpkg-shlibdeps in webchatd and the
# plugins (chatroom links Poco::JSON), and adduser for postinst.
for dep in libpocofoundation80 libpoconet80 libpocoutil80 libpocojson80 libc6 libstdc++6 adduser; do
	[[ ", $depends," == *", $dep"[\ ,]* ]] || fail "Depends lacks $dep: $depends"
done
# (Listings go through variables: grep -q closing a pipe early would make
# its writer fail under pipefail.)
control_files=$(dpkg-deb --ctrl-tarfile "$deb" | tar -t)
for control in postinst prerm postrm conffiles; do
	grep -qx "./$control" <<<"$control_files" || fail "no $control in the control archive"
done

step "dpkg-deb -c $(basename "$deb")"
dpkg-deb -c "$deb"
# "type path" for each entry: d for folders, - for files, l for links.
mapfile -t entries < <(dpkg-deb --fsys-tarfile "$deb" | tar -tv | awk '{ sub(/^\.\//, "/", $6); sub(/\/$/, "", $6); if ($6 != "/") print substr($1, 1, 1), $6 }')
files=()
for entry in "${entries[@]}"; do
	type=${entry%% *}
	path=${entry#* }
	case "$path" in
	/etc | /usr | /usr/bin | /usr/lib | /usr/lib/systemd | /usr/lib/systemd/system | /usr/lib/sysctl.d | /usr/share | /usr/share/doc | /usr/include) ;;
	/etc/webchat | /usr/lib/webchat | /usr/lib/webchat/plugins | /usr/share/webchat | /usr/share/webchat/htdocs | /usr/share/webchat/htdocs/* | /usr/share/doc/webchat | /usr/share/doc/webchat/* | /usr/include/webchat) ;;
	/etc/webchat/*.ini | /usr/bin/webchatd | /usr/lib/webchat/plugins/*.so | /usr/lib/systemd/system/webchatd.service | /usr/lib/sysctl.d/60-webchat.conf | /usr/include/webchat/*.h) ;;
	*) fail "unexpected path in the package: $path" ;;
	esac
	case "$path" in
	*test* | *probe* | *future_interface* | *bench*) fail "a test or development file in the package: $path" ;;
	esac
	if [[ $type != d ]]; then files+=("$path"); fi
done
# Exactly the plugins of plugins/ (no test plugin, none missing).
expected_plugins=$(cd "$source/plugins" && for dir in */; do [[ -f $dir/CMakeLists.txt ]] && echo "/usr/lib/webchat/plugins/${dir%/}.so"; done | sort)
packaged_plugins=$(printf '%s\n' "${files[@]}" | grep '^/usr/lib/webchat/plugins/' | sort)
[[ $packaged_plugins == "$expected_plugins" ]] || fail "plugins in the package:
$packaged_plugins
expected (plugins/*):
$expected_plugins"
for required in /usr/bin/webchatd /etc/webchat/webchat.ini /usr/share/webchat/htdocs/index.html /usr/lib/systemd/system/webchatd.service /usr/lib/sysctl.d/60-webchat.conf; do
	grep -qx "$required" <<<"$(printf '%s\n' "${files[@]}")" || fail "$required is not in the package"
done
# Conffiles: everything in /etc/webchat, nothing else.
conffiles=$(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | sort)
etc_files=$(printf '%s\n' "${files[@]}" | grep '^/etc/' | sort)
[[ $conffiles == "$etc_files" ]] || fail "conffiles:
$conffiles
files in /etc:
$etc_files"
# The unit: notify, the webchat user, no DynamicUser.
unit=$(dpkg-deb --fsys-tarfile "$deb" | tar -xO ./usr/lib/systemd/system/webchatd.service)
for line in Type=notify User=webchat Group=webchat 'ExecReload=/bin/kill -HUP $MAINPID' StateDirectory=webchat LogsDirectory=webchat LimitNOFILE=1048576 \
	NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes 'ExecStart=/usr/bin/webchatd --config=/etc/webchat/webchat.ini'; do
	grep -qxF "$line" <<<"$unit" || fail "the unit lacks the line: $line"
done
! grep -q '^DynamicUser=' <<<"$unit" || fail "the unit still has DynamicUser="

step "dependencies"
missing=()
IFS=',' read -ra alternatives <<<"$depends"
for alternative in "${alternatives[@]}"; do
	name=$(sed 's/|.*//; s/(.*//; s/[[:space:]]//g' <<<"$alternative")
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$name" 2>/dev/null || true) == installed ]] || missing+=("$name")
done
if ((${#missing[@]})); then
	echo "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
	echo "all installed: $depends"
fi

step "dpkg -i"
installed=1
dpkg -i "$deb" </dev/null
[[ $(package_state) == installed ]] || fail "dpkg status after dpkg -i: $(package_state)"
IFS=: read -r _ _ uid gid _ home shell < <(getent passwd webchat) || fail "postinst created no webchat user"
((uid < 1000)) || fail "webchat is not a system user (uid $uid)"
[[ $(getent group webchat | cut -d: -f3) == "$gid" ]] || fail "webchat's primary group is not webchat"
[[ $home == /var/lib/webchat ]] || fail "webchat's home is $home"
[[ $shell == */nologin || $shell == /bin/false ]] || fail "webchat's shell is $shell"
for dir in /var/lib/webchat /var/log/webchat; do
	[[ $(stat -c '%U:%G %a' "$dir") == "webchat:webchat 750" ]] || fail "$dir is $(stat -c '%U:%G %a' "$dir"), not webchat:webchat 750"
done
for link in /etc/systemd/system/*.wants/webchatd.service; do
	[[ ! -e $link && ! -L $link ]] || fail "installing enabled the unit: $link"
done
[[ -z $(webchat_pids) ]] || fail "installing started something as webchat: $(webchat_pids)"
echo "webchat user: uid $uid gid $gid home $home shell $shell; unit neither enabled nor started"
# The postinst applied the sysctl drop-in (this machine lets root write them).
for key in "${sysctl_keys[@]}"; do
	[[ $(sysctl -n "$key") -ge 65535 ]] || fail "$key is $(sysctl -n "$key") after dpkg -i (60-webchat.conf sets 65535; was ${sysctl_before[$key]})"
done
for key in "${sysctl_keys[@]}"; do echo "sysctl: $key ${sysctl_before[$key]} -> $(sysctl -n "$key")"; done

if command -v systemd-analyze >/dev/null; then
	# The installed unit, so ExecStart= names a binary that exists and
	# User= a user that exists: verify checks both.
	step "systemd-analyze verify /usr/lib/systemd/system/webchatd.service"
	if ! out=$(systemd-analyze verify /usr/lib/systemd/system/webchatd.service 2>&1); then
		fail "systemd-analyze verify:
$out"
	fi
	if grep -q 'webchatd' <<<"$out"; then
		fail "systemd-analyze verify warns about the unit:
$out"
	fi
	echo "clean${out:+ (other units: $out)}"
	systemd-analyze security --offline=true /usr/lib/systemd/system/webchatd.service 2>/dev/null | grep 'Overall exposure' || true
else
	echo "(systemd-analyze not installed: unit not verified)"
fi

step "the installed webchatd as the webchat user"
"$smoke"
[[ -z $(webchat_pids) ]] || fail "something still runs as webchat after the test: $(webchat_pids)"
ls -la /var/lib/webchat
if [[ -n $(find /var/lib/webchat /var/log/webchat -mindepth 1 \( ! -user webchat -o ! -group webchat \) -print -quit) ]]; then
	fail "files in /var/lib/webchat or /var/log/webchat not owned by webchat"
fi

step "an edited conffile survives a reinstall (dpkg -i again: prerm upgrade, postinst configure <old version>)"
echo "; edited by the package test" >>/etc/webchat/webchat.ini
dpkg -i "$deb" </dev/null
grep -qx '; edited by the package test' /etc/webchat/webchat.ini || fail "the edited /etc/webchat/webchat.ini was replaced"
[[ ! -e /etc/webchat/webchat.ini.dpkg-new && ! -e /etc/webchat/webchat.ini.dpkg-dist ]] || fail "dpkg left a .dpkg-new/.dpkg-dist beside the unchanged conffile"
[[ $(id -u webchat) == "$uid" ]] || fail "the webchat user changed on reinstall"

if command -v systemctl >/dev/null; then
	step "an administrator's systemctl enable (undone by the purge below)"
	systemctl enable webchatd.service 2>&1
	[[ -L /etc/systemd/system/multi-user.target.wants/webchatd.service ]] || fail "systemctl enable made no link"
fi

step "dpkg -r: the program goes, the configuration, data and user stay"
dpkg -r webchat </dev/null
[[ $(package_state) == config-files ]] || fail "dpkg status after dpkg -r: $(package_state)"
[[ ! -e /usr/bin/webchatd && ! -e /usr/lib/webchat ]] || fail "dpkg -r left the program"
[[ -f /etc/webchat/webchat.ini && -d /var/lib/webchat ]] || fail "dpkg -r removed the configuration or the data"
getent passwd webchat >/dev/null || fail "dpkg -r removed the webchat user"

step "dpkg --purge: nothing left"
dpkg --purge webchat </dev/null
installed=0
[[ $(package_state) == "" || $(package_state) == not-installed ]] || fail "dpkg status after purge: $(package_state)"
for file in "${files[@]}" "${own_paths[@]}"; do
	[[ ! -e $file && ! -L $file ]] || fail "left after purge: $file"
done
! getent passwd webchat >/dev/null || fail "the webchat user is left after purge"
! getent group webchat >/dev/null || fail "the webchat group is left after purge"
echo "nothing left: $((${#files[@]})) files, /etc/webchat, /var/lib/webchat, /var/log/webchat, the unit's state, the webchat user and group"

step "passed"
