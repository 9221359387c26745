//
// ResultTables.h
//
// `webchat-bench report`: the runs of one bench/run.sh (their records,
// RunRecord.h) as Markdown. Which comparison it draws follows from the
// runs' names, the setups bench/run.sh uses:
//
// - any "chatroom-redis"/"chatroom-redis2": every setup side by side, the
//   chat room's backends in particular (SQLite; Redis with one webchatd;
//   with two), with redis-server's CPU and its INFO commandstats;
// - else any "<setup>-tls": every setup side by side, each TLS column
//   followed by the TLS figure as a share of its plaintext one, then what
//   TLS costs per delivery;
// - else "relay" and "chatroom" or any "peer-<name>" (another WebSocket
//   server, bench/run.sh's PEER): side by side, each as a share of the
//   relay, then whether the chat room reaches half the relay's throughput
//   and how the relay's CPU per delivery and per connection compares with
//   each peer's.
//
// - any "slowloris" runs: a table of their own, a column per setup (the
//   server's settings), with whether the honest client's p99 met 50 ms.
//
// Each table carries the result, the CPU contention (and in the first two
// the load average at the start) of every run, the scenario's figures and
// the server's own counters. Below the comparison comes every run's own
// row (Report::markdownRow). Any other names are tabled run by run only.
//

#ifndef WEBCHAT_BENCH_RESULTTABLES_INCLUDED
#define WEBCHAT_BENCH_RESULTTABLES_INCLUDED

#include "RunRecord.h"

#include <string>
#include <vector>

namespace webchat::bench {

class ResultTables
{
public:
	/// The runs in the order they ran: the columns follow the order in
	/// which names first appear, the rows that of the scenarios.
	explicit ResultTables(std::vector<RunRecord> runs);

	/// Everything below, separated by blank lines.
	std::string markdown() const;

	/// "CPU contention (...): relay-throughput: 3 %; ...".
	std::string contention() const;
	/// The comparison the names call for (above), with its verdict lines;
	/// empty when they call for none.
	std::string comparison() const;
	/// "Every run:" and one row per report (a run that could not run: one
	/// FAIL row with its error).
	std::string everyRun() const;

	/// a as a share of b ("42 %"), empty unless both are numbers and b > 0.
	static std::string ratio(const std::string& a, const std::string& b);
	/// a as a multiple of b ("2.4x", "85x"), empty unless both are numbers
	/// and b > 0.
	static std::string factor(const std::string& a, const std::string& b);

private:
	const RunRecord* find(const std::string& name, const std::string& scenario) const;
	/// A figure of a run, or empty.
	std::string value(const std::string& name, const std::string& scenario, const std::string& key) const;
	/// "PASS" or "FAIL" (no such run: FAIL).
	std::string result(const std::string& name, const std::string& scenario) const;
	/// "3 %", "n/a" without PSI, empty without the run.
	std::string contentionOf(const std::string& name, const std::string& scenario) const;
	std::string contentionAndLoad(const std::string& name, const std::string& scenario) const;
	bool hasName(const std::string& name) const;

	std::string sideBySide() const;
	std::string relayVerdict() const;
	/// How the relay compares with peer, another server run by run.sh's PEER.
	std::string peerVerdict(const std::string& peer) const;
	std::string backends() const;
	std::string tlsTable() const;
	std::string tlsVerdict() const;
	std::string slowloris() const;
	std::string busyBenchmark(const std::string& name, const std::string& label) const;

	std::vector<RunRecord> _runs;
	std::vector<std::string> _names;
	std::vector<std::string> _scenarios;
	std::vector<std::string> _slowlorisNames; // the slowloris runs' setups
};

} // namespace webchat::bench

#endif
