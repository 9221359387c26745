#!/usr/bin/env bash
# The benchmark on this machine: builds Release (if needed) into build-release/,
# starts webchatd on the relay configuration pinned to CPU 0, runs every
# webchat-bench scenario pinned to CPU 1, prints a Markdown table of the
# results with the machine and the exact commands, and stops the server.
# Takes about a minute. Loopback only. Results and logs go to
# <build>/bench-results/<date>/.
#
#   bench/run.sh                 everything
#   BUILD_DIR=/tmp/b bench/run.sh
#   PORT=8100 bench/run.sh       (default 8000, or the next free port)
#   SCENARIOS="idle throughput" bench/run.sh
#
# Exit status: 0 when every scenario passed, 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build-release}
port=${PORT:-8000}
scenarios=${SCENARIOS:-idle throughput latency slow-consumer}

log() { echo "run.sh: $*" >&2; }

# --- build -------------------------------------------------------------------
if [[ ! -f $build/CMakeCache.txt ]]; then
	log "configuring a Release build in $build"
	cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWEBCHAT_BUILD_TESTS=OFF >/dev/null
fi
log "building webchatd, the relay plugin and webchat-bench"
cmake --build "$build" -j"$(nproc)" --target webchatd relay webchat-bench >/dev/null

# --- CPUs: server on one core, the benchmark on another ----------------------
cpus=$(nproc)
if ((cpus >= 2)); then
	server_pin=(taskset -c 0)
	bench_pin=(taskset -c 1)
else
	log "only one CPU: server and benchmark share it (figures will be lower)"
	server_pin=()
	bench_pin=()
fi

# --- a free port -------------------------------------------------------------
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for ((tries = 0; tries < 100; ++tries)); do
	listening "$port" || break
	port=$((port + 1))
done
if listening "$port"; then
	log "no free port found"
	exit 1
fi

# --- the server ----------------------------------------------------------------
# Every descriptor we may have, for the server and the benchmark alike.
ulimit -n "$(ulimit -Hn)"
results=$build/bench-results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
# io_threads=1: the server has one core; more loops would only take turns on it.
# backlog and max_queued: room for --concurrency 1024 handshakes in flight (the
# HTTP front end closes connections beyond max_queued without a response).
server_cmd=("${server_pin[@]}" "$build/bin/webchatd" "--config=$build/etc/webchat/relay.ini"
	--define=listeners.chat.address=127.0.0.1
	"--define=listeners.chat.port=$port"
	--define=listeners.chat.io_threads=1
	--define=listeners.chat.backlog=4096
	--define=listeners.chat.max_queued=4096
	--define=listeners.chat.max_connections=100000
	--define=listeners.chat.max_connections_per_ip=100000
	--define=logging.loggers.root.level=warning)
server_pid=
stop_server() {
	[[ -n $server_pid ]] || return 0
	if kill -0 "$server_pid" 2>/dev/null; then
		kill -TERM "$server_pid"
		for ((i = 0; i < 100; ++i)); do
			kill -0 "$server_pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid"
	fi
	wait "$server_pid" 2>/dev/null || true
	server_pid=
}
trap stop_server EXIT
# A fresh server per scenario: each one's memory figures start from the same
# state, not from what the previous scenario left in the allocator.
start_server() {
	"${server_cmd[@]}" >"$results/webchatd-$1.log" 2>&1 &
	server_pid=$!
	for ((i = 0; i < 100; ++i)); do
		listening "$port" && return 0
		if ! kill -0 "$server_pid" 2>/dev/null; then
			log "webchatd exited; its output:"
			cat "$results/webchatd-$1.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	log "webchatd did not listen on port $port"
	exit 1
}

# --- the scenarios -------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A arguments=(
	[idle]="--connections 10000"
	[throughput]="--clients 100 --senders 10 --messages 2000 --size 64"
	[latency]="--clients 5000 --senders 5 --rate 200 --duration 10"
	[slow-consumer]="--clients 100 --senders 10 --messages 2000 --size 512"
)
# Other processes competing for the CPUs make every figure lower and noisier:
# measure it. PSI's cumulative "some" stall time (us): the share of the run
# during which some runnable task waited for a CPU.
psi_total() { awk '/^some/ { sub("total=", "", $5); print $5 }' /proc/pressure/cpu 2>/dev/null || echo 0; }
psi_percent() {
	local stalled=$(($(psi_total) - $1)) elapsed=$((($(date +%s%N) - $2) / 1000))
	if [[ -r /proc/pressure/cpu ]] && ((elapsed > 0)); then
		echo "$((100 * stalled / elapsed)) %"
	else
		echo "n/a"
	fi
}
rows=()
commands=()
contention=()
status=0
for scenario in $scenarios; do
	[[ -n ${arguments[$scenario]+set} ]] || { log "unknown scenario $scenario"; exit 1; }
	start_server "$scenario"
	# shellcheck disable=SC2206 # the arguments are words by design
	cmd=("${bench_pin[@]}" "$build/bin/webchat-bench" "$scenario" ${arguments[$scenario]}
		--port "$port" --server-pid "$server_pid" --concurrency 1024)
	log "${cmd[*]}"
	stall_before=$(psi_total)
	started=$(date +%s%N)
	set +e
	out=$("${cmd[@]}" --markdown 2>"$results/$scenario.err")
	rc=$?
	set -e
	contention+=("$scenario: $(psi_percent "$stall_before" "$started")")
	((rc == 0)) || status=1
	if [[ -z $out ]]; then
		out="| $scenario | **FAIL** (exit $rc) | $(tr '\n|' ' /' <"$results/$scenario.err") | |"
	fi
	rows+=("$out")
	commands+=("${cmd[*]}")
	stop_server
done
trap - EXIT

# --- the table -------------------------------------------------------------------
cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
	echo "## webchat-bench results ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "Machine: $cpus CPUs ($cpu_model), Linux $(uname -r), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM;" \
		"load average before the run: $load_before; git $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')."
	echo
	echo "Server, started afresh for each scenario: \`${server_cmd[*]}\`"
	echo
	echo "CPU contention (share of each run during which some task waited for a CPU, from /proc/pressure/cpu;" \
		"the server and the benchmark alone should keep it near 0 %): $(IFS=';'; echo "${contention[*]}" | sed 's/;/; /g')."
	echo
	echo "| scenario | result | figures | targets |"
	echo "| --- | --- | --- | --- |"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Commands:"
	echo
	for cmd in "${commands[@]}"; do echo "    $cmd"; done
	echo
	echo "Logs: $results/"
} | tee "$results/results.md"
exit $status
