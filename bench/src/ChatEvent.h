//
// ChatEvent.h
//
// The chat room's server-to-client events (docs/PROTOCOL.md), read by the
// benchmark. Every delivery is parsed, so the common case must be cheap: the
// server writes each event with a fixed field order, and the parser reads
// exactly that layout in place (words and 16-byte blocks where it can),
// without allocating. Anything else (escaped strings, another field order,
// spaces) goes to Poco::JSON, which decodes valid JSON in any layout and
// refuses the rest: nothing that is not JSON is ever accepted. audit() parses an event with Poco::JSON as
// well and compares, to catch the fast path itself getting something wrong.
//

#ifndef WEBCHAT_BENCH_CHATEVENT_INCLUDED
#define WEBCHAT_BENCH_CHATEVENT_INCLUDED

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::bench {

struct ChatEvent
{
	enum class Type { Welcome, Message, Join, Leave, Nick, Error, Unknown };

	Type type = Type::Unknown;
	std::string_view typeName;              // as sent, for an Unknown type
	std::uint64_t id = 0;                   // message
	std::uint64_t ts = 0;                   // message, join, leave, nick
	std::string_view nick;                  // message: its sender; join, leave; nick: the new one; welcome: one's own
	std::string_view text;                  // message; error: its message
	std::string_view oldNick;               // nick
	std::string_view code;                  // error
	std::string_view room;                  // welcome
	std::vector<std::string_view> users;    // welcome
	std::vector<std::uint64_t> historyIds;  // welcome: the ids of its history, in order
	std::uint64_t lastId = 0;               // welcome
	std::string_view epoch;                 // welcome (empty when absent)
	bool hasGap = false;                    // welcome: "gap" was present...
	std::uint64_t gapFrom = 0, gapTo = 0;   // ...with these ids
	bool reset = false;                     // welcome

	/// Back to a default event, keeping the vectors' capacity.
	void clear();
	static const char* typeNameOf(Type type);
};

class ChatEventParser
{
public:
	enum class Result
	{
		Fast,      // the server's own layout, read in place
		Slow,      // valid JSON in another layout, decoded by Poco::JSON
		Malformed  // not JSON, or not an event of the protocol's shape (see problem())
	};

	/// Parses one text frame. The fields of the event's type are set (the
	/// others may keep older values); its strings point into json or into
	/// this parser, and stay valid until the next parse().
	Result parse(std::string_view json, ChatEvent& event);

	/// Parses json with Poco::JSON and compares the result with event (as
	/// parse() left it). Empty when they agree, otherwise what differs.
	std::string audit(std::string_view json, const ChatEvent& event);

	/// Why the last parse() returned Malformed.
	const std::string& problem() const { return _problem; }

	/// The layout parse() reads without Poco::JSON (tests use it to tell
	/// the two paths apart).
	static bool parseFast(std::string_view json, ChatEvent& event);

private:
	// Strings decoded by Poco::JSON, for the events' views: a deque, so
	// adding one never moves the others.
	std::deque<std::string> _storage;
	std::deque<std::string> _auditStorage;
	ChatEvent _audited;
	std::string _problem;
};

} // namespace webchat::bench

#endif
