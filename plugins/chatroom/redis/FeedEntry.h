//
// FeedEntry.h
//
// One entry of a feed (a room's or the global one, see RedisScripts.h) read back:
// what kind of change it is, in which room, by which instance. Parsed from
// the stream entry's field/value pairs; an entry this version does not know
// is Unknown and skipped, so a newer instance can add kinds.
//

#ifndef WEBCHAT_CHATROOM_FEEDENTRY_INCLUDED
#define WEBCHAT_CHATROOM_FEEDENTRY_INCLUDED

#include "HistoryStore.h"
#include "redis/RespReader.h"

#include <string>
#include <utility>
#include <vector>

namespace webchat::chatroom::redis {

struct FeedEntry
{
	enum class Kind
	{
		Message, // t=m: id, e (epoch), nick, text, ts; from, v (verified: "1") when set
		Join,    // t=j: nick
		Leave,   // t=l: nick
		Rename,  // t=n: nick, to
		Sync,    // t=s: nicks (newline-separated; nicks hold no control characters)
		Delete,  // t=d: id, by (a moderator deleted message id)
		Kick,    // t=k: nick, by, reason
		Topic,   // t=o: text, by (the room's topic changed)
		Moderation, // t=x: bans, mutes or slow mode changed: read them again
		Typing,  // t=y: nick (a notice: never stored in a room)
		Unknown
	};

	Kind kind = Kind::Unknown;
	std::string room;
	std::string instance;
	std::string epoch;
	HistoryStore::Message message; // Message: id, nick, text, ts; presence kinds and Kick: nick; Delete: id; Topic: text
	std::string newNick;
	std::vector<std::string> nicks;
	std::string by;     // Delete, Kick, Topic: the moderator
	std::string reason; // Kick

	/// The entry's field/value pairs in order, as RespReader gives them.
	using Fields = RespReader::Fields;

	/// Unknown when a field the kind needs is missing or malformed. The
	/// entry copies what it keeps of fields.
	static FeedEntry parse(const Fields& fields);
};

} // namespace webchat::chatroom::redis

#endif
