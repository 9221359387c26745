//
// SharedRoomClients.h
//
// webchatd with backend = redis, as the tests of rooms shared through one
// Redis (or the master Sentinel names) start it; what their clients read
// and send is in SharedRoomTraffic.h.
//

#ifndef WEBCHAT_TEST_SHAREDROOMCLIENTS_INCLUDED
#define WEBCHAT_TEST_SHAREDROOMCLIENTS_INCLUDED

#include "ChatTestSupport.h"
#include "SharedRoomTraffic.h"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace webchat::test::chatroom {

// webchatd with a chat-room listener sharing its rooms through redis.
class SharedServer: public ChatServer
{
public:
	/// The keys that say which Redis (redis_mode, redis_sentinels...).
	struct RedisKeys
	{
		std::string text;
	};

	SharedServer(const std::string& redisAddress, const std::string& extraKeys = ""):
		SharedServer(RedisKeys{"redis_address = " + redisAddress + "\n" + extraKeys})
	{
	}

	explicit SharedServer(const RedisKeys& keys):
		ChatServer("backend = redis\nredis_presence_ttl_ms = 1500\nredis_timeout_ms = 1000\n" + keys.text)
	{
	}

	/// Waits until the server's output holds text.
	void waitForOutput(const std::string& text, int timeoutMs = 10000)
	{
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
		while (process->output().find(text) == std::string::npos)
		{
			if (std::chrono::steady_clock::now() > deadline) CPPUNIT_FAIL("no \"" + text + "\" in the output: " + process->output());
			std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
	}
};

} // namespace webchat::test::chatroom

#endif
