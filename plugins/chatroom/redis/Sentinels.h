//
// Sentinels.h
//
// Where the Redis master is when Redis Sentinel watches it (redis_mode =
// sentinel): the sentinels are asked in turn, as Sentinel's client guide
// describes, for the address of the master they monitor under a name
// (SENTINEL get-master-addr-by-name); the first that answers is asked first
// the next time. A link that reaches that address then checks with ROLE that
// it is really talking to the master (a sentinel may answer before it has
// reconfigured a demoted master), and asks again after any failure or a
// READONLY refusal, so a failover is followed within the reply timeout of
// the next attempt and the sentinels' own failover time.
//
// A copy per RedisLink: each role of RedisRooms asks on its own thread.
//

#ifndef WEBCHAT_CHATROOM_SENTINELS_INCLUDED
#define WEBCHAT_CHATROOM_SENTINELS_INCLUDED

#include "Poco/Timespan.h"

#include <string>
#include <vector>

namespace webchat::chatroom::redis {

class Sentinels
{
public:
	/// addresses: host:port of each sentinel (at least one).
	Sentinels(std::vector<std::string> addresses, std::string masterName, Poco::Timespan timeout);

	/// The master's host:port, from the first sentinel that knows it.
	/// Throws Poco::IOException naming each sentinel's failure when none
	/// does.
	std::string masterAddress();

	const std::string& masterName() const { return _masterName; }
	const std::vector<std::string>& addresses() const { return _addresses; }

private:
	std::vector<std::string> _addresses; // the one that answered last first
	const std::string _masterName;
	const Poco::Timespan _timeout;
};

} // namespace webchat::chatroom::redis

#endif
