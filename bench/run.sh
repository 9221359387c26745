#!/usr/bin/env bash
# The benchmark on this machine: builds Release (if needed) into build-release/,
# then for every scenario and protocol (the relay, then the chat room) starts
# a fresh webchatd pinned to CPU 0, runs the webchat-bench scenario pinned to
# CPU 1 and stops the server. Prints the relay and the chat room side by
# side, whether the chat room reaches half the relay's throughput (issue 4's
# aim), every run's figures, the machine and the exact commands. Takes about
# four minutes. Loopback only. Each webchatd also gets a status listener on
# the next free port (STATUS_PORT) and webchat-bench reads its /metrics before
# and after each run (--metrics-url): the server's own counters are tabled
# beside the benchmark's. Results and logs go to
# <build>/bench-results/<date>/.
#
#   bench/run.sh                 everything
#   BUILD_DIR=/tmp/b bench/run.sh
#   PORT=8100 bench/run.sh       (default 8000, or the next free port)
#   STATUS_PORT=9200 bench/run.sh (the status listener; default the next free
#                                port after the chat port)
#   SCENARIOS="idle throughput" bench/run.sh
#   PROTOCOLS=relay bench/run.sh (default "relay chatroom")
#   CHAT_DEFINES="--define=listeners.chat.backend=memory" bench/run.sh
#                                (more --define words for the chat-room server)
#
# Exit status: 0 when every scenario passed, 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build-release}
port=${PORT:-8000}
scenarios=${SCENARIOS:-idle throughput latency slow-consumer}
protocols=${PROTOCOLS:-relay chatroom}

log() { echo "run.sh: $*" >&2; }

# --- build -------------------------------------------------------------------
if [[ ! -f $build/CMakeCache.txt ]]; then
	log "configuring a Release build in $build"
	cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWEBCHAT_BUILD_TESTS=OFF >/dev/null
fi
log "building webchatd, the relay and chat-room plugins and webchat-bench"
cmake --build "$build" -j"$(nproc)" --target webchatd relay chatroom status webchat-bench >/dev/null

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
# The status listener (/metrics): the next free port after the chat port.
status_port=${STATUS_PORT:-$((port + 1))}
for ((tries = 0; tries < 100; ++tries)); do
	((status_port != port)) && ! listening "$status_port" && break
	status_port=$((status_port + 1))
done
if ((status_port == port)) || listening "$status_port"; then
	log "no free port found for the status listener"
	exit 1
fi
metrics_url=http://127.0.0.1:$status_port/metrics

# --- the server ----------------------------------------------------------------
# Every descriptor we may have, for the server and the benchmark alike.
ulimit -n "$(ulimit -Hn)"
results=$build/bench-results/$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
# io_threads=1: the server has one core; more loops would only take turns on it.
# backlog and max_queued: room for --concurrency 1024 handshakes in flight (the
# HTTP front end closes connections beyond max_queued without a response).
relay_cmd=("${server_pin[@]}" "$build/bin/webchatd" "--config=$build/etc/webchat/relay.ini"
	--define=listeners.chat.address=127.0.0.1
	"--define=listeners.chat.port=$port"
	--define=listeners.chat.io_threads=1
	--define=listeners.chat.backlog=4096
	--define=listeners.chat.max_queued=4096
	--define=listeners.chat.max_connections=100000
	--define=listeners.chat.max_connections_per_ip=100000
	--define=listeners.status.address=127.0.0.1
	"--define=listeners.status.port=$status_port"
	--define=listeners.status.plugin=status
	--define=listeners.status.class=StatusPlugin
	--define=logging.loggers.root.level=warning)
