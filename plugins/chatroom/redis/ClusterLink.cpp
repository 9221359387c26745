#include "redis/ClusterLink.h"

#include "redis/KeySlot.h"

#include "Poco/Exception.h"
#include "Poco/NumberParser.h"
#include "Poco/Redis/Exception.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace webchat::chatroom::redis {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::uint16_t NoMaster = 0xFFFF;
// Between two attempts at a slot whose master is being replaced.
constexpr auto RetryPause = std::chrono::milliseconds(100);

// word is name, in any case (Redis's command names are ASCII).
bool named(std::string_view word, std::string_view name)
{
	return word.size() == name.size()
		&& std::equal(word.begin(), word.end(), name.begin(), [](char a, char b) { return (a & ~0x20) == (b & ~0x20); });
}

bool isRedirect(const std::string& code)
{
	return code == "MOVED" || code == "ASK";
}

bool isTransientClusterError(const std::string& code)
{
	return code == "TRYAGAIN" || code == "CLUSTERDOWN";
}

// "MOVED 3999 127.0.0.1:6381": the node's address.
std::string redirectTarget(const std::string& text)
{
	const auto last = text.rfind(' ');
	return last == std::string::npos ? std::string() : text.substr(last + 1);
}

} // namespace

ClusterLink::ClusterLink(std::vector<std::string> seeds, Poco::Timespan timeout, RedisLink::Credentials credentials):
	_seeds(std::move(seeds)),
	_timeout(timeout),
	_credentials(std::move(credentials))
{
}

std::optional<std::uint16_t> ClusterLink::commandSlot(const Command& command)
{
	if (command.size() == 0) return std::nullopt;
	const std::string_view name = command.word(0);
	if (named(name, "EVAL") || named(name, "EVALSHA"))
	{
		// EVAL script numkeys key...: the first key.
		if (command.size() < 4 || command.word(2) == "0") return std::nullopt;
		return keySlot(command.word(3));
	}
	if (named(name, "XREAD"))
	{
		for (std::size_t i = 1; i + 1 < command.size(); ++i)
			if (named(command.word(i), "STREAMS")) return keySlot(command.word(i + 1));
		return std::nullopt;
	}
	if (named(name, "MULTI") || named(name, "EXEC") || named(name, "DISCARD") || named(name, "SCRIPT") || named(name, "PING")
		|| named(name, "CLUSTER") || named(name, "ASKING") || command.size() < 2)
		return std::nullopt;
	return keySlot(command.word(1));
}

std::string ClusterLink::masterOf(std::uint16_t slot) const
{
	if (_slots.empty() || _slots[slot] == NoMaster) return {};
	return _masters[_slots[slot]];
}

void ClusterLink::setTimeout(Poco::Timespan timeout)
{
	_timeout = timeout;
	for (auto& [address, node] : _nodes)
	{
		node.commands->setTimeout(timeout);
		node.reads->setTimeout(timeout);
	}
}

ClusterLink::Node& ClusterLink::node(const std::string& address)
{
	auto it = _nodes.find(address);
	if (it == _nodes.end())
	{
		Node made{std::make_unique<RedisLink>(address, _timeout, _credentials), std::make_unique<RedisLink>(address, _timeout, _credentials)};
		it = _nodes.emplace(address, std::move(made)).first;
	}
	return it->second;
}

void ClusterLink::ensureConnected()
{
	if (_slots.empty()) refreshMap();
}

void ClusterLink::disconnect()
{
	for (auto& [address, node] : _nodes)
	{
		node.commands->disconnect();
		node.reads->disconnect();
	}
	_slots.clear();
}

void ClusterLink::refreshMap()
{
	// The masters of the last map first (a seed node may be one that went),
	// but a node that failed goes last, the longest-failed first: one that
	// does not answer at all (stopped, cut off) costs a whole timeout, which
	// the map read must not pay again each time while the node is gone.
	std::vector<std::string> candidates = _masters;
	for (const auto& seed : _seeds)
		if (std::find(candidates.begin(), candidates.end(), seed) == candidates.end()) candidates.push_back(seed);
	const auto failedAt = [this](const std::string& address) {
		const auto found = _failedAt.find(address);
		return found == _failedAt.end() ? Clock::time_point::min() : found->second;
	};
	std::stable_sort(candidates.begin(), candidates.end(),
		[&](const std::string& a, const std::string& b) { return failedAt(a) < failedAt(b); });
	std::string why = "no seed node";
	for (const auto& address : candidates)
	{
		try
		{
			if (readMapFrom(address))
			{
				_failedAt.erase(address);
				return;
			}
			why = address + " serves no slot";
		}
		catch (const Poco::Exception& exc)
		{
			_failedAt[address] = Clock::now();
			why = address + ": " + exc.displayText();
		}
	}
	throw Poco::IOException("Redis Cluster: no node gives the slot map (" + why + ")");
}

