#include "redis/Sentinels.h"

#include "redis/RedisLink.h"

#include "Poco/Exception.h"

#include <algorithm>
#include <utility>

namespace webchat::chatroom::redis {

Sentinels::Sentinels(std::vector<std::string> addresses, std::string masterName, Poco::Timespan timeout):
	_addresses(std::move(addresses)),
	_masterName(std::move(masterName)),
	_timeout(timeout)
{
}

std::string Sentinels::masterAddress()
{
	std::string failures;
	for (auto it = _addresses.begin(); it != _addresses.end(); ++it)
	{
		try
		{
			RedisLink sentinel(*it, _timeout);
			const auto reply = sentinel.run(RedisLink::command({"SENTINEL", "get-master-addr-by-name", _masterName}));
			const auto address = RedisLink::array(reply);
			if (address.isNull() || address.size() != 2)
				throw Poco::NotFoundException("does not monitor a master named \"" + _masterName + "\"");
			const auto host = RedisLink::bulk(*address.begin()).value_or("");
			const auto port = RedisLink::bulk(*(address.begin() + 1)).value_or("");
			// An IPv6 master is announced without brackets.
			const std::string master = host.find(':') == std::string::npos ? host + ":" + port : "[" + host + "]:" + port;
			std::rotate(_addresses.begin(), it, it + 1);
			return master;
		}
		catch (const Poco::Exception& exc)
		{
			failures += (failures.empty() ? "" : "; ") + *it + ": " + exc.displayText();
		}
	}
	throw Poco::IOException("no sentinel knows master \"" + _masterName + "\" (" + failures + ")");
}

} // namespace webchat::chatroom::redis
