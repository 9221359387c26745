//
// CommandLine.h
//
// `webchat-bench <scenario> [--option value | --option=value | --flag]...`:
// the scenario, then options checked against the ones that scenario takes,
// with typed, range-checked getters. Each scenario supplies its own
// defaults, so --clients means 100 for throughput and 5000 for latency.
// `webchat-bench report [--markdown] FILE...` takes files besides options.
//

#ifndef WEBCHAT_BENCH_COMMANDLINE_INCLUDED
#define WEBCHAT_BENCH_COMMANDLINE_INCLUDED

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace webchat::bench {

class UsageError: public std::runtime_error
{
public:
	using std::runtime_error::runtime_error;
};

class CommandLine
{
public:
	/// Throws UsageError for an unknown scenario or option, a missing value
	/// or a value given to a flag. "--help" anywhere sets help().
	CommandLine(const std::vector<std::string>& arguments);

	static const std::vector<std::string>& scenarios();
	static std::string usage();

	const std::string& scenario() const { return _scenario; }
	/// `webchat-bench report`: the records' files, in the order given.
	const std::vector<std::string>& files() const { return _files; }
	bool help() const { return _help; }

	bool has(const std::string& name) const { return _values.count(name) != 0; }
	bool flag(const std::string& name) const { return has(name); }

	/// An integer option in [min, max]; the default when absent.
	std::uint64_t integer(const std::string& name, std::uint64_t fallback, std::uint64_t min, std::uint64_t max) const;
	/// A decimal option in [min, max].
	double number(const std::string& name, double fallback, double min, double max) const;
	std::string text(const std::string& name, const std::string& fallback) const;

	/// A comma-separated option ("a,b,c") as its items, or fallback when
	/// absent. Throws UsageError for an empty item ("a,,b", "a,").
	std::vector<std::string> list(const std::string& name, const std::vector<std::string>& fallback) const;

	/// The servers to connect to: --ports 8000,8001 (clients are spread
	/// over them round-robin) or --port N (default 8000), not both. Each in
	/// 1-65535, none twice, at most MaxPorts.
	std::vector<std::uint16_t> ports() const;
	static constexpr std::size_t MaxPorts = 64;

	/// A comma-separated list of whole numbers in [min, max] (--server-pid
	/// 1234,1240); empty when absent.
	std::vector<std::uint64_t> integers(const std::string& name, std::uint64_t min, std::uint64_t max) const;

private:
	std::string _scenario;
	bool _help = false;
	std::map<std::string, std::string> _values;
	std::vector<std::string> _files;
};

} // namespace webchat::bench

#endif
