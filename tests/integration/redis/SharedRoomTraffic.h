//
// SharedRoomTraffic.h
//
// What the tests of rooms shared through Redis (one Redis or a cluster)
// read and send: the messages a client gets (id, nick, text), and a busy
// room, members on several webchatd instances each sending from a thread
// of its own, checked for one order and every message once.
//

#ifndef WEBCHAT_TEST_SHAREDROOMTRAFFIC_INCLUDED
#define WEBCHAT_TEST_SHAREDROOMTRAFFIC_INCLUDED

#include "ChatTestSupport.h"

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace webchat::test::chatroom {

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

// Four members of one room, s0 to s3, on the instances at ports in turn,
// each sending "0", "1", ... from a thread of its own.
class BusyRoom
{
public:
	static constexpr int members = 4;

	BusyRoom(const std::vector<Poco::UInt16>& ports, const std::string& room)
	{
		for (int i = 0; i < members; ++i)
		{
			clients.push_back(std::make_unique<ChatClient>(ports[static_cast<std::size_t>(i) % ports.size()], "/" + room + "?nick=s" + std::to_string(i)));
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
	/// is a new one on every client (nothing came twice). The sequence.
	std::vector<Seen> checkOneOrder(bool delayedAllowed = false)
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
		return received[0];
	}

	std::vector<std::unique_ptr<ChatClient>> clients;

private:
	int _perSender = 0;
	std::vector<std::thread> _senders;
};

} // namespace webchat::test::chatroom

#endif
