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
# Rooms shared through Redis (backend = redis, issue 5):
#   REDIS=1 bench/run.sh         the chat room with SQLite, with Redis and one
#                                webchatd, and with Redis and two webchatd
#                                (clients split between them), side by side;
#                                short for PROTOCOLS="chatroom chatroom-redis
#                                chatroom-redis2" SCENARIOS="throughput latency"
#   PROTOCOLS="chatroom-redis2" bench/run.sh   (any mix with relay, chatroom)
#   REDIS_SERVER=/usr/bin/redis-server, REDIS_CPU=0 (the CPU redis-server is
#                                pinned to; default the servers' CPU, 0)
# Each redis run gets a fresh redis-server on a free loopback port with a
# temporary --dir (appendonly yes, appendfsync everysec, no RDB snapshots),
# pinned with the servers, stopped (and its folder removed) after the run.
#
# TLS (wss; docs/TLS.md):
#   TLS=1 bench/run.sh           the relay and the chat room, each in plaintext
#                                and over TLS, side by side (with the TLS
#                                figure as a share of the plaintext one);
#                                short for PROTOCOLS="relay relay-tls chatroom
#                                chatroom-tls" SCENARIOS="throughput latency"
#   PROTOCOLS="relay relay-tls" bench/run.sh   (any mix)
# A *-tls run is the same server command plus tls_certificate and
# tls_private_key (--define) for a self-signed P-256 certificate made with
# the openssl command into a temporary folder for this run.sh (removed at the
# end, also on Ctrl-C); webchat-bench gets --tls --tls-ca <that certificate>
# (every handshake verified, a full one per connection).
#
# Exit status: 0 when every scenario passed, 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build-release}
port=${PORT:-8000}
if [[ -n ${REDIS:-} && ${REDIS:-0} != 0 ]]; then
	scenarios=${SCENARIOS:-throughput latency}
	protocols=${PROTOCOLS:-chatroom chatroom-redis chatroom-redis2}
elif [[ -n ${TLS:-} && ${TLS:-0} != 0 ]]; then
	scenarios=${SCENARIOS:-throughput latency}
	protocols=${PROTOCOLS:-relay relay-tls chatroom chatroom-tls}
else
	scenarios=${SCENARIOS:-idle throughput latency slow-consumer}
	protocols=${PROTOCOLS:-relay chatroom}
fi
redis_server=${REDIS_SERVER:-/usr/bin/redis-server}
redis_cli=$(dirname "$redis_server")/redis-cli
[[ -x $redis_cli ]] || redis_cli=$(command -v redis-cli || true)
uses_redis=
[[ " $protocols " == *" chatroom-redis"* ]] && uses_redis=1
uses_tls=
[[ " $protocols " == *"-tls "* ]] && uses_tls=1

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
	redis_pin=(taskset -c "${REDIS_CPU:-0}")
else
	log "only one CPU: server and benchmark share it (figures will be lower)"
	server_pin=()
	bench_pin=()
	redis_pin=()
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
# The next free port from $1 that is none of the others given.
free_port() {
	local candidate=$1 taken
	shift
	for ((tries = 0; tries < 200; ++tries, ++candidate)); do
		taken=
		for other in "$@"; do ((candidate == other)) && taken=1; done
		[[ -z $taken ]] && ! listening "$candidate" && { echo "$candidate"; return 0; }
	done
	log "no free port found from $1"
	exit 1
}
# With Redis: the second instance's chat and status ports, and Redis's own.
if [[ -n $uses_redis ]]; then
	port2=$(free_port $((status_port + 1)) "$port" "$status_port")
	status_port2=$(free_port $((port2 + 1)) "$port" "$status_port" "$port2")
	redis_port=$(free_port 16379 "$port" "$status_port" "$port2" "$status_port2")
	metrics_url2=http://127.0.0.1:$status_port2/metrics
	[[ -x $redis_server ]] || { log "no redis-server at $redis_server (REDIS_SERVER)"; exit 1; }
