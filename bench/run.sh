#!/usr/bin/env bash
# The benchmark on this machine: builds Release (if needed) into build-release/,
# then for every scenario and protocol (the relay, then the chat room) starts
# a fresh webchatd pinned to CPU 0, runs the webchat-bench scenario pinned to
# CPU 1 and stops the server. Each run leaves its record (--json), and
# `webchat-bench report --markdown` tables them all: the relay and the chat
# room side by side, whether the chat room reaches half the relay's
# throughput, every run's figures. This script adds the machine and the exact
# commands. Takes about five minutes. Loopback only. Each webchatd also gets
# a status listener on the next free port (STATUS_PORT) and webchat-bench
# reads its /metrics before and after each run (--metrics-url): the server's
# own counters are tabled beside the benchmark's. Results, records and logs
# go to <build>/bench-results/<date>/.
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
# Slow clients (the slowloris scenario, in the default SCENARIOS):
#   SCENARIOS=slowloris bench/run.sh
#                                1000 slow connections from 127.0.0.2-21 to the
#                                page listener, one byte every 2 s, while an
#                                honest client times GET / and a chat join;
#                                against the shipped config/webchat.ini (its
#                                listeners moved to free loopback ports by
#                                --define), once per SLOWLORIS_SETUPS word:
#                                shipped (the shipped limits), per-ip-100
#                                (page max_pending_per_ip=100: all 1000 held),
#                                and each with -follow-up (the slow request is
#                                a keep-alive follow-up), and baseline (the
#                                probes alone, --slow 0: what the machine
#                                gives without slow clients; default all five)
#
# Rooms shared through Redis (backend = redis):
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
# pinned with the servers, stopped (and its folder removed) after the run;
# webchat-bench reads its INFO commandstats at the end (--redis-address).
#
# A Redis Cluster (redis_mode = cluster):
#   REDIS=cluster bench/run.sh   one webchatd on a Redis Cluster of 3 masters
#                                (no replicas: each master's CPU is what it
#                                costs to order its rooms' messages), 6 rooms
#                                of ~17 clients, 2 senders each (throughput:
#                                100 clients, 12 senders x 2,000 x 64 B),
#                                with the rooms on 1 shard (all six), 2 (3 +
#                                3) and 3 (2 + 2 + 2), after the same load
#                                on one redis-server (chatroom-redis, here
#                                with the six rooms too): short for
#                                PROTOCOLS="chatroom-redis chatroom-cluster1
#                                chatroom-cluster2 chatroom-cluster3"
#                                SCENARIOS=throughput.
# Each cluster run gets 3 fresh redis-servers (cluster-enabled, the same
# persistence as above, pinned like REDIS_CPU), made a cluster with
# redis-cli --cluster create; the rooms are named so that their hash tag
# ({<room>}) lands on the masters wanted (CLUSTER KEYSLOT). webchat-bench
# gets every master's pid and address: their CPU summed and each one's
# (redis<k>_cpu_percent, and per message of its own rooms,
# redis<k>_cpu_us_per_message), their commandstats summed.
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
# permessage-deflate (RFC 7692):
#   DEFLATE=1 bench/run.sh       the relay and the chat room, each without and
#                                with compression, side by side; short for
#                                PROTOCOLS="relay relay-deflate chatroom
#                                chatroom-deflate" SCENARIOS="throughput latency"
# A *-deflate run is the same server command (compression = on is the
# default, so the plain runs differ only in that the clients offer nothing);
# webchat-bench gets --deflate (every client offers permessage-deflate and
# inflates what it receives; its own messages go out uncompressed).
#
# Another WebSocket server beside ours (uWebSockets, node ws...):
#   PEER='node /opt/ws-broadcast.js {port}' PEER_NAME=ws bench/run.sh
#                                runs the same scenarios against it, after the
#                                relay, pinned like webchatd ({port} is
#                                replaced by the port it must listen on; the
#                                command is exec'd, so its pid is the
#                                server's for RSS and CPU); the bench speaks
#                                the relay's protocol to it (every text to
#                                every client, the sender included). Its
#                                name (PEER_NAME, default peer; letters,
#                                digits, - and _) is the column's; the
#                                protocol is peer-<name>, default PROTOCOLS
#                                "relay peer-<name>", default SCENARIOS "idle
#                                throughput latency slow-consumer". Built or
#                                installed by whoever runs it, never by this
#                                repository (bench/README.md shows one).
#
# Exit status: 0 when every scenario passed, 1 otherwise.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$repo/build-release}
port=${PORT:-8000}
if [[ ${REDIS:-} == cluster ]]; then
	scenarios=${SCENARIOS:-throughput}
	protocols=${PROTOCOLS:-chatroom-redis chatroom-cluster1 chatroom-cluster2 chatroom-cluster3}
