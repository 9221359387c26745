//
// ClusterLink.h
//
// A Link to a Redis Cluster (redis_mode = cluster): the slot map (CLUSTER
// SLOTS, asked of any node it knows: the masters of the last map first, then
// the seed nodes of redis_address), one connection per master, each command
// sent to the master of its key's slot (KeySlot.h). Which word is the key
// follows from the command (commandSlot()): the word after the name, an
// EVAL's first key, an XREAD's first stream; MULTI and EXEC go with the
// commands they enclose; SCRIPT goes to every master.
//
// Redirections and failovers:
//   - -MOVED: the slot has another master; the command goes there and the
//     map is read again. -ASK (a slot migrating): the command goes to the
//     node named, after ASKING, and the map stays.
//   - -TRYAGAIN, -CLUSTERDOWN, or a master that cannot be connected to
//     (killed: its replica is being promoted): the map is read again and
//     the command sent again after a short pause, for up to the reply
//     timeout; past it the call throws Poco::TimeoutException. None of
//     these ran the command, so sending it again runs it once.
//   - a node that fails to connect or answer is asked for the map last
//     until it answers one again: a silent node (stopped, cut off) costs
//     a timeout once, not at every map read.
//   - a connection that fails after the command left (sent, no reply read)
//     throws, as RedisLink does: whether Redis ran it is unknown, and the
//     caller decides as with one Redis (the writer sends its unanswered
//     changes again: posts are taken once by their sequence number).
//   - a transaction (MULTI ... EXEC) is all or nothing: when one of its
//     commands is redirected or refused as above, Redis aborts it
//     (EXECABORT, or the redirection as EXEC's reply) and ran none of it, so
//     the whole transaction goes again, to one node.
// A pipeline's commands are grouped by node, every node's part is sent
// before any reply is read, and the replies come back in the commands'
// order. Commands of one slot keep their order (one node, one connection).
//
// XREADs (readStreams()) go on connections of their own, one per node: the
// visitor may run commands (a gap filled from a room's log) while another
// node's replies are still unread.
//

#ifndef WEBCHAT_CHATROOM_CLUSTERLINK_INCLUDED
#define WEBCHAT_CHATROOM_CLUSTERLINK_INCLUDED

#include "redis/Link.h"
#include "redis/RedisLink.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace webchat::chatroom::redis {

class ClusterLink: public Link
{
public:
	/// seeds: host:port of nodes to ask for the map (any node of the
	/// cluster will do).
	ClusterLink(std::vector<std::string> seeds, Poco::Timespan timeout, RedisLink::Credentials credentials = {});

	// Link (see there). connected(): a map is known.
	using Link::readStreams;
	void ensureConnected() override;
	bool connected() const override { return !_slots.empty(); }
	void disconnect() override;
	std::vector<Reply> pipeline(const std::vector<Command>& commands) override;
	std::size_t readStreams(const std::vector<Command>& reads, const RespReader::EntryVisitor& visit) override;
	void setTimeout(Poco::Timespan timeout) override;

	/// The slot command is routed by; none for a command without a key.
	static std::optional<std::uint16_t> commandSlot(const Command& command);

	/// The master serving slot as the map has it ("" before a map).
	std::string masterOf(std::uint16_t slot) const;
	/// The map's masters (host:port), in the order the map listed them,
	/// which is the order they are asked for the next map (failed ones last).
	const std::vector<std::string>& masters() const { return _masters; }

private:
	struct Node
	{
		std::unique_ptr<RedisLink> commands;
		std::unique_ptr<RedisLink> reads; // XREADs only (readStreams)
	};
	// A command in flight: where it goes and how.
	struct Routed
	{
		std::size_t index; // in the caller's pipeline
		std::string node;
		bool asking = false;
	};

	/// After a round: a transaction with any command in again goes again
	/// whole (its replies so far dropped), to one node; again ends in the
	/// pipeline's order.
	static void retryTransactionsWhole(std::vector<Routed>& again, const std::vector<std::optional<std::size_t>>& openedBy,
		std::vector<Reply>& replies);
	void refreshMap();
	bool readMapFrom(const std::string& address);
	Node& node(const std::string& address);
	const std::string& route(std::uint16_t slot);
	void pause(std::chrono::steady_clock::time_point deadline);

	const std::vector<std::string> _seeds;
	Poco::Timespan _timeout;
	const RedisLink::Credentials _credentials;
	std::vector<std::string> _masters;   // the map's masters, by index
	std::vector<std::uint16_t> _slots;   // slot -> index in _masters (NoMaster: none); empty: no map
	std::map<std::string, Node> _nodes;  // by address: the connections made so far
	// When each node last failed to connect or answer (none: never, or it
	// answered a map read since): refreshMap() asks it last.
	std::map<std::string, std::chrono::steady_clock::time_point> _failedAt;
};

} // namespace webchat::chatroom::redis

#endif
