//
// SharedRoomClients.h
//
// What the tests of rooms shared through Redis have in common: webchatd
// with backend = redis, the messages a client receives, and a busy room of
// four senders on two instances whose every client must see one order.
//

#ifndef WEBCHAT_TEST_SHAREDROOMCLIENTS_INCLUDED
#define WEBCHAT_TEST_SHAREDROOMCLIENTS_INCLUDED

#include "ChatTestSupport.h"

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

struct Seen
{
	Poco::UInt64 id;
	std::string nick;
	std::string text;
	bool operator==(const Seen& other) const { return id == other.id && nick == other.nick && text == other.text; }
};

inline Seen seen(const Object::Ptr& message)
{
	return {message->getValue<Poco::UInt64>("id"), message->getValue<std::string>("nick"), message->getValue<std::string>("text")};
}

// The next count messages (skipping presence events and, when allowed,
// notices that a message waits for Redis).
inline std::vector<Seen> messages(ChatClient& client, std::size_t count, int timeoutMs = 10000, bool delayedAllowed = false)
{
	std::vector<Seen> out;
	while (out.size() < count)
	{
		const auto event = client.next(timeoutMs);
		const std::string type = event->getValue<std::string>("type");
		if (type == "join" || type == "leave") continue;
		if (delayedAllowed && type == "error" && event->getValue<std::string>("code") == "delayed") continue;
		CPPUNIT_ASSERT_EQUAL_MESSAGE(client.lastRaw, std::string("message"), type);
		out.push_back(seen(event));
	}
	return out;
}

// Four members of one room, alternately on two instances, each sending
// "0", "1", ... from a thread of its own.
class BusyRoom
{
public:
	static constexpr int members = 4;

	BusyRoom(const SharedServer& a, const SharedServer& b, const std::string& room)
	{
		for (int i = 0; i < members; ++i)
		{
			clients.push_back(std::make_unique<ChatClient>(i % 2 ? b.port : a.port, "/" + room + "?nick=s" + std::to_string(i)));
			clients.back()->expect("welcome");
		}
		// Every join has reached everyone before the traffic starts.
		for (int i = 0; i < members; ++i)
			for (int joined = i + 1; joined < members; ++joined) clients[i]->expect("join");
	}

	~BusyRoom() { waitForSenders(); }

	void startSending(int perSender, std::chrono::milliseconds pause = std::chrono::milliseconds(0))
	{
		_perSender = perSender;
		for (int i = 0; i < members; ++i)
		{
			_senders.emplace_back([this, i, pause] {
				for (int m = 0; m < _perSender; ++m)
				{
					clients[i]->send(say(std::to_string(m)));
					if (pause.count()) std::this_thread::sleep_for(pause);
				}
			});
		}
	}

	void waitForSenders()
	{
		for (auto& sender : _senders) sender.join();
		_senders.clear();
	}

	/// Every client got every message once: the same sequence everywhere,
	/// ids 1..N, each sender's messages in its order; then the next message
	/// is a new one on every client (nothing came twice).
	void checkOneOrder(bool delayedAllowed = false)
	{
		const std::size_t total = static_cast<std::size_t>(members * _perSender);
		std::vector<std::vector<Seen>> received;
		for (auto& client : clients) received.push_back(messages(*client, total, 20000, delayedAllowed));
		for (const auto& sequence : received)
		{
			CPPUNIT_ASSERT(sequence == received[0]);
			std::map<std::string, int> next;
			for (std::size_t i = 0; i < sequence.size(); ++i)
			{
				CPPUNIT_ASSERT_EQUAL(Poco::UInt64(i + 1), sequence[i].id);
				CPPUNIT_ASSERT_EQUAL(std::to_string(next[sequence[i].nick]++), sequence[i].text);
			}
		}
		clients[members - 1]->send(say("last"));
		const Seen last{total + 1, "s" + std::to_string(members - 1), "last"};
		for (auto& client : clients) CPPUNIT_ASSERT((std::vector<Seen>{last}) == messages(*client, 1, 10000, delayedAllowed));
	}

	std::vector<std::unique_ptr<ChatClient>> clients;

private:
	int _perSender = 0;
	std::vector<std::thread> _senders;
};

} // namespace webchat::test::chatroom

#endif