fi

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
# backend = redis: the same chat-room server with its rooms in Redis (the
# database define does not apply); the second instance differs only in its
# chat and status ports (later --define words override earlier ones).
redis_defines=(--define=listeners.chat.backend=redis)
server_pids=()
redis_pid=
redis_dir=
stop_pid() {
	local pid=$1
	if kill -0 "$pid" 2>/dev/null; then
		kill -TERM "$pid"
		for ((i = 0; i < 100; ++i)); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
	fi
	wait "$pid" 2>/dev/null || true
}
stop_server() {
	local pid
	# The webchatd instances first: they leave Redis cleanly.
	for pid in "${server_pids[@]}"; do stop_pid "$pid"; done
	server_pids=()
	if [[ -n $redis_pid ]]; then
		stop_pid "$redis_pid"
		redis_pid=
	fi
	if [[ -n $redis_dir ]]; then
		rm -rf "$redis_dir"
		redis_dir=
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# TLS: a self-signed certificate for 127.0.0.1 made for this run.sh (never
# committed, removed at the end), and the words that put it on the chat
# listener and make webchat-bench speak wss and verify it.
tls_dir=
tls_defines=()
tls_bench=()
if [[ -n $uses_tls ]]; then
	command -v openssl >/dev/null || { log "TLS needs the openssl command"; exit 1; }
	tls_dir=$(mktemp -d "${TMPDIR:-/tmp}/webchat-bench-tls.XXXXXX")
	tls_shown=$tls_dir # the report calls it <tls>
	tls_certificate_cmd=(openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes
		-keyout "$tls_dir/privkey.pem" -out "$tls_dir/fullchain.pem" -days 2 -subj /CN=localhost
		-addext subjectAltName=DNS:localhost,IP:127.0.0.1)
	"${tls_certificate_cmd[@]}" >"$results/openssl-req.log" 2>&1 || { log "openssl req failed:"; cat "$results/openssl-req.log" >&2; exit 1; }
	tls_defines=("--define=listeners.chat.tls_certificate=$tls_dir/fullchain.pem"
		"--define=listeners.chat.tls_private_key=$tls_dir/privkey.pem")
	tls_bench=(--tls --tls-ca "$tls_dir/fullchain.pem")
fi
cleanup() {
	stop_server
	if [[ -n $tls_dir ]]; then
		rm -rf "$tls_dir"
		tls_dir=
	fi
}
# How many webchatd instances a protocol runs.
instances() { [[ $1 == chatroom-redis2 ]] && echo 2 || echo 1; }
# The server command for a protocol, scenario and instance (1 or 2).
server_command() {
	if [[ $1 == relay ]]; then
		server_cmd=("${relay_cmd[@]}")
	elif [[ $1 == relay-tls ]]; then
		server_cmd=("${relay_cmd[@]}" "${tls_defines[@]}")
	elif [[ $1 == chatroom || $1 == chatroom-tls ]]; then
		# shellcheck disable=SC2206 # the defines are words by design
		server_cmd=("${chat_cmd[@]}" ${chat_extra[$2]:-} "--define=listeners.chat.database=$results/$1-$2.db")
		if [[ $1 == chatroom-tls ]]; then server_cmd+=("${tls_defines[@]}"); fi
	else
		# shellcheck disable=SC2206 # the defines are words by design
		server_cmd=("${chat_cmd[@]}" ${chat_extra[$2]:-} "${redis_defines[@]}"
			"--define=listeners.chat.redis_address=127.0.0.1:$redis_port")
		if (($3 == 2)); then
			server_cmd+=("--define=listeners.chat.port=$port2" "--define=listeners.status.port=$status_port2")
		fi
	fi
}
# A fresh redis-server per run, on a free loopback port, its data in a
# temporary folder: each run starts from empty rooms, as with SQLite.
start_redis() {
	redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/webchat-bench-redis.XXXXXX")
	redis_cmd=("${redis_pin[@]}" "$redis_server" --port "$redis_port" --bind 127.0.0.1 --dir "$redis_dir"
		--appendonly yes --appendfsync everysec --save "" --daemonize no --logfile "$results/redis-$1.log")
	"${redis_cmd[@]}" &
	redis_pid=$!
	for ((i = 0; i < 100; ++i)); do
		listening "$redis_port" && return 0
		if ! kill -0 "$redis_pid" 2>/dev/null; then
			log "redis-server exited; its log:"
			cat "$results/redis-$1.log" >&2
			exit 1
		fi
		sleep 0.1
	done
	log "redis-server did not listen on port $redis_port"
	exit 1
}
# A fresh server per run: each one's memory figures start from the same
# state, not from what the previous run left in the allocator.
start_server() {
	local instance count chat status pid
	count=$(instances "$1")
	[[ $1 == chatroom-redis* ]] && start_redis "$1-$2"
	for ((instance = 1; instance <= count; ++instance)); do
		server_command "$1" "$2" "$instance"
		"${server_cmd[@]}" >"$results/webchatd-$1-$2-$instance.log" 2>&1 &
		server_pids+=($!)
	done
	for ((instance = 1; instance <= count; ++instance)); do
		chat=$port status=$status_port pid=${server_pids[instance - 1]}
		((instance == 2)) && chat=$port2 status=$status_port2
		for ((i = 0; i < 100; ++i)); do
			listening "$chat" && listening "$status" && break
			if ! kill -0 "$pid" 2>/dev/null; then
				log "webchatd exited; its output:"
				cat "$results/webchatd-$1-$2-$instance.log" >&2
				exit 1
			fi
			sleep 0.1
		done
		listening "$chat" || { log "webchatd did not listen on port $chat"; exit 1; }
	done
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
declare -A stalls loads
status=0
for scenario in $scenarios; do
	[[ -n ${arguments[$scenario]+set} ]] || { log "unknown scenario $scenario"; exit 1; }
done
for protocol in $protocols; do
	[[ $protocol =~ ^(relay|relay-tls|chatroom|chatroom-tls|chatroom-redis|chatroom-redis2)$ ]] || { log "unknown protocol $protocol"; exit 1; }
done
for scenario in $scenarios; do
	for protocol in $protocols; do
		run=$protocol-$scenario
		start_server "$protocol" "$scenario"
		# The bench's protocol; with Redis also redis-server's pid (its CPU
		# time), and with two instances both ports (clients round-robin),
		# both pids (RSS and CPU summed) and both /metrics (counters summed).
		wire=${protocol%%-*}
		targets=(--port "$port" --server-pid "${server_pids[0]}" --metrics-url "$metrics_url")
		if (($(instances "$protocol") == 2)); then
			targets=(--ports "$port,$port2" --server-pid "${server_pids[0]},${server_pids[1]}"
				--metrics-url "$metrics_url,$metrics_url2")
		fi
		[[ -n $redis_pid ]] && targets+=(--redis-pid "$redis_pid")
		if [[ $protocol == *-tls ]]; then targets+=("${tls_bench[@]}"); fi
		# shellcheck disable=SC2206 # the arguments are words by design
		cmd=("${bench_pin[@]}" "$build/bin/webchat-bench" "$scenario" ${arguments[$scenario]}
			--protocol "$wire" "${targets[@]}" --concurrency 1024)
		log "${cmd[*]}"
		loads[$run]=$(cut -d' ' -f1 /proc/loadavg)
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
		elif [[ $protocol == chatroom-redis* ]]; then
			out=${out//| chatroom\//| $protocol\/} # name the backend in the row
		elif [[ $protocol == *-tls ]]; then
			out=$(sed -E "s#^\| (chatroom/)?#| $protocol/#" <<<"$out") # name TLS in the row
		fi
		rows+=("$out")
		commands+=("${cmd[*]}")
		# What Redis spent its time on over the whole run (connecting
		# included): its per-command statistics (INFO commandstats).
		if [[ -n $redis_pid && -n $redis_cli ]]; then
			"$redis_cli" -p "$redis_port" INFO commandstats >"$results/$run.redis-commandstats.txt" 2>&1 || true
		fi
		stop_server
	done
done
cleanup
trap - EXIT

# --- the tables ------------------------------------------------------------------
# A figure of one run, from its JSON (flat "key":value pairs; keys are unique
# within a report): a number, a quoted string, null, or nothing without a run.
figure() {
	[[ -f $results/$1.json ]] || return 0
	# (A key a run does not report, e.g. redis_cpu_percent without Redis: nothing.)
	{ grep -o "\"$2\":\(\"[^\"]*\"\|[^,}]*\)" "$results/$1.json" || true; } | head -1 | cut -d: -f2- | tr -d '"'
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
# A command's calls and microseconds per call in a run's INFO commandstats
# ("evalsha" -> "20200 x 17.84 us"), or nothing.
commandstat() {
	local file=$results/$1.redis-commandstats.txt
	[[ -f $file ]] || return 0
	awk -F'[:,=]' -v name="cmdstat_$2" '$1 == name { printf "%s x %s us", $3, $7 }' "$file"
}
# With Redis (issue 5): every protocol run side by side, the chat room's
# backends (SQLite; Redis with one webchatd; Redis with two) in particular,
# with redis-server's CPU and the load average at each run's start.
declare -A redis_extra=(
	[idle]=""
	[throughput]="messages_per_s:messages/s latency_max_ms:latency_max_(ms) redis_cpu_percent:redis-server_CPU_(%) redis_cpu_ns_per_delivery:redis-server_CPU_per_delivery_(ns) redis_cpu_us_per_message:redis-server_CPU_per_message_(us)"
	[latency]="max_send_lag_ms:worst_send_lag_(ms) latency_max_ms:latency_max_(ms) bench_cpu_percent:bench_CPU_(%) redis_cpu_percent:redis-server_CPU_(%) redis_cpu_us_per_message:redis-server_CPU_per_message_(us)"
	[slow-consumer]="baseline_redis_cpu_percent:redis-server_CPU_(%)"
)
protocol_label() {
	case $1 in
	relay) echo "relay" ;;
	chatroom) echo "chat room, SQLite" ;;
	chatroom-redis) echo "chat room, Redis, 1 webchatd" ;;
	chatroom-redis2) echo "chat room, Redis, 2 webchatd" ;;
	esac
}
backends_table() {
	local scenario pair key label protocol line
	line="| scenario | figure |"
	for protocol in $protocols; do line+=" $(protocol_label "$protocol") |"; done
	echo "$line"
	echo "|$(for _ in $protocols x x; do printf ' --- |'; done)"
	for scenario in $scenarios; do
		line="| $scenario | result |"
		for protocol in $protocols; do line+=" $(passed "$protocol-$scenario") |"; done
		echo "$line"
		line="| $scenario | CPU contention / load average at start |"
		for protocol in $protocols; do line+=" ${stalls[$protocol-$scenario]:-} / ${loads[$protocol-$scenario]:-} |"; done
		echo "$line"
		# The server counters: only their agreement lines, which hold both counts.
		for pair in ${compared[$scenario]} ${redis_extra[$scenario]} $server_counters; do
			key=${pair%%:*}
			label=${pair#*:}
			[[ " $server_counters " == *" $pair "* && $key != agree_* ]] && continue
			line="| $scenario | ${label//_/ } |"
			for protocol in $protocols; do line+=" $(figure "$protocol-$scenario" "$key") |"; done
			echo "$line"
		done
		# The server side's CPU: webchatd and redis-server together (on one
		# core unless REDIS_CPU says otherwise; 100 % is that core full).
		line="| $scenario | webchatd + redis-server CPU (%) |"
		for protocol in $protocols; do
			line+=" $(awk -v a="$(figure "$protocol-$scenario" server_cpu_percent)" -v b="$(figure "$protocol-$scenario" redis_cpu_percent)" \
				'BEGIN { if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/) print a + b }') |"
		done
		echo "$line"
		# Redis's own accounting over the whole run (joins and leaves
		# included): the Lua scripts (EVALSHA: posts, joins, leaves) and
		# the feed reads (XREAD).
		for pair in evalsha:EVALSHA xread:XREAD; do
			line="| $scenario | redis-server ${pair#*:} (calls x time per call) |"
			for protocol in $protocols; do line+=" $(commandstat "$protocol-$scenario" "${pair%%:*}") |"; done
			echo "$line"
		done
	done
}
# TLS: every protocol run side by side, each *-tls column followed by the
# TLS figure as a share of its plaintext one (when that ran too), with the
# negotiated protocol and cipher and the load average at each run's start.
declare -A tls_extra=(
	[idle]=""
	[throughput]="messages_per_s:messages/s latency_max_ms:latency_max_(ms)"
	[latency]="max_send_lag_ms:worst_send_lag_(ms) latency_max_ms:latency_max_(ms) bench_cpu_percent:bench_CPU_(%) server_cpu_ns_per_delivery:server_CPU_per_delivery_(ns)"
	[slow-consumer]="baseline_server_cpu_ns_per_delivery:server_CPU_per_delivery_(ns) baseline_bench_cpu_ns_per_delivery:bench_CPU_per_delivery_(ns)"
)
protocol_name() {
	case $1 in
	relay) echo "relay" ;;
	relay-tls) echo "relay over TLS" ;;
	chatroom) echo "chat room" ;;
	chatroom-tls) echo "chat room over TLS" ;;
	*) protocol_label "$1" ;;
	esac
}
tls_table() {
	local scenario pair key label protocol line columns=0
	line="| scenario | figure |"
	for protocol in $protocols; do
		line+=" $(protocol_name "$protocol") |"
		columns=$((columns + 1))
		if [[ $protocol == *-tls && " $protocols " == *" ${protocol%-tls} "* ]]; then
			line+=" TLS / plaintext |"
			columns=$((columns + 1))
		fi
	done
	echo "$line"
	echo "| --- | --- |$(for ((i = 0; i < columns; ++i)); do printf ' --- |'; done)"
	# One row: a label, then each protocol's value (and the TLS share).
	# $1: scenario, $2: label, $3: a function printing protocol's value.
	tls_row() {
		local line="| $1 | $2 |" protocol value plain
		for protocol in $protocols; do
			value=$($3 "$protocol")
			line+=" $value |"
			if [[ $protocol == *-tls && " $protocols " == *" ${protocol%-tls} "* ]]; then
				plain=$($3 "${protocol%-tls}")
				[[ -n ${4:-} ]] && line+=" $(ratio "$value" "$plain") |" || line+=" |"
			fi
		done
		echo "$line"
	}
	for scenario in $scenarios; do
		tls_row "$scenario" result "passed_in $scenario"
		tls_row "$scenario" "CPU contention / load average at start" "contention_of $scenario"
		tls_row "$scenario" "TLS" "figure_of $scenario tls"
		for pair in ${compared[$scenario]} ${tls_extra[$scenario]} $server_counters; do
			key=${pair%%:*}
			label=${pair#*:}
			# The server counters: only their agreement lines, which hold both counts.
			[[ " $server_counters " == *" $pair "* && $key != agree_* ]] && continue
			if [[ $key == agree_* || $key == kept_up || $key == non_reader_outcome ]]; then
				tls_row "$scenario" "${label//_/ }" "figure_of $scenario $key"
			else
				tls_row "$scenario" "${label//_/ }" "figure_of $scenario $key" ratio
			fi
		done
	done
}
passed_in() { passed "$2-$1"; }
contention_of() { echo "${stalls[$2-$1]:-} / ${loads[$2-$1]:-}"; }
figure_of() { figure "$3-$1" "$2"; }
# What TLS costs, from the throughput runs: the server's CPU per delivery
# (whichever side limited deliveries/s) and the benchmark's.
tls_verdict() {
	local protocol plain tlsNs plainNs benchBusy side
	for protocol in $protocols; do
		[[ $protocol == *-tls ]] || continue
		plain=${protocol%-tls}
		for side in server bench; do
			tlsNs=$(figure "$protocol-throughput" "${side}_cpu_ns_per_delivery")
			plainNs=$(figure "$plain-throughput" "${side}_cpu_ns_per_delivery")
			if [[ $tlsNs =~ ^[0-9.]+$ && $plainNs =~ ^[0-9.]+$ ]]; then
				echo "$(protocol_name "$plain") throughput, $side CPU per delivery: $plainNs ns in plaintext, $tlsNs ns over TLS" \
					"(+$(awk -v a="$tlsNs" -v b="$plainNs" 'BEGIN { printf "%.1f", a - b }') ns, $(ratio "$tlsNs" "$plainNs"))."
			fi
		done
		for run in "$plain" "$protocol"; do
			benchBusy=$(figure "$run-throughput" bench_cpu_percent)
			if [[ $benchBusy =~ ^[0-9.]+$ ]] && awk -v b="$benchBusy" 'BEGIN { exit !(b >= 90) }'; then
				echo "The benchmark's own core was $benchBusy % busy in the $(protocol_name "$run") throughput run: there the" \
					"benchmark, not the server, limited deliveries/s."
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
	if [[ " $protocols " == *" chatroom "* || " $protocols " == *" chatroom-tls "* ]]; then
		echo "- chat room: \`${chat_cmd[*]} --define=listeners.chat.database=<results>/<protocol>-<scenario>.db\`"
		for scenario in "${!chat_extra[@]}"; do
			[[ " $scenarios " == *" $scenario "* ]] && echo "  (for $scenario also \`${chat_extra[$scenario]}\`)"
		done
	fi
	if [[ -n $uses_tls ]]; then
		echo "- over TLS (relay-tls, chatroom-tls): the same command plus" \
			"\`--define=listeners.chat.tls_certificate=<tls>/fullchain.pem --define=listeners.chat.tls_private_key=<tls>/privkey.pem\`," \
			"a certificate made for the run (\`${tls_certificate_cmd[*]//$tls_shown/<tls>}\`, <tls> a temporary folder, removed" \
			"afterwards; $(openssl version | cut -d' ' -f1-2)); webchat-bench gets \`--tls --tls-ca <tls>/fullchain.pem\`" \
			"(a full handshake per connection, the certificate verified)"
	fi
	if [[ -n $uses_redis ]]; then
		echo "- chat room with Redis: the chat room's command without the database, plus" \
			"\`${redis_defines[*]} --define=listeners.chat.redis_address=127.0.0.1:$redis_port\`;" \
			"the second instance (chatroom-redis2) also \`--define=listeners.chat.port=$port2 --define=listeners.status.port=$status_port2\`;" \
			"webchat-bench gets \`--ports $port,$port2\` there (clients round-robin: client i on instance i mod 2)"
		echo "- redis-server, afresh for each run: \`${redis_pin[*]} $redis_server --port $redis_port --bind 127.0.0.1" \
			"--dir <temporary folder> --appendonly yes --appendfsync everysec --save \"\" --daemonize no\`" \
			"($("$redis_server" --version | grep -o 'v=[0-9.]*'))"
	fi
	echo
	echo "Server counters: each server also runs the status plugin on 127.0.0.1:$status_port; webchat-bench reads" \
		"$metrics_url before and after each run and sets the chat listener's counters beside its own" \
		"(server: ..., bench: ..., agree: ...; report-only, never a FAIL)."
	if [[ -n $uses_redis ]]; then
		echo "With two instances the second one's status listener is 127.0.0.1:$status_port2 and the counters of both are summed."
	fi
	echo
	echo "CPU contention (share of each run during which some task waited for a CPU, from /proc/pressure/cpu;" \
		"the server and the benchmark alone should keep it near 0 %; compare figures only at low contention):" \
		"$(IFS=';'; echo "${contention[*]}" | sed 's/;/; /g')."
	echo
	if [[ -n $uses_redis ]]; then
		backends_table
		echo
	elif [[ -n $uses_tls ]]; then
		tls_table
		echo
		tls_verdict
		echo
	elif [[ " $protocols " == *" relay "* && " $protocols " == *" chatroom "* ]]; then
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
	for cmd in "${commands[@]}"; do
		[[ -n $uses_tls ]] && cmd=${cmd//$tls_shown/<tls>}
		echo "    $cmd"
	done
	echo
	echo "Logs: $results/"
} | tee "$results/results.md"
exit $status