# The chat room: the very same listener (relay.ini and the defines above), only
# the plugin differs, so the two compare like for like. Its own limits
# (docs/PROTOCOL.md, Limits) are raised where the load needs it:
# - rate_per_second and rate_burst to their maximum: the throughput scenario
#   sends as fast as the window allows, far above the default 10/s, burst 20;
# - max_users_per_room: every client of a scenario is in one room (5000 in
#   latency, 101 in slow-consumer);
# - history_bytes 64 KiB instead of 128: the server refuses to start unless
#   history_bytes plus max_users_per_room of the longest possible nicks fit
#   one client's max_queued_bytes (1 MiB), and 64 KiB still holds the whole
#   history_size (100 messages) at these payload sizes (at most about 600
#   bytes each), so the room keeps and sends exactly what it would by default.
# The history backend is the default, sqlite, with a fresh database per run
# in the results folder (start_server adds it): each run starts from empty
# rooms, as the relay does.
chat_cmd=("${relay_cmd[@]}"
	--define=listeners.chat.plugin=chatroom
	--define=listeners.chat.class=ChatroomPlugin
	--define=listeners.chat.rate_per_second=1000000
	--define=listeners.chat.rate_burst=1000000
	--define=listeners.chat.history_bytes=65536
	--define=listeners.chat.max_users_per_room=5001)