elif [[ -n ${REDIS:-} && ${REDIS:-0} != 0 ]]; then
	scenarios=${SCENARIOS:-throughput latency}
	protocols=${PROTOCOLS:-chatroom chatroom-redis chatroom-redis2}
elif [[ -n ${DEFLATE:-} && ${DEFLATE:-0} != 0 ]]; then
	scenarios=${SCENARIOS:-throughput latency}
	protocols=${PROTOCOLS:-relay relay-deflate chatroom chatroom-deflate}
elif [[ -n ${TLS:-} && ${TLS:-0} != 0 ]]; then
	scenarios=${SCENARIOS:-throughput latency}
	protocols=${PROTOCOLS:-relay relay-tls chatroom chatroom-tls}
elif [[ -n ${PEER:-} ]]; then
	scenarios=${SCENARIOS:-idle throughput latency slow-consumer}
	protocols=${PROTOCOLS:-relay peer-${PEER_NAME:-peer}}
else
	scenarios=${SCENARIOS:-idle throughput latency slow-consumer slowloris}
	protocols=${PROTOCOLS:-relay chatroom}
fi
peer_name=${PEER_NAME:-peer}
slowloris_setups=${SLOWLORIS_SETUPS:-baseline shipped shipped-follow-up per-ip-100 per-ip-100-follow-up}
redis_server=${REDIS_SERVER:-/usr/bin/redis-server}
uses_redis=
[[ " $protocols " == *" chatroom-redis"* ]] && uses_redis=1
uses_cluster=
[[ " $protocols " == *" chatroom-cluster"* ]] && uses_cluster=1
redis_cli=${REDIS_CLI:-$(dirname "$redis_server")/redis-cli}
uses_tls=
[[ " $protocols " == *"-tls "* ]] && uses_tls=1

log() { echo "run.sh: $*" >&2; }
if [[ " $protocols " == *" peer-"* ]]; then
	[[ -n ${PEER:-} ]] || { log "a peer-* protocol needs PEER (the command that starts it)"; exit 1; }
	[[ $peer_name =~ ^[A-Za-z0-9_-]{1,32}$ ]] || { log "PEER_NAME must be 1-32 letters, digits, - or _"; exit 1; }
	[[ $PEER == *"{port}"* ]] || { log "PEER must say where the port goes: {port}"; exit 1; }
fi

# --- build -------------------------------------------------------------------
if [[ ! -f $build/CMakeCache.txt ]]; then
	log "configuring a Release build in $build"
	cmake -S "$repo" -B "$build" -DCMAKE_BUILD_TYPE=Release -DWEBCHAT_BUILD_TESTS=OFF >/dev/null
