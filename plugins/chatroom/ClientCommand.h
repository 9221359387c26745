//
// ClientCommand.h
//
// What a client's text frame asks for (docs/PROTOCOL.md, Client to server):
//   {"type":"message","text":"..."}   a message
//   {"type":"nick","nick":"..."}      a nick change
//   {"type":"auth","token":"..."}     a signed identity (auth = jwt): the
//                                     first one, or a fresh one
//   {"type":"delete"|"kick"|"mute"|"ban"|"unban"|"slowmode"|"topic",...}
//                                     a moderator's command, its fields
//                                     checked against ModerationLimits
//   {"type":"history","before":<id>,"limit":<n>}
//                                     older messages, for this client only
//   {"type":"typing"}                 the client is typing
//   anything that is not a JSON object ("hello", "\"hello\"", "[1,2]",
//   "{not json") is the text of a message, as is
//   a JSON object without a known type or with fields of the wrong kind is
//   a bad request
// Only frames starting with '{' (after white space) go through the JSON
// parser, so plain-text chat costs no parsing; neither does the common
// {"type":"message","text":"..."} (MessageFrame: any field order, white
// space and escapes; a slice of the frame when nothing is escaped).
//

#ifndef WEBCHAT_CHATROOM_CLIENTCOMMAND_INCLUDED
#define WEBCHAT_CHATROOM_CLIENTCOMMAND_INCLUDED

#include "Poco/JSON/Object.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace webchat::chatroom {

class ClientCommand
{
public:
	enum class Kind
	{
		Message,
		Nick,
		Auth,
		Delete,   // id
		Kick,     // nick, reason
		Mute,     // nick, seconds (0 lifts it)
		Ban,      // nick and/or address, seconds (none: permanent), reason
		Unban,    // nick or address
		Slowmode, // seconds (0: off)
		Topic,    // text (empty: none)
		History,  // before, limit
		Typing,
		BadRequest
	};

	/// A moderator's command, its fields as the client gave them (those
	/// the kind does not use are empty).
	struct ModerationFields
	{
		std::uint64_t id = 0;
		std::string nick;
		std::string address;
		std::string reason;
		std::string text;
		std::optional<std::int64_t> seconds;
	};

	/// A request for older messages: those with ids below before, at most
	/// limit of them (as the client gave it; the server serves at most
	/// MaxHistoryPage).
	struct HistoryRequest
	{
		std::uint64_t before = 0;
		std::size_t limit = 0;
	};

	/// The most messages one history request is answered with; a larger
	/// limit is served as this many, and so is a request without one.
	static constexpr std::size_t MaxHistoryPage = 100;

	/// frame must outlive the command (plain text is not copied).
	static ClientCommand parse(std::string_view frame);

	/// parse() without MessageFrame's fast path: every object through
	/// Poco::JSON. The same command for every frame (tests compare them).
	static ClientCommand parseGeneral(std::string_view frame);

	Kind kind() const { return _kind; }

	/// The message's text, the requested nick or the auth frame's token.
	std::string_view argument() const { return _decoded ? std::string_view(_value) : _frame; }

	/// For a bad request: what was wrong.
	const std::string& problem() const { return _value; }

	/// A moderator's command's fields.
	const ModerationFields& moderation() const { return _moderation; }

	/// A history request's fields.
	const HistoryRequest& history() const { return _history; }

	bool isModeration() const { return _kind >= Kind::Delete && _kind <= Kind::Topic; }

private:
	ClientCommand(Kind kind, std::string_view frame): _kind(kind), _frame(frame) {}
	static ClientCommand decoded(Kind kind, std::string value);
	static ClientCommand moderation(Kind kind, ModerationFields fields);
	static ClientCommand parseModeration(const std::string& type, const Poco::JSON::Object& object);
	static ClientCommand parseHistory(const Poco::JSON::Object& object);

	Kind _kind;
	std::string_view _frame;
	std::string _value;
	bool _decoded = false;
	ModerationFields _moderation;
	HistoryRequest _history;
};

} // namespace webchat::chatroom

#endif