# shellcheck disable=SC2206 # the defines are words by design
chat_cmd+=(${CHAT_DEFINES:-})
# idle puts 10000 in the room: their welcome's bound is about 2 MiB, so
# max_queued_bytes must grow with it (no messages flow in idle, so the queue
# limit matters to nothing else there).
declare -A chat_extra=(
	[idle]="--define=listeners.chat.max_users_per_room=10000 --define=listeners.chat.max_queued_bytes=4194304"
)
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
# The server command for a protocol and scenario.
server_command() {
	if [[ $1 == relay ]]; then
		server_cmd=("${relay_cmd[@]}")
	else
		# shellcheck disable=SC2206 # the defines are words by design
		server_cmd=("${chat_cmd[@]}" ${chat_extra[$2]:-} "--define=listeners.chat.database=$results/chatroom-$2.db")
	fi
}
# A fresh server per run: each one's memory figures start from the same
# state, not from what the previous run left in the allocator.
start_server() {
	server_command "$1" "$2"
	"${server_cmd[@]}" >"$results/webchatd-$1-$2.log" 2>&1 &
	server_pid=$!
	for ((i = 0; i < 100; ++i)); do
		listening "$port" && listening "$status_port" && return 0
		if ! kill -0 "$server_pid" 2>/dev/null; then
			log "webchatd exited; its output:"
			cat "$results/webchatd-$1-$2.log" >&2
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
declare -A stalls
status=0
for scenario in $scenarios; do
	[[ -n ${arguments[$scenario]+set} ]] || { log "unknown scenario $scenario"; exit 1; }
done
for protocol in $protocols; do
	[[ $protocol == relay || $protocol == chatroom ]] || { log "unknown protocol $protocol"; exit 1; }
done
for scenario in $scenarios; do
	for protocol in $protocols; do
		run=$protocol-$scenario
		start_server "$protocol" "$scenario"
		# shellcheck disable=SC2206 # the arguments are words by design
		cmd=("${bench_pin[@]}" "$build/bin/webchat-bench" "$scenario" ${arguments[$scenario]}
			--protocol "$protocol" --port "$port" --server-pid "$server_pid" --concurrency 1024
			--metrics-url "$metrics_url")
		log "${cmd[*]}"
		stall_before=$(psi_total)
		started=$(date +%s%N)
		set +e
		out=$("${cmd[@]}" --markdown --json-out "$results/$run.json" 2>"$results/$run.err")
		rc=$?
		set -e
		stalls[$run]=$(psi_percent "$stall_before" "$started")
		contention+=("$run: ${stalls[$run]}")
		((rc == 0)) || status=1
		if [[ -z $out ]]; then
			out="| $run | **FAIL** (exit $rc) | $(tr '\n|' ' /' <"$results/$run.err") | |"
			rm -f "$results/$run.json"
		fi
		rows+=("$out")
		commands+=("${cmd[*]}")
		stop_server
	done
done
trap - EXIT

# --- the tables ------------------------------------------------------------------
# A figure of one run, from its JSON (flat "key":value pairs; keys are unique
# within a report): a number, a quoted string, null, or nothing without a run.
figure() {
	[[ -f $results/$1.json ]] || return 0
	grep -o "\"$2\":\(\"[^\"]*\"\|[^,}]*\)" "$results/$1.json" | head -1 | cut -d: -f2- | tr -d '"'
}
passed() {
	[[ -f $results/$1.json ]] && grep -q '"pass":true' "$results/$1.json" && echo PASS || echo FAIL
}
# The chat room's figure as a share of the relay's.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && b > 0) printf "%.0f %%", 100 * a / b }'
}
# Per scenario, the figures to set side by side: key and label.
declare -A compared=(
	[idle]="handshakes_per_s:handshakes/s time_to_all_established_ms:time_to_all_established_(ms) server_rss_per_connection_bytes:server_RSS_per_connection_(bytes) server_rss_all_open_kib:server_RSS_all_open_(KiB) server_cpu_percent_while_connecting:server_CPU_while_connecting_(%)"
	[throughput]="deliveries_per_s:deliveries/s latency_p50_ms:latency_p50_(ms) latency_p99_ms:latency_p99_(ms) server_rss_peak_kib:server_RSS_peak_(KiB) server_cpu_percent:server_CPU_(%) bench_cpu_percent:bench_CPU_(%) server_cpu_ns_per_delivery:server_CPU_per_delivery_(ns) bench_cpu_ns_per_delivery:bench_CPU_per_delivery_(ns)"
	[latency]="deliveries_per_s:deliveries/s kept_up:kept_up latency_p50_ms:latency_p50_(ms) latency_p99_ms:latency_p99_(ms) server_rss_peak_kib:server_RSS_peak_(KiB) server_cpu_percent:server_CPU_(%)"
	[slow-consumer]="baseline_deliveries_per_s:deliveries/s_(no_slow_consumer) baseline_latency_p50_ms:latency_p50_(ms) baseline_latency_p99_ms:latency_p99_(ms) with_non_reader_latency_p99_ms:latency_p99_with_a_non-reader_(ms) server_rss_peak_during_kib:server_RSS_peak_(KiB) non_reader_outcome:non-reader"
)
# The server's own counters over each run (the status plugin's /metrics,
# --metrics-url) beside the benchmark's: key and label, for every scenario.
server_counters="server_messages_in:server:_messages_in bench_messages_sent:bench:_messages_sent agree_messages_in:agree:_messages server_bytes_out:server:_bytes_out server_connections_accepted:server:_connections_accepted bench_clients_opened:bench:_clients_opened agree_connections:agree:_connections server_slow_consumers_closed:server:_slow_consumers_closed bench_slow_consumers_seen:bench:_slow_consumers_seen agree_slow_consumers:agree:_slow_consumers server_protocol_errors:server:_protocol_errors agree_protocol_errors:agree:_protocol_errors_(0)"
side_by_side() {
	echo "| scenario | figure | relay | chat room | chat room / relay |"
	echo "| --- | --- | --- | --- | --- |"
	local scenario pair key label relay chat
	for scenario in $scenarios; do
		echo "| $scenario | result | $(passed "relay-$scenario") | $(passed "chatroom-$scenario") | |"
		echo "| $scenario | CPU contention | ${stalls[relay-$scenario]:-} | ${stalls[chatroom-$scenario]:-} | |"
		for pair in ${compared[$scenario]} $server_counters; do
			key=${pair%%:*}
			label=${pair#*:}
			relay=$(figure "relay-$scenario" "$key")
			chat=$(figure "chatroom-$scenario" "$key")
			if [[ " $server_counters " == *" $pair "* ]]; then
				echo "| $scenario | ${label//_/ } | $relay | $chat | |"
			else
				echo "| $scenario | ${label//_/ } | $relay | $chat | $(ratio "$chat" "$relay") |"
			fi
		done
	done
}
# Issue 4's aim: the chat room delivers at least half as much as the relay.
verdict() {
	local relay chat
	relay=$(figure relay-throughput deliveries_per_s)
	chat=$(figure chatroom-throughput deliveries_per_s)
	if [[ $(passed relay-throughput) != PASS || $(passed chatroom-throughput) != PASS || -z $relay || -z $chat ]]; then
		echo "Chat room vs relay throughput: not measured (both throughput runs must PASS)."
	elif awk -v a="$chat" -v b="$relay" 'BEGIN { exit !(2 * a >= b) }'; then
		echo "Chat room vs relay throughput: $(ratio "$chat" "$relay") of the relay's deliveries/s: **at least half** (issue 4's aim met)."
	else
		echo "Chat room vs relay throughput: $(ratio "$chat" "$relay") of the relay's deliveries/s: **less than half** (issue 4's aim missed; profile the chat-room server, see bench/README.md)."
	fi
	# Whichever side limited those figures, the server's own cost per
	# delivery compares the two plugins.
	local relayNs chatNs benchBusy protocol
	relayNs=$(figure relay-throughput server_cpu_ns_per_delivery)
	chatNs=$(figure chatroom-throughput server_cpu_ns_per_delivery)
	if [[ $relayNs =~ ^[0-9.]+$ && $chatNs =~ ^[0-9.]+$ ]]; then
		echo "Server CPU per delivery: relay $relayNs ns, chat room $chatNs ns: on its one core the chat room could deliver" \
			"about $(ratio "$relayNs" "$chatNs") of what the relay could (an estimate; the side further from saturation" \
			"batches less, so its cost per delivery reads high)."
	fi
	for protocol in relay chatroom; do
		benchBusy=$(figure "$protocol-throughput" bench_cpu_percent)
		if [[ $benchBusy =~ ^[0-9.]+$ ]] && awk -v b="$benchBusy" 'BEGIN { exit !(b >= 90) }'; then
			echo "The benchmark's own core was $benchBusy % busy in the $protocol throughput run: there the benchmark," \
				"not the server, limited deliveries/s."
		fi
	done
}

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
{
	echo "## webchat-bench results ($(date -u '+%Y-%m-%d %H:%M UTC'))"
	echo
	echo "Machine: $cpus CPUs ($cpu_model), Linux $(uname -r), $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo) RAM;" \
		"load average before the run: $load_before; git $(git -C "$repo" rev-parse --short HEAD 2>/dev/null || echo '?')."
	echo
	echo "Servers, started afresh for each run:"
	echo
	if [[ " $protocols " == *" relay "* ]]; then
		echo "- relay: \`${relay_cmd[*]}\`"
	fi
	if [[ " $protocols " == *" chatroom "* ]]; then
		echo "- chat room: \`${chat_cmd[*]} --define=listeners.chat.database=<results>/chatroom-<scenario>.db\`"
		for scenario in "${!chat_extra[@]}"; do
			[[ " $scenarios " == *" $scenario "* ]] && echo "  (for $scenario also \`${chat_extra[$scenario]}\`)"
		done
	fi
	echo
	echo "Server counters: each server also runs the status plugin on 127.0.0.1:$status_port; webchat-bench reads" \
		"$metrics_url before and after each run and sets the chat listener's counters beside its own" \
		"(server: ..., bench: ..., agree: ...; report-only, never a FAIL)."
	echo
	echo "CPU contention (share of each run during which some task waited for a CPU, from /proc/pressure/cpu;" \
		"the server and the benchmark alone should keep it near 0 %; compare figures only at low contention):" \
		"$(IFS=';'; echo "${contention[*]}" | sed 's/;/; /g')."
	echo
	if [[ " $protocols " == *" relay "* && " $protocols " == *" chatroom "* ]]; then
		side_by_side
		echo
		if [[ " $scenarios " == *" throughput "* ]]; then
			verdict
			echo
		fi
	fi
	echo "Every run:"
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