bool ClusterLink::readMapFrom(const std::string& address)
{
	RedisLink& link = *node(address).commands;
	const Poco::Redis::Array ranges = RedisLink::array(link.run(command({"CLUSTER", "SLOTS"})));
	if (ranges.isNull() || ranges.size() == 0) return false;
	std::vector<std::string> masters;
	std::vector<std::uint16_t> slots(SlotCount, NoMaster);
	for (auto range = ranges.begin(); range != ranges.end(); ++range)
	{
		// [first slot, last slot, [ip, port, id, ...] of the master, replicas...]
		const Poco::Redis::Array entry = RedisLink::array(*range);
		if (entry.isNull() || entry.size() < 3) continue;
		const auto first = RedisLink::integer(*entry.begin());
		const auto last = RedisLink::integer(*(entry.begin() + 1));
		const Poco::Redis::Array master = RedisLink::array(*(entry.begin() + 2));
		if (master.isNull() || master.size() < 2 || first < 0 || last >= SlotCount || first > last) continue;
		std::string host = RedisLink::bulk(*master.begin()).value_or("");
		// An empty or "?" host: the node asked, as we reached it.
		if (host.empty() || host == "?") host = address.substr(0, address.rfind(':'));
		const std::string at = host + ":" + std::to_string(RedisLink::integer(*(master.begin() + 1)));
		auto known = std::find(masters.begin(), masters.end(), at);
		if (known == masters.end()) known = masters.insert(masters.end(), at);
		std::fill(slots.begin() + first, slots.begin() + last + 1, static_cast<std::uint16_t>(known - masters.begin()));
	}
	if (masters.empty()) return false;
	_masters = std::move(masters);
	_slots = std::move(slots);
	return true;
}

const std::string& ClusterLink::route(std::uint16_t slot)
{
	// A slot no master serves (a failover under way): the first master,
	// whose -MOVED or -CLUSTERDOWN leads on.
	const std::uint16_t master = _slots[slot];
	return _masters[master == NoMaster ? 0 : master];
}

void ClusterLink::pause(Clock::time_point deadline)
{
	const auto now = Clock::now();
	if (now < deadline) std::this_thread::sleep_for(std::min<Clock::duration>(RetryPause, deadline - now));
}

std::vector<Link::Reply> ClusterLink::pipeline(const std::vector<Command>& commands)
{
	ensureConnected();
	const auto deadline = Clock::now() + std::chrono::microseconds(_timeout.totalMicroseconds());
	std::vector<std::optional<std::uint16_t>> slots;
	slots.reserve(commands.size());
	for (const auto& command : commands) slots.push_back(commandSlot(command));
	// A command without a key goes with its neighbours: MULTI with the
	// next command that has one, EXEC and the rest with the previous.
	for (std::size_t i = 0; i < commands.size(); ++i)
	{
		if (slots[i]) continue;
		const bool opens = named(commands[i].word(0), "MULTI");
		for (std::size_t j = i + 1; opens && j < commands.size() && !slots[i]; ++j) slots[i] = slots[j];
		for (std::size_t j = i; !slots[i] && j-- > 0;) slots[i] = slots[j];
		for (std::size_t j = i + 1; !slots[i] && j < commands.size(); ++j) slots[i] = slots[j];
	}
	// The transactions: each enclosed command's MULTI (MULTI and EXEC included).
	std::vector<std::optional<std::size_t>> openedBy(commands.size());
	std::optional<std::size_t> open;
	for (std::size_t i = 0; i < commands.size(); ++i)
	{
		if (named(commands[i].word(0), "MULTI")) open = i;
		openedBy[i] = open;
		if (named(commands[i].word(0), "EXEC") || named(commands[i].word(0), "DISCARD")) open.reset();
	}
	std::vector<Routed> pending;
	for (std::size_t i = 0; i < commands.size(); ++i)
	{
		if (named(commands[i].word(0), "SCRIPT"))
		{
			// The script cache is each node's own.
			for (const auto& master : _masters) pending.push_back({i, master});
			continue;
		}
		pending.push_back({i, slots[i] ? route(*slots[i]) : _masters.front()});
	}

	std::vector<Reply> replies(commands.size());
	try
	{
		for (;;)
		{
			// Each node's part in the pipeline's order, then every part sent
			// before any reply is read.
			std::map<std::string, std::vector<const Routed*>> parts;
			for (const auto& routed : pending) parts[routed.node].push_back(&routed);
			std::vector<Routed> again;
			bool readMap = false;
			bool wait = false;
			std::vector<std::pair<const std::string*, const std::vector<const Routed*>*>> sent;
			for (const auto& [address, part] : parts)
			{
				RedisLink& link = *node(address).commands;
				try
				{
					link.ensureConnected();
				}
				catch (const Poco::Exception&)
				{
					// Nothing sent: its slots' new master (a replica being
					// promoted) takes them once the map names it.
					_failedAt[address] = Clock::now();
					for (const Routed* routed : part) again.push_back({routed->index, "", false});
					readMap = wait = true;
					continue;
				}
				std::vector<Command> out;
				out.reserve(part.size());
				for (const Routed* routed : part)
				{
					if (routed->asking) out.push_back(command({"ASKING"}));
					out.push_back(commands[routed->index]);
				}
				link.sendOnly(out);
				sent.emplace_back(&address, &part);
			}
			for (const auto& [address, part] : sent)
			{
				RedisLink* link = node(*address).commands.get();
				std::size_t count = 0;
				for (const Routed* routed : *part) count += routed->asking ? 2 : 1;
				std::vector<Reply> got;
				try
				{
					got = link->readReplies(count);
				}
				catch (const Poco::Exception&)
				{
					_failedAt[*address] = Clock::now();
					throw;
				}
				std::size_t at = 0;
				for (const Routed* routed : *part)
				{
					if (routed->asking) ++at; // ASKING's +OK
					const Reply& reply = got[at++];
					const std::string code = RedisLink::isError(reply) ? RedisLink::errorCode(reply) : std::string();
					if (isRedirect(code))
					{
						again.push_back({routed->index, redirectTarget(RedisLink::errorText(reply)), code == "ASK"});
						readMap = readMap || code == "MOVED";
						continue;
					}
					if (isTransientClusterError(code))
					{
						again.push_back({routed->index, "", false});
						readMap = wait = true;
						continue;
					}
					// A SCRIPT sent to every master: its error, if any, stands.
					if (!replies[routed->index] || RedisLink::isError(reply)) replies[routed->index] = reply;
				}
			}
			if (again.empty()) return replies;
			retryTransactionsWhole(again, openedBy, replies);
			if (Clock::now() >= deadline)
				throw Poco::TimeoutException("Redis Cluster: a slot found no master within redis_timeout_ms");
			if (wait) pause(deadline);
			if (readMap)
			{
				try
				{
					refreshMap();
				}
				catch (const Poco::Exception&)
				{
					// Keep the map we have; the next round tries again.
				}
			}
			// Those without a node named (-MOVED, -ASK name one) go where the
			// map now says; a SCRIPT to every master again (loading a script
			// twice is harmless).
			pending.clear();
			for (auto& routed : again)
			{
				if (!routed.node.empty())
					pending.push_back(std::move(routed));
				else if (named(commands[routed.index].word(0), "SCRIPT"))
					for (const auto& master : _masters) pending.push_back({routed.index, master});
				else
					pending.push_back({routed.index, slots[routed.index] ? route(*slots[routed.index]) : _masters.front()});
			}
		}
	}
	catch (...)
	{
		// A node's replies may be left unread: every connection starts afresh.
		disconnect();
		throw;
	}
}

