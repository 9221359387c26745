//
// ChatroomClients.h
//
// The chat-room side of one run (--protocol chatroom): every client joins
// its room under its own nick (one room, or several: client i joins room
// i mod rooms, so the senders, the first clients, spread over them too), counts as connected only once its welcome has
// checked out, and hears the room's JSON events. Messages yield their text
// (the benchmark's payload, checked as for the relay) and their id, which
// must go up by exactly one per message for each client (the room's total
// order), starting right after its welcome's lastId. Presence events are
// counted; the joins of this run's clients tell when the room has settled.
//

#ifndef WEBCHAT_BENCH_CHATROOMCLIENTS_INCLUDED
#define WEBCHAT_BENCH_CHATROOMCLIENTS_INCLUDED

#include "ChatEvent.h"
#include "ClientConnection.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::bench {

struct ChatroomOptions
{
	/// One room, or several (--room a,b,c): client i joins rooms[i % size].
	std::vector<std::string> rooms{"bench"};
	/// With several redis-server processes (a Redis Cluster, --redis-pid
	/// p1,p2,...): which of them (0-based) holds each room, for each one's
	/// CPU per message of its rooms (--room-shards); empty: not known.
	std::vector<std::size_t> roomShards;
	/// Every this many events is also parsed with Poco::JSON and compared
	/// with the fast reading (1: every event, as the smoke run does; 0: none).
	std::size_t auditEvery = 1024;
};

struct ChatroomTotals
{
	std::uint64_t welcomes = 0;
	std::uint64_t messages = 0;
	std::uint64_t joins = 0;
	std::uint64_t leaves = 0;
	std::uint64_t nickChanges = 0;
	std::uint64_t errors = 0;          // error events (before the welcome: refusals)
	std::uint64_t unknown = 0;         // events of a type the protocol does not have
	std::uint64_t malformed = 0;       // not JSON, not an event, a wrong welcome, a binary frame
	std::uint64_t otherLayout = 0;     // valid JSON, but not the server's own layout (read with Poco::JSON)
	std::uint64_t audited = 0;         // also parsed with Poco::JSON
	std::uint64_t auditMismatches = 0; // ...which read something else
	std::uint64_t idGaps = 0;          // a message id more than one above the previous one
	std::uint64_t idRepeats = 0;       // a message id not above the previous one
	std::uint64_t joinsExpected = 0;   // joins of this run's clients owed to those that joined before them
	std::uint64_t joinsSeen = 0;
	std::string firstProblem;

	/// Nothing wrong with the events themselves (missing joins aside).
	bool clean() const
	{
		return errors == 0 && unknown == 0 && malformed == 0 && auditMismatches == 0 && idGaps == 0 && idRepeats == 0;
	}
};

class ChatroomClients
{
public:
	/// The frame a client sends: {"type":"message","text":"<payload>"}.
	/// The payload is hex and letters, so it needs no escaping.
	static constexpr std::string_view MessagePrefix = "{\"type\":\"message\",\"text\":\"";
	static constexpr std::string_view MessageSuffix = "\"}";
	/// A delivered message's JSON beyond its text (id, nick, ts, field
	/// names) and frame header: sizes the closed loop's window.
	static constexpr std::size_t DeliveryOverhead = 96;
	/// The welcome lists every member: allow a big room.
	static constexpr std::size_t MaxEventBytes = 16 * 1024 * 1024;

	/// clients: how many connections this run opens (index 0..clients-1).
	ChatroomClients(ChatroomOptions options, std::size_t clients);

	/// Before connecting: the request target /<room>?nick=<nick>, and the
	/// connection counts as ready only after its welcome.
	void prepare(ClientConnection& connection) const;

	/// b<index>-<pid>-<run>: run counts the runs of this process, so a
	/// client of an earlier run that the server has not removed yet cannot
	/// make a nick taken; pid keeps another bench process's nicks, which the
	/// server keeps for them (nick_reservation_days), out of the way.
	const std::string& nick(std::size_t index) const { return _nicks[index]; }
	std::string requestTarget(std::size_t index) const;

	struct Delivery
	{
		std::string_view text;
		std::string_view nick;
		std::uint64_t id = 0;
	};

	/// One frame that connection received. A message yields its text and
	/// sender (valid until the next call); everything else is handled here:
	/// the welcome (checked; the connection becomes ready, or fails),
	/// presence (counted), errors and anything malformed (counted and kept
	/// for the report).
	std::optional<Delivery> onFrame(ClientConnection& connection, ws::Opcode opcode, std::string_view frame);

	/// Joins of this run's clients still owed to clients [first, last).
	std::uint64_t joinsMissing(std::size_t first, std::size_t last) const;

	/// Counts over the whole run, with the per-client ones (ids, joins)
	/// summed over clients [first, last).
	ChatroomTotals totals(std::size_t first, std::size_t last) const;

	const ChatroomOptions& options() const { return _options; }
	/// The room client index joins, as an index into options().rooms.
	std::size_t roomOf(std::size_t index) const { return index % _options.rooms.size(); }

	/// The room's name in a request target: RFC 3986 unreserved characters
	/// as they are, every other byte percent-encoded.
	static std::string percentEncode(std::string_view text);

private:
	struct Client
	{
		bool welcomed = false;
		std::uint64_t nextId = 0; // the id the next message must have
		std::uint32_t joinsExpected = 0;
		std::uint32_t joinsSeen = 0;
		std::uint32_t idGaps = 0;
		std::uint32_t idRepeats = 0;
	};

	std::string checkWelcome(std::size_t index, const ChatEvent& event) const;
	void welcome(ClientConnection& connection, const ChatEvent& event);
	bool isOurs(std::string_view nick) const;
	void problem(std::uint64_t& counter, const std::string& what);

	ChatroomOptions _options;
	std::string _suffix; // "-<run>"
	std::vector<std::string> _nicks;
	std::vector<Client> _clients;
	std::vector<std::string> _epochs; // per room, the first welcome's: every other must have it too
	ChatEventParser _parser;
	ChatEvent _event;
	std::uint64_t _events = 0;
	ChatroomTotals _totals; // the counts over the whole run
};

} // namespace webchat::bench

#endif
