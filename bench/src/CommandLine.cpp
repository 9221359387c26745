#include "CommandLine.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <set>

namespace webchat::bench {

namespace {

const std::set<std::string> Flags = {"markdown", "binary", "help", "tls", "follow-up", "deflate", "ping-check"};

const std::set<std::string> Common = {"host", "port", "ports", "path", "cpu", "timeout", "json", "markdown", "name",
	"server-pid", "redis-pid", "redis-address", "concurrency", "protocol", "room", "room-shards", "metrics-url", "metrics-listener", "tls",
	"tls-ca", "deflate", "help"};

// `webchat-bench report`: its own options only, then the records' files.
const std::string Report = "report";
const std::set<std::string> ReportOptions = {"markdown", "help"};

const std::map<std::string, std::set<std::string>> ScenarioOptions = {
	{"idle", {"connections", "hold", "addresses", "ping-check"}},
	{"throughput", {"clients", "senders", "messages", "size", "window", "binary"}},
	{"latency", {"clients", "senders", "rate", "duration", "size", "binary"}},
	{"slow-consumer", {"clients", "senders", "messages", "size", "window", "binary", "rcvbuf"}},
	{"smoke", {}},
	{"slowloris", {"page-port", "chat-port", "slow", "addresses", "interval-ms", "follow-up", "probes", "probe-gap-ms",
		"settle-ms"}},
};

} // namespace

const std::vector<std::string>& CommandLine::scenarios()
{
	static const std::vector<std::string> names = {"idle", "throughput", "latency", "slow-consumer", "smoke", "slowloris"};
	return names;
}

std::string CommandLine::usage()
{
	return R"(usage: webchat-bench <scenario> [options]
       webchat-bench report [--markdown] RECORD.json...

Load generator and checker for webchatd's relay and chat-room plugins.
Single-threaded (one epoll loop); connects to loopback addresses only.
Every delivery is checked (sender, sequence number, padding): any loss,
duplicate or reordering makes the scenario FAIL; in the chat room also
every event's JSON, the welcome and the message ids. Exit status: 0 all
PASS, 1 a FAIL, 2 bad usage, 3 could not run.

scenarios:
  idle           open --connections idle connections as fast as possible
                 (at most --concurrency in flight), time to all established,
                 server RSS growth per connection (needs --server-pid), the
                 kernel's per connection (both ends; slab needs root),
                 hold them --hold seconds (pings answered), close them;
                 --addresses N: from 127.0.0.2 onwards (IPv4), for more
                 connections than one source address has ports;
                 server CPU while held, per connection per second; pings
                 answered; --ping-check: FAIL unless every connection was
                 pinged while held (hold longer than ping_interval_ms)
                   --connections 10000  --hold 1
  throughput     --clients connect; the first --senders of them send
                 --messages each as fast as allowed (at most --window of a
                 sender's messages in flight, 0 = automatic); everyone
                 receives everything: deliveries/s, messages/s, latency
                   --clients 100 --senders 10 --messages 2000 --size 64
                   --window 0 --binary (binary frames instead of text)
  latency        paced sends, --rate messages/s over all senders for
                 --duration seconds: kept up?, latency p50/p99/max
                   --clients 5000 --senders 5 --rate 200 --duration 10 --size 64
  slow-consumer  throughput twice: without, then with one extra client that
                 never reads (SO_RCVBUF --rcvbuf); the others must lose
                 nothing; p99 of both runs, server RSS before/during/after,
                 how the server ended the non-reader (1008 expected). The
                 default size is larger so that more reaches the non-reader
                 than the server's queue limit (1 MiB) plus the kernel's
                 socket buffers (up to tcp_wmem max, 4 MiB) can hold
                   --clients 100 --senders 10 --messages 2000 --size 512 --rcvbuf 4096
  slowloris      --slow connections to the page listener (--page-port), from
                 --addresses loopback addresses 127.0.0.2 onwards, opened
                 over one interval, each trickling a request head that never
                 ends, one byte every --interval-ms (--follow-up: after a
                 complete first request and its response, the keep-alive
                 follow-up); one the server closes is opened again at its
                 next tick. After --settle-ms, --probes times an honest
                 client from 127.0.0.1: GET / on the page listener, then a
                 chat join on --chat-port (the upgrade, and with --protocol
                 chatroom its welcome; nick probe<pid>-<n> in --room), each
                 target p99 < 50 ms; --probe-gap-ms between tries (keep
                 the joins within the chat listener's
                 handshakes_per_ip_per_second, 5 by default). Reports
                 how many slow connections the server held at each probe,
                 closed at once (within one interval: refused) and later
                 (while trickling: after how long), with --metrics-url
                 (--metrics-listener page) the gate's refusals by reason.
                 A failed probe FAILs. --slow 0: the probes alone (the
                 baseline). Not --port, --ports, --path, --tls
                   --page-port 8080 --chat-port 8000 --slow 1000 --addresses 20
                   --interval-ms 2000 --probes 100 --probe-gap-ms 250
                   --settle-ms 2000 --protocol chatroom
  smoke          a tiny run of every check (50 idle connections; 20 clients,
                 2 senders x 50 messages; paced 20 clients; slow consumer
                 with 10 clients, 2 senders x 1000 x 4000 B); for the tests

report: no load; reads the records of earlier runs (--json FILE), in the
order they ran, and prints them as Markdown (--markdown, the only format):
the CPU contention of each run; the comparison the runs' names call for
(--name: "relay" and "chatroom" side by side with the chat room's share of
the relay; any "<name>-tls" beside its plaintext twin with TLS's share;
any "chatroom-redis", "chatroom-redis2": every name side by side with
redis-server's figures); every run's own row. A file that does not exist
or holds no record is a FAIL row (the run left nothing). Exit status: 0
when every run passed, 1 otherwise, 2 bad usage. bench/run.sh ends with it.

common options:
  --host 127.0.0.1   loopback only (127.0.0.0/8, ::1, or a name resolving there)
  --port 8000  --path /  (relay)
  --ports 8000,8001  several servers instead of --port (webchatd instances
                     sharing rooms through Redis): the clients are spread
                     over them round-robin, client i to the (i mod n)-th
                     port (so the senders are spread too); every check is
                     the same as with one server
  --protocol relay   relay: the payload is the message, everyone gets it
                     chatroom: every client joins --room as b<index>-<pid>-<run>
                     (ws://host:port/<room>?nick=...), waits for its welcome,
                     sends {"type":"message","text":"<payload>"} and checks
                     each event's JSON and that message ids go up by one.
                     The server's rate_per_second, rate_burst and
                     max_users_per_room must allow the load (bench/run.sh
                     shows how); text frames only (no --binary)
  --room bench[,other...]
                     the chat room (chatroom only); several, comma-separated:
                     client i joins the (i mod n)-th (so do the senders,
                     the first clients), each message is owed to its
                     sender's room only, ids go up by one per room
  --room-shards 1,1,2
                     with several --room and several --redis-pid: which
                     redis-server (1-based, in --redis-pid order) holds each
                     room, so that each one's CPU per message of its own
                     rooms is reported (redis<k>_cpu_us_per_message)
  --tls              wss: TLS on every connection (the server's listener has
                     tls_certificate and tls_private_key). OpenSSL on the
                     same non-blocking sockets, a full handshake per
                     connection. The certificate is NOT verified unless
                     --tls-ca is given (a load generator on loopback against
                     a server started for the run, usually self-signed)
  --tls-ca FILE      with --tls: verify the server's certificate against the
                     PEM certificates in FILE (a self-signed one: itself) and
                     that it names --host (IP address or DNS name)
  --deflate          offer permessage-deflate (RFC 7692) on every connection,
                     as browsers do; the server must accept it (its
                     listener's compression = on, the default). What the
                     server sends is inflated before it is checked; the
                     bench's own messages go out uncompressed
  --server-pid PID[,PID...]
                     webchatd's pid, for its VmRSS (/proc/PID/status) and CPU
                     time; with several servers, each one's pid: RSS and CPU
                     are then summed over them
  --redis-pid PID[,PID...]
                     redis-server's pid (backend = redis): its CPU time over
                     each exchange is reported beside the servers'; several
                     (a Redis Cluster's masters): summed, and each one's too
  --redis-address 127.0.0.1:6379[,...]
                     redis-server (loopback only): its INFO commandstats at
                     the end of the run goes into the record (--json), calls
                     and time per call of every command (a failed read is a
                     warning); several: calls summed, time per call averaged
                     over all calls
  --metrics-url http://127.0.0.1:9100/metrics[,http://...]
                     the status plugin's Prometheus text (loopback only),
                     fetched before and after each scenario (several, one
                     per instance, comma-separated: their counters are
                     summed): the server's
                     messages in, bytes, connections accepted, slow consumers
                     closed and protocol errors over the scenario, beside the
                     benchmark's own counts with an agree_* line per pair
                     (report-only: never a FAIL; a failed fetch is a warning)
  --metrics-listener chat
                     whose series to read (label listener="chat")
  --concurrency 256  connections in flight while connecting (keep it within
                     the listener's backlog and max_queued: beyond those,
                     connections are dropped or closed unanswered)
  --cpu N            pin this process to CPU N
  --timeout S        overall bound in seconds (default: per scenario); the
                     tool always stops by itself
  --json FILE        write the run's record to FILE (whatever the output
                     format; also when the run cannot go ahead, with the
                     error): its name, scenario, result, every report's
                     parameters, figures, units and targets, the load
                     average at its start and the CPU contention over it
                     (/proc/pressure/cpu), redis-server's commandstats;
                     webchat-bench report tables several
  --json -           that record on stdout instead of text
  --name NAME        the setup the run is against (letters, digits, '.',
                     '_', '-'; e.g. relay-tls, chatroom-redis2): in the
                     record, and before each report's name (NAME/throughput).
                     Default: the --protocol
  --markdown         one Markdown table row per scenario instead of text
  --help
)";
}

CommandLine::CommandLine(const std::vector<std::string>& arguments)
{
	std::size_t i = 0;
	if (i < arguments.size() && arguments[i].rfind("--", 0) != 0) _scenario = arguments[i++];
	for (; i < arguments.size(); ++i)
	{
		const std::string& argument = arguments[i];
		if (_scenario == Report && argument.rfind("--", 0) != 0)
		{
			_files.push_back(argument);
			continue;
		}
		if (argument.rfind("--", 0) != 0 || argument.size() == 2) throw UsageError("unexpected argument: " + argument);
		std::string name = argument.substr(2);
		std::string value;
		bool hasValue = false;
		const std::size_t equals = name.find('=');
		if (equals != std::string::npos)
		{
			value = name.substr(equals + 1);
			name.resize(equals);
			hasValue = true;
		}
		if (name == "help")
		{
			_help = true;
			continue;
		}
		const auto scenarioOptions = ScenarioOptions.find(_scenario);
		const bool known = _scenario == Report ? ReportOptions.count(name) != 0
			: Common.count(name) || (scenarioOptions != ScenarioOptions.end() && scenarioOptions->second.count(name));
		if (!known)
			throw UsageError("unknown option --" + name + (_scenario.empty() ? "" : " for " + _scenario));
		if (Flags.count(name))
		{
			if (hasValue) throw UsageError("--" + name + " takes no value");
			value = "1";
		}
		else if (!hasValue)
		{
			if (i + 1 >= arguments.size()) throw UsageError("--" + name + " needs a value");
			value = arguments[++i];
		}
		_values[name] = value;
	}
	if (_help) return;
	if (_scenario.empty()) throw UsageError("no scenario given");
	if (_scenario == Report)
	{
		if (_files.empty()) throw UsageError("report needs the records to table (webchat-bench report --markdown FILE...)");
		return;
	}
	if (!ScenarioOptions.count(_scenario)) throw UsageError("unknown scenario " + _scenario);
}

namespace {

std::uint64_t wholeNumber(const std::string& name, const std::string& text, std::uint64_t min, std::uint64_t max)
{
	if (text.empty() || !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
		throw UsageError("--" + name + " needs a whole number, not '" + text + "'");
	errno = 0;
	const unsigned long long value = std::strtoull(text.c_str(), nullptr, 10);
	if (errno == ERANGE || value < min || value > max)
		throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max));
	return value;
}

} // namespace

std::uint64_t CommandLine::integer(const std::string& name, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) const
{
	const auto found = _values.find(name);
	if (found == _values.end()) return fallback;
	return wholeNumber(name, found->second, min, max);
}

std::vector<std::string> CommandLine::list(const std::string& name, const std::vector<std::string>& fallback) const
{
	const auto found = _values.find(name);
	if (found == _values.end()) return fallback;
	std::vector<std::string> items;
	const std::string& text = found->second;
	std::size_t start = 0;
	for (;;)
	{
		const std::size_t comma = text.find(',', start);
		const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
		if (item.empty()) throw UsageError("--" + name + ": empty item in '" + text + "'");
		items.push_back(item);
		if (comma == std::string::npos) break;
		start = comma + 1;
	}
	return items;
}

std::vector<std::uint64_t> CommandLine::integers(const std::string& name, std::uint64_t min, std::uint64_t max) const
{
	std::vector<std::uint64_t> values;
	for (const std::string& item: list(name, {})) values.push_back(wholeNumber(name, item, min, max));
	return values;
}

std::vector<std::uint16_t> CommandLine::ports() const
{
	if (has("ports") && has("port")) throw UsageError("--port and --ports exclude each other");
	if (!has("ports")) return {static_cast<std::uint16_t>(integer("port", 8000, 1, 65535))};
	std::vector<std::uint16_t> ports;
	for (const std::uint64_t port: integers("ports", 1, 65535))
	{
		if (std::find(ports.begin(), ports.end(), port) != ports.end())
			throw UsageError("--ports names " + std::to_string(port) + " twice");
		ports.push_back(static_cast<std::uint16_t>(port));
	}
	if (ports.size() > MaxPorts) throw UsageError("--ports: at most " + std::to_string(MaxPorts) + " servers");
	return ports;
}

double CommandLine::number(const std::string& name, double fallback, double min, double max) const
{
	const auto found = _values.find(name);
	if (found == _values.end()) return fallback;
	const std::string& text = found->second;
	char* end = nullptr;
	errno = 0;
	const double value = std::strtod(text.c_str(), &end);
	if (text.empty() || *end != '\0' || errno == ERANGE || !std::isfinite(value))
		throw UsageError("--" + name + " needs a number, not '" + text + "'");
	if (value < min || value > max)
		throw UsageError("--" + name + " must be between " + std::to_string(min) + " and " + std::to_string(max));
	return value;
}

std::string CommandLine::text(const std::string& name, const std::string& fallback) const
{
	const auto found = _values.find(name);
	return found == _values.end() ? fallback : found->second;
}

} // namespace webchat::bench