void ClusterLink::retryTransactionsWhole(std::vector<Routed>& again, const std::vector<std::optional<std::size_t>>& openedBy,
	std::vector<Reply>& replies)
{
	// Where each transaction goes next, by its MULTI's index: the node a
	// -MOVED or -ASK named (ASKING then goes before MULTI alone: Redis keeps
	// the flag for the whole transaction, and an ASKING inside it would be
	// queued), else where the map says.
	std::map<std::size_t, Routed> transactions;
	std::vector<Routed> retried;
	for (auto& routed : again)
	{
		const auto multi = openedBy[routed.index];
		if (!multi)
		{
			retried.push_back(std::move(routed));
			continue;
		}
		Routed& where = transactions.try_emplace(*multi, Routed{*multi, "", false}).first->second;
		if (!routed.node.empty())
		{
			where.node = routed.node;
			where.asking = routed.asking;
		}
	}
	for (const auto& [multi, where] : transactions)
	{
		for (std::size_t i = multi; i < openedBy.size() && openedBy[i] == multi; ++i)
		{
			replies[i] = Reply();
			retried.push_back({i, where.node, i == multi && where.asking});
		}
	}
	// In the pipeline's order again: the commands of a slot keep theirs.
	std::stable_sort(retried.begin(), retried.end(), [](const Routed& a, const Routed& b) { return a.index < b.index; });
	again = std::move(retried);
}

std::size_t ClusterLink::readStreams(const std::vector<Command>& reads, const RespReader::EntryVisitor& visit)
{
	ensureConnected();
	std::map<std::string, std::vector<Command>> parts;
	for (const auto& read : reads)
	{
		const auto slot = commandSlot(read);
		parts[slot ? route(*slot) : _masters.front()].push_back(read);
	}
	std::size_t entries = 0;
	try
	{
		for (const auto& [address, part] : parts) node(address).reads->sendOnly(part);
		for (const auto& [address, part] : parts)
		{
			RedisLink& link = *node(address).reads;
			for (std::size_t i = 0; i < part.size(); ++i) entries += link.readStreamsReply(visit);
		}
	}
	catch (...)
	{
		// -MOVED, a node gone...: the caller reconnects, which reads the map
		// again; the feeds' positions are its own, nothing is missed.
		disconnect();
		throw;
	}
	return entries;
}

} // namespace webchat::chatroom::redis