fi
log "building webchatd, the relay, chat-room, page and status plugins and webchat-bench"
cmake --build "$build" -j"$(nproc)" --target webchatd relay chatroom page status webchat-bench >/dev/null

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
# slowloris: the shipped configuration's page listener, on the next free port.
[[ " $scenarios " == *" slowloris "* ]] && page_port=$(free_port $((status_port + 1)) "$port" "$status_port")
# With Redis: the second instance's chat and status ports, and Redis's own.
if [[ -n $uses_redis ]]; then
	port2=$(free_port $((status_port + 1)) "$port" "$status_port")
	status_port2=$(free_port $((port2 + 1)) "$port" "$status_port" "$port2")
	redis_port=$(free_port 16379 "$port" "$status_port" "$port2" "$status_port2")
	metrics_url2=http://127.0.0.1:$status_port2/metrics
	[[ -x $redis_server ]] || { log "no redis-server at $redis_server (REDIS_SERVER)"; exit 1; }
fi

# With a Redis Cluster: three masters, each port with its bus port (+10000) free.
if [[ -n $uses_cluster ]]; then
	[[ -x $redis_server && -x $redis_cli ]] || { log "a cluster needs redis-server and redis-cli ($redis_server, $redis_cli)"; exit 1; }
	cluster_ports=()
	candidate=17001
	while ((${#cluster_ports[@]} < 3)); do
		candidate=$(free_port "$candidate" "$port" "$status_port" "${cluster_ports[@]}")
		if ! listening $((candidate + 10000)); then cluster_ports+=("$candidate"); fi
		candidate=$((candidate + 1))
	done
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
	--define=listeners.chat.max_pending=100000
	--define=listeners.chat.max_pending_per_ip=100000
	--define=listeners.chat.handshakes_per_ip_per_second=1000000
	--define=listeners.chat.handshakes_per_ip_burst=1000000
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
# - history_bytes 32 KiB instead of 128: the server refuses to start unless
#   history_bytes plus max_users_per_room of the longest possible nicks (and
#   their verifiedIndexes) fit one client's max_queued_bytes (1 MiB); 32 KiB
#   still holds the whole history_size (100 messages) at the throughput and
#   latency payloads (64 B: about 250 bytes an event with its from), so the
#   room keeps and sends what it would by default there (slow-consumer's
#   512 B events: the newest ~50).
# The history backend is the default, sqlite, with a fresh database per run
# in the results folder (start_server adds it): each run starts from empty
# rooms, as the relay does.
chat_cmd=("${relay_cmd[@]}"
	--define=listeners.chat.plugin=chatroom
	--define=listeners.chat.class=ChatroomPlugin
	--define=listeners.chat.rate_per_second=1000000
	--define=listeners.chat.rate_burst=1000000
	--define=listeners.chat.rate_per_ip_per_second=1000000
	--define=listeners.chat.rate_per_ip_burst=1000000
	--define=listeners.chat.presence_events_per_ip_per_minute=1000000
	--define=listeners.chat.history_bytes=32768
	--define=listeners.chat.max_users_per_room=5001)
# shellcheck disable=SC2206 # the defines are words by design
chat_cmd+=(${CHAT_DEFINES:-})
# idle puts 10000 in the room: their welcome's bound is about 2 MiB, so
# max_queued_bytes must grow with it (no messages flow in idle, so the queue
# limit matters to nothing else there).
declare -A chat_extra=(
	[idle]="--define=listeners.chat.max_users_per_room=10000 --define=listeners.chat.max_queued_bytes=4194304"
)
# slowloris: the shipped configuration as it is (page, chat room, status),
# its listeners moved to loopback and free ports; per-ip-100 raises the page
# listener's max_pending_per_ip from 16 to 100, so that all 50 slow
# connections of each of the 20 addresses are held.
slowloris_cmd=("${server_pin[@]}" "$build/bin/webchatd" "--config=$build/etc/webchat/webchat.ini"
	--define=listeners.page.address=127.0.0.1
	"--define=listeners.page.port=${page_port:-0}"
	--define=listeners.chat.address=127.0.0.1
	"--define=listeners.chat.port=$port"
	"--define=listeners.status.port=$status_port"
	--define=logging.loggers.root.level=warning)
declare -A slowloris_extra=(
	[per-ip-100]="--define=listeners.page.max_pending_per_ip=100"
)
# backend = redis: the same chat-room server with its rooms in Redis (the
# database define does not apply); the second instance differs only in its
# chat and status ports (later --define words override earlier ones).
redis_defines=(--define=listeners.chat.backend=redis)
# A Redis Cluster: its three masters as seed nodes.
cluster_defines=()
if [[ -n $uses_cluster ]]; then
	cluster_seeds=$(printf '127.0.0.1:%s,' "${cluster_ports[@]}")
	cluster_defines=(--define=listeners.chat.backend=redis --define=listeners.chat.redis_mode=cluster
		"--define=listeners.chat.redis_address=${cluster_seeds%,}")
fi
server_pids=()
redis_pid=
redis_dir=
cluster_pids=()
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
	for pid in "${cluster_pids[@]}"; do stop_pid "$pid"; done
	cluster_pids=()
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
	# shellcheck disable=SC2054 # the subjectAltName list is one word
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
	if [[ $2 == slowloris ]]; then
		# shellcheck disable=SC2206 # the defines are words by design
		server_cmd=("${slowloris_cmd[@]}" ${slowloris_extra[${1%-follow-up}]:-} "--define=listeners.chat.database=$results/$1-$2.db")
	elif [[ $1 == peer-* ]]; then
		server_cmd=("${server_pin[@]}" bash -c "exec ${PEER//\{port\}/$port}")
	elif [[ $1 == relay || $1 == relay-deflate ]]; then
		server_cmd=("${relay_cmd[@]}")
	elif [[ $1 == relay-tls ]]; then
		server_cmd=("${relay_cmd[@]}" "${tls_defines[@]}")
	elif [[ $1 == chatroom || $1 == chatroom-tls || $1 == chatroom-deflate ]]; then
		# shellcheck disable=SC2206 # the defines are words by design
		server_cmd=("${chat_cmd[@]}" ${chat_extra[$2]:-} "--define=listeners.chat.database=$results/$1-$2.db")
		if [[ $1 == chatroom-tls ]]; then server_cmd+=("${tls_defines[@]}"); fi
	elif [[ $1 == chatroom-cluster* ]]; then
		# shellcheck disable=SC2206 # the defines are words by design
		server_cmd=("${chat_cmd[@]}" ${chat_extra[$2]:-} "${cluster_defines[@]}")
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
# A fresh Redis Cluster per run (three masters, no replicas), its data in a
# temporary folder; then six room names for each master, found with
# CLUSTER KEYSLOT and the masters' slot ranges (CLUSTER NODES).
declare -A cluster_rooms=()
start_cluster() {
	local node port pid slot owner name i
	redis_dir=$(mktemp -d "${TMPDIR:-/tmp}/webchat-bench-cluster.XXXXXX")
	for node in 0 1 2; do
		port=${cluster_ports[node]}
		mkdir -p "$redis_dir/$port"
		cluster_cmd=("${redis_pin[@]}" "$redis_server" --port "$port" --bind 127.0.0.1 --dir "$redis_dir/$port"
			--cluster-enabled yes --cluster-config-file "$redis_dir/$port/nodes.conf"
			--appendonly yes --appendfsync everysec --save "" --daemonize no --logfile "$results/redis-$1-$port.log")
		"${cluster_cmd[@]}" &
		cluster_pids+=($!)
	done
	for node in 0 1 2; do
		port=${cluster_ports[node]} pid=${cluster_pids[node]}
		for ((i = 0; i < 100; ++i)); do
			listening "$port" && break
			kill -0 "$pid" 2>/dev/null || { log "redis-server on $port exited:"; cat "$results/redis-$1-$port.log" >&2; exit 1; }
			sleep 0.1
		done
	done
	"$redis_cli" --cluster create "${cluster_ports[@]/#/127.0.0.1:}" --cluster-replicas 0 --cluster-yes \
		>"$results/redis-cli-$1.log" 2>&1 || { log "redis-cli --cluster create failed:"; cat "$results/redis-cli-$1.log" >&2; exit 1; }
	for ((i = 0; i < 200; ++i)); do
		local ok=1
		for port in "${cluster_ports[@]}"; do
			"$redis_cli" -p "$port" cluster info 2>/dev/null | grep -q cluster_state:ok || ok=
		done
		[[ -n $ok ]] && break
		sleep 0.1
	done
	[[ -n $ok ]] || { log "the cluster did not become ok"; exit 1; }
	# Which master owns which slots: "<id> 127.0.0.1:<port>@<bus> ... <from>-<to>".
	local -a owners=()
	while read -r _ address _ _ _ _ _ _ ranges; do
		port=${address%%@*}
		port=${port##*:}
		for node in 0 1 2; do
			[[ ${cluster_ports[node]} == "$port" ]] || continue
			for range in $ranges; do owners+=("${range%-*} ${range#*-} $node"); done
		done
	done < <("$redis_cli" -p "${cluster_ports[0]}" cluster nodes)
	cluster_rooms=([0]="" [1]="" [2]="")
	for ((i = 2; i < 1000; ++i)); do
		# A room's key is its name's confusable skeleton (NameRules), which
		# maps m, 0 and 1 to rn, O and l: names without them are their own
		# key, the hash tag CLUSTER KEYSLOT is asked about.
		name=chat$i
		[[ $name == *[01]* ]] && continue
		slot=$("$redis_cli" -p "${cluster_ports[0]}" cluster keyslot "{$name}")
		owner=
		for range in "${owners[@]}"; do
			read -r from to node <<<"$range"
			((slot >= from && slot <= to)) && owner=$node
		done
		[[ -n $owner ]] || continue
		(($(wc -w <<<"${cluster_rooms[$owner]}") < 6)) && cluster_rooms[$owner]+=" $name"
		(($(wc -w <<<"${cluster_rooms[0]} ${cluster_rooms[1]} ${cluster_rooms[2]}") == 18)) && break
	done
	(($(wc -w <<<"${cluster_rooms[0]} ${cluster_rooms[1]} ${cluster_rooms[2]}") == 18)) || { log "no six room names per master"; exit 1; }
}
# The six rooms of a chatroom-cluster<n> run and which master holds each
# (1-based): all on the first master, 3 + 3 on two, 2 + 2 + 2 on three.
cluster_placement() {
	local shards=${1#chatroom-cluster} node k
	local -a names
	rooms_arg="" shards_arg=""
	for ((k = 0; k < 6; ++k)); do
		node=$((k * shards / 6))
		read -r -a names <<<"${cluster_rooms[$node]}"
		rooms_arg+="${rooms_arg:+,}${names[k]}"
		shards_arg+="${shards_arg:+,}$((node + 1))"
	done
}
# A fresh server per run: each one's memory figures start from the same
# state, not from what the previous run left in the allocator.
start_server() {
	local instance count chat status pid
	count=$(instances "$1")
	[[ $1 == chatroom-redis* ]] && start_redis "$1-$2"
	[[ $1 == chatroom-cluster* ]] && start_cluster "$1-$2"
	for ((instance = 1; instance <= count; ++instance)); do
		server_command "$1" "$2" "$instance"
		"${server_cmd[@]}" >"$results/webchatd-$1-$2-$instance.log" 2>&1 &
		server_pids+=($!)
	done
	for ((instance = 1; instance <= count; ++instance)); do
		chat=$port status=$status_port pid=${server_pids[instance - 1]}
		((instance == 2)) && chat=$port2 status=$status_port2
		# A peer has no status listener.
		[[ $1 == peer-* ]] && status=$chat
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
	if [[ $2 == slowloris ]]; then
		for ((i = 0; i < 100; ++i)); do listening "$page_port" && break; sleep 0.1; done
		listening "$page_port" || { log "webchatd did not listen on port $page_port"; exit 1; }
	fi
}

# --- the scenarios -------------------------------------------------------------
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
declare -A arguments=(
	[idle]="--connections 10000"
	[throughput]="--clients 100 --senders 10 --messages 2000 --size 64"
	[latency]="--clients 5000 --senders 5 --rate 200 --duration 10"
	[slow-consumer]="--clients 100 --senders 10 --messages 2000 --size 512"
	[slowloris]="--slow 1000 --addresses 20 --interval-ms 2000 --probes 100"
)
cluster_throughput=(--clients 100 --senders 12 --messages 2000 --size 64)
records=()
commands=()
status=0
for scenario in $scenarios; do
	[[ -n ${arguments[$scenario]+set} ]] || { log "unknown scenario $scenario"; exit 1; }
done
for setup in $slowloris_setups; do
	[[ $setup =~ ^(baseline|(shipped|per-ip-100)(-follow-up)?)$ ]] || { log "unknown slowloris setup $setup"; exit 1; }
done
for protocol in $protocols; do
	[[ $protocol =~ ^(relay|relay-tls|relay-deflate|chatroom|chatroom-tls|chatroom-deflate|chatroom-redis|chatroom-redis2|chatroom-cluster[123]|peer-$peer_name)$ ]] || { log "unknown protocol $protocol"; exit 1; }
done
# Runs cmd (webchat-bench) as run, keeps its record and command line, and
# stops the server.
run_bench() {
	log "${cmd[*]}"
	"${cmd[@]}" --json "$results/$run.json" >"$results/$run.txt" 2>"$results/$run.err" || status=1
	records+=("$results/$run.json")
	commands+=("${cmd[*]}")
	stop_server
}
for scenario in $scenarios; do
	if [[ $scenario == slowloris ]]; then
		for setup in $slowloris_setups; do
			run=$setup-$scenario
			start_server "$setup" "$scenario"
			# shellcheck disable=SC2206 # the arguments are words by design
			load=(${arguments[$scenario]})
			[[ $setup == *-follow-up ]] && load+=(--follow-up)
			[[ $setup == baseline ]] && load=(--slow 0 --probes 100)
			cmd=("${bench_pin[@]}" "$build/bin/webchat-bench" "$scenario" "${load[@]}"
				--name "$setup" --page-port "$page_port" --chat-port "$port" --server-pid "${server_pids[0]}"
				--metrics-url "$metrics_url")
			run_bench
		done
		continue
	fi
	for protocol in $protocols; do
		run=$protocol-$scenario
		start_server "$protocol" "$scenario"
		# The bench's protocol; with Redis also redis-server's pid (its CPU
		# time) and address (its commandstats), and with two instances both
		# ports (clients round-robin), both pids (RSS and CPU summed) and
		# both /metrics (counters summed).
		wire=${protocol%%-*}
		targets=(--port "$port" --server-pid "${server_pids[0]}" --metrics-url "$metrics_url")
		if [[ $protocol == peer-* ]]; then
			wire=relay
			targets=(--port "$port" --server-pid "${server_pids[0]}")
		fi
		if (($(instances "$protocol") == 2)); then
			targets=(--ports "$port,$port2" --server-pid "${server_pids[0]},${server_pids[1]}"
				--metrics-url "$metrics_url,$metrics_url2")
		fi
		[[ -n $redis_pid ]] && targets+=(--redis-pid "$redis_pid" --redis-address "127.0.0.1:$redis_port")
		# shellcheck disable=SC2206 # the arguments are words by design
		load=(${arguments[$scenario]})
		if [[ $protocol == chatroom-cluster* ]]; then
			cluster_placement "$protocol"
			pids=$(printf '%s,' "${cluster_pids[@]}")
			targets+=(--redis-pid "${pids%,}" --redis-address "${cluster_seeds%,}" --room "$rooms_arg" --room-shards "$shards_arg")
			# 12 senders: two per room.
			[[ $scenario == throughput ]] && load=("${cluster_throughput[@]}")
		elif [[ $protocol == chatroom-redis && -n $uses_cluster ]]; then
			# The cluster runs' load on one redis-server, for comparison.
			targets+=(--room "chat2,chat3,chat4,chat5,chat6,chat7")
			[[ $scenario == throughput ]] && load=("${cluster_throughput[@]}")
		fi
		if [[ $protocol == *-tls ]]; then targets+=("${tls_bench[@]}"); fi
		if [[ $protocol == *-deflate ]]; then targets+=(--deflate); fi
		cmd=("${bench_pin[@]}" "$build/bin/webchat-bench" "$scenario" "${load[@]}"
			--protocol "$wire" --name "$protocol" "${targets[@]}" --concurrency 1024)
		run_bench
	done
done
cleanup
trap - EXIT

# --- the results -----------------------------------------------------------------
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
	if [[ " $protocols " == *" peer-"* ]]; then
		echo "- $peer_name (PEER): \`${server_pin[*]} bash -c 'exec ${PEER//\{port\}/$port}'\`"
	fi
	if [[ " $protocols " == *" chatroom "* || " $protocols " == *" chatroom-tls "* || " $protocols " == *" chatroom-deflate "* ]]; then
		echo "- chat room: \`${chat_cmd[*]} --define=listeners.chat.database=<results>/<protocol>-<scenario>.db\`"
		for scenario in "${!chat_extra[@]}"; do
			[[ " $scenarios " == *" $scenario "* ]] && echo "  (for $scenario also \`${chat_extra[$scenario]}\`)"
		done
	fi
	if [[ " $scenarios " == *" slowloris "* ]]; then
		echo "- slowloris: \`${slowloris_cmd[*]} --define=listeners.chat.database=<results>/<setup>-slowloris.db\`"
		echo "  (per-ip-100 also \`${slowloris_extra[per-ip-100]}\`; the -follow-up setups run the same server," \
			"webchat-bench gets \`--follow-up\`; baseline: the shipped server, the probes alone, \`--slow 0\`)"
	fi
	if [[ -n $uses_tls ]]; then
		echo "- over TLS (relay-tls, chatroom-tls): the same command plus" \
			"\`--define=listeners.chat.tls_certificate=<tls>/fullchain.pem --define=listeners.chat.tls_private_key=<tls>/privkey.pem\`," \
			"a certificate made for the run (\`${tls_certificate_cmd[*]//$tls_shown/<tls>}\`, <tls> a temporary folder, removed" \
			"afterwards; $(openssl version | cut -d' ' -f1-2)); webchat-bench gets \`--tls --tls-ca <tls>/fullchain.pem\`" \
			"(a full handshake per connection, the certificate verified)"
	fi
	if [[ -n $uses_cluster ]]; then
		echo "- chat room on a Redis Cluster: the chat room's command without the database, plus \`${cluster_defines[*]}\`;" \
			"webchat-bench gets the six rooms (\`--room\`, client i in the (i mod 6)-th), which master holds each" \
			"(\`--room-shards\`), the masters' pids and addresses; throughput there: \`${cluster_throughput[*]}\`" \
			"(chatroom-redis, one redis-server, gets the same load and six rooms)"
		echo "- each master, afresh for each run: \`${redis_pin[*]} $redis_server --port <port> --bind 127.0.0.1 --dir <temporary folder>" \
			"--cluster-enabled yes --cluster-config-file <dir>/nodes.conf --appendonly yes --appendfsync everysec --save \"\" --daemonize no\`" \
			"on ports ${cluster_ports[*]}, then \`$redis_cli --cluster create <the three> --cluster-replicas 0 --cluster-yes\`" \
			"($("$redis_server" --version | grep -o 'v=[0-9.]*'))"
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
	# The tables: webchat-bench's own, from the runs' records (exit status 1
	# means a run failed, which status already says).
	"$build/bin/webchat-bench" report --markdown "${records[@]}" || (($? == 1))
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
