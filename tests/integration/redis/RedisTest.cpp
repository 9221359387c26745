//
// Rooms shared by two real webchatd instances through a real redis-server
// (backend = redis): members of either instance share messages (every one
// once, in one order, ids +1 per room), presence (a nick is unique across
// instances; a crashed instance's members leave) and history (since=
// resumes on the other instance). Redis killed mid-run: each instance keeps
// its clients, queues their messages and, once Redis is back, delivers them
// once, in order, on both instances.
//

#include "ChatTestSupport.h"
#include "HttpGet.h"
#include "RedisServer.h"
#include "SharedRoomClients.h"

#include "Poco/FileStream.h"

#include <algorithm>
#include <csignal>
#include <map>
#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

// A chat-room server on Redis with a status listener beside it, whose
// /metrics tells how many messages it read from Redis.
class MeteredServer
{
public:
	MeteredServer(const std::string& redisAddress, const std::string& extraKeys):
		chatPort(freeLoopbackPort()),
		statusPort(freeLoopbackPort()),
		_process({"--config=" + writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(chatPort) + "\nplugin = chatroom\nclass = ChatroomPlugin\n"
			"backend = redis\nredis_address = " + redisAddress + "\nredis_timeout_ms = 1000\nleave_grace_ms = 0\nnick_reservation_days = 0\n" + extraKeys +
			"[listeners.status]\naddress = 127.0.0.1\nport = " + std::to_string(statusPort) + "\nplugin = status\nclass = StatusPlugin\n")})
	{
		CPPUNIT_ASSERT_MESSAGE(_process.output(), _process.waitForPort(chatPort) && _process.waitForPort(statusPort));
	}

	/// webchat_redis_messages_received_total now.
	unsigned long long messagesReceived() const { return metric("webchat_redis_messages_received_total"); }

	/// The chat listener's series name in /metrics now.
	unsigned long long metric(const std::string& name) const
	{
		const std::string series = name + "{listener=\"chat\"} ";
		const std::string body = httpGet(statusPort, "/metrics").body;
		const auto at = body.find("\n" + series);
		CPPUNIT_ASSERT_MESSAGE(body, at != std::string::npos);
		return std::stoull(body.substr(at + 1 + series.size()));
	}

	const Poco::UInt16 chatPort;
	const Poco::UInt16 statusPort;

private:
	ServerProcess _process;
};

} // namespace

class RedisTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RedisTest);
	CPPUNIT_TEST(testRoomsAreShared);
	CPPUNIT_TEST(testOneOrderUnderConcurrentSenders);
	CPPUNIT_TEST(testAnyTextCrossesIntact);
	CPPUNIT_TEST(testResumeOnTheOtherInstance);
	CPPUNIT_TEST(testNickIsUniqueAcrossInstances);
	CPPUNIT_TEST(testSpellingsOfANickAndARoomAreOneAcrossInstances);
	CPPUNIT_TEST(testRedisKilledAndRestarted);
	CPPUNIT_TEST(testLostRoomGoesOnFromWhatWasSeen);
	CPPUNIT_TEST(testLostRoomStartedAfreshElsewhereResets);
	CPPUNIT_TEST(testQueueIsBounded);
	CPPUNIT_TEST(testRedisRefusingWritesLosesNothing);
	CPPUNIT_TEST(testMetricsShowTheLink);
	CPPUNIT_TEST(testOnlyTheRoomsHostedHereAreRead);
	CPPUNIT_TEST(testRoomsOfBeforeTheHashTagsAreKept);
	CPPUNIT_TEST(testAnEmptiedRoomStopsBeingRead);
	CPPUNIT_TEST(testARoomLoadedLaterIsReadAtOnce);
	CPPUNIT_TEST(testRedisRestartsUnderTraffic);
	CPPUNIT_TEST(testMembersOfAStoppedInstanceLeave);
	CPPUNIT_TEST(testLiveReloadKeepsOneRoom);
	CPPUNIT_TEST(testRedisDownAtStart);
	CPPUNIT_TEST(testRedisWithAPassword);
	CPPUNIT_TEST(testBadRedisSettings);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRoomsAreShared()
	{
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		ChatClient an(a.port, "/lobby?nick=An");
		const auto welcomeAn = an.expect("welcome");
		CPPUNIT_ASSERT((std::vector<std::string>{"An"}) == strings(welcomeAn->getArray("users")));
		ChatClient binh(b.port, "/lobby?nick=B%C3%ACnh");
		const auto welcomeBinh = binh.expect("welcome");
		// One room: members of both instances, one epoch.
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Bình"}) == strings(welcomeBinh->getArray("users")));
		CPPUNIT_ASSERT_EQUAL(welcomeAn->getValue<std::string>("epoch"), welcomeBinh->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), an.expect("join")->getValue<std::string>("nick"));

		an.send(say("một"));
		binh.send(say("hai"));
		an.send("ba");
		const auto atA = messages(an, 3), atB = messages(binh, 3);
		CPPUNIT_ASSERT(atA == atB);
		for (std::size_t i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(Poco::UInt64(i + 1), atA[i].id);
		const auto first = std::find_if(atA.begin(), atA.end(), [](const Seen& s) { return s.text == "một"; });
		const auto third = std::find_if(atA.begin(), atA.end(), [](const Seen& s) { return s.text == "ba"; });
		CPPUNIT_ASSERT(first < third && third != atA.end());
		CPPUNIT_ASSERT(std::any_of(atA.begin(), atA.end(), [](const Seen& s) { return s.nick == "Bình" && s.text == "hai"; }));

		// A third member, on A, sees both and the history.
		ChatClient chi(a.port, "/lobby?nick=Chi");
		const auto welcomeChi = chi.expect("welcome");
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Bình", "Chi"}) == strings(welcomeChi->getArray("users")));
		CPPUNIT_ASSERT(range(1, 3) == historyIds(welcomeChi));
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), binh.expect("join")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), an.expect("join")->getValue<std::string>("nick"));

		binh.leave();
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), an.expect("leave")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), chi.expect("leave")->getValue<std::string>("nick"));
	}

	void testOneOrderUnderConcurrentSenders()
	{
		RedisServer redis;
		const std::string fast = "rate_per_second = 100000\nrate_burst = 100000\n";
		SharedServer a(redis.address(), fast), b(redis.address(), fast);
		BusyRoom room({a.port, b.port}, "busy");
		room.startSending(250);
		room.waitForSenders();
		room.checkOneOrder();
	}

	void testAnyTextCrossesIntact()
	{
		// Redis's own framing, NULs, line breaks, long texts: through the
		// scripts, the log and the feed byte for byte.
		RedisServer redis;
		SharedServer a(redis.address(), "max_text_bytes = 100000\n"), b(redis.address());
		ChatClient an(a.port, "/r?nick=An");
		an.expect("welcome");
		ChatClient binh(b.port, "/r?nick=Binh");
		binh.expect("welcome");
		an.expect("join");
		std::string long_;
		for (int i = 0; long_.size() < 20000; ++i) long_ += "dòng " + std::to_string(i) + "\r\n";
		const std::vector<std::string> texts = {"*3\r\n$3\r\nSET\r\n", std::string("nul\0inside", 11), long_, "-ERR not an error", ":42", "ok"};
		for (const auto& text : texts) an.send(say(text));
		for (auto* client : {&an, &binh})
		{
			const auto got = messages(*client, texts.size());
			for (std::size_t i = 0; i < texts.size(); ++i)
			{
				CPPUNIT_ASSERT_EQUAL(Poco::UInt64(i + 1), got[i].id);
				CPPUNIT_ASSERT(texts[i] == got[i].text);
			}
		}
		// And from the log, on the other instance.
		ChatClient chi(b.port, "/r?nick=Chi");
		const auto history = chi.expect("welcome")->getArray("history");
		CPPUNIT_ASSERT_EQUAL(std::size_t(texts.size()), std::size_t(history->size()));
		for (unsigned i = 0; i < history->size(); ++i) CPPUNIT_ASSERT(texts[i] == history->getObject(i)->getValue<std::string>("text"));
	}

	void testResumeOnTheOtherInstance()
	{
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		std::string epoch;
		{
			ChatClient an(a.port, "/r?nick=An");
			epoch = an.expect("welcome")->getValue<std::string>("epoch");
			chat(an, 5, 1);
			an.leave();
		}
		ChatClient binh(a.port, "/r?nick=Binh");
		binh.expect("welcome");
		chat(binh, 3, 6);
		// An comes back through B with what it had seen.
		ChatClient an(b.port, "/r?nick=An&since=5&epoch=" + epoch);
		const auto welcome = an.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(epoch, welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT(range(6, 8) == historyIds(welcome));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(8), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(!welcome->has("gap") && !welcome->has("reset"));
	}

	void testNickIsUniqueAcrossInstances()
	{
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		auto an = std::make_unique<ChatClient>(a.port, "/r?nick=An");
		an->expect("welcome");
		ChatClient twin(b.port, "/r?nick=An");
		twin.expectRefusal("nick_taken", 4409);

		// A rename to a nick held on the other instance is refused too.
		ChatClient binh(b.port, "/r?nick=Binh");
		binh.expect("welcome");
		binh.send(nickChange("An"));
		CPPUNIT_ASSERT_EQUAL(std::string("nick_taken"), binh.expect("error")->getValue<std::string>("code"));

		// Free again once An left (its leave reaches Redis shortly after).
		an->leave();
		an.reset();
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
		for (;;)
		{
			ChatClient again(b.port, "/r?nick=An");
			const auto event = again.next();
			if (event->getValue<std::string>("type") == "welcome") break;
			CPPUNIT_ASSERT_EQUAL(std::string("nick_taken"), event->getValue<std::string>("code"));
			CPPUNIT_ASSERT(std::chrono::steady_clock::now() < deadline);
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		}
	}

	void testSpellingsOfANickAndARoomAreOneAcrossInstances()
	{
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		ChatClient alice(a.port, "/lobby?nick=alice");
		alice.expect("welcome");
		// ALICE and ａｌｉｃｅ on the other instance, in the room spelt
		// another way, are alice in lobby.
		for (const char* other : {"/LOBBY?nick=ALICE", "/Lobby?nick=%EF%BD%81%EF%BD%8C%EF%BD%89%EF%BD%83%EF%BD%85"})
		{
			ChatClient impostor(b.port, other);
			impostor.expectRefusal("nick_taken", 4409);
		}
		ChatClient bob(b.port, "/Lobby?nick=bob");
		const auto welcome = bob.expect("welcome");
		// Shown on B as the first join there spelt it, refused or not.
		CPPUNIT_ASSERT_EQUAL(std::string("LOBBY"), welcome->getValue<std::string>("room"));
		CPPUNIT_ASSERT((std::vector<std::string>{"alice", "bob"}) == strings(welcome->getArray("users")));
		CPPUNIT_ASSERT_EQUAL(std::string("bob"), alice.expect("join")->getValue<std::string>("nick"));

		// Her own nick spelt another way: shown so on both instances.
		alice.send(nickChange("Alice"));
		for (auto* client : {&alice, &bob})
		{
			const auto event = client->expect("nick");
			CPPUNIT_ASSERT_EQUAL(std::string("alice"), event->getValue<std::string>("old"));
			CPPUNIT_ASSERT_EQUAL(std::string("Alice"), event->getValue<std::string>("nick"));
		}
		bob.send(nickChange("ALICE"));
		CPPUNIT_ASSERT_EQUAL(std::string("nick_taken"), bob.expect("error")->getValue<std::string>("code"));
		// A member joining now on B is told her nick as shown now.
		ChatClient chi(b.port, "/lobby?nick=Chi");
		CPPUNIT_ASSERT((std::vector<std::string>{"Alice", "bob", "Chi"}) == strings(chi.expect("welcome")->getArray("users")));
		bob.send(say("one room"));
		CPPUNIT_ASSERT_EQUAL(std::string("one room"), messages(alice, 1).front().text);
	}

	void testRedisKilledAndRestarted()
	{
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		ChatClient an(a.port, "/r?nick=An");
		an.expect("welcome");
		ChatClient binh(b.port, "/r?nick=Binh");
		binh.expect("welcome");
		an.expect("join");
		an.send("before");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), messages(an, 1)[0].id);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), messages(binh, 1)[0].id);

		redis.kill();
		a.waitForOutput("queuing their messages");
		b.waitForOutput("queuing their messages");
		// Both instances keep their clients; messages wait for Redis.
		an.send("during-a");
		CPPUNIT_ASSERT_EQUAL(std::string("delayed"), an.expect("error")->getValue<std::string>("code"));
		binh.send("during-b");
		CPPUNIT_ASSERT_EQUAL(std::string("delayed"), binh.expect("error")->getValue<std::string>("code"));

		redis.start();
		a.waitForOutput("reachable again");
		b.waitForOutput("reachable again");
		const auto atA = messages(an, 2), atB = messages(binh, 2);
		CPPUNIT_ASSERT(atA == atB);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), atA[0].id);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(3), atA[1].id);
		std::vector<std::string> texts{atA[0].text, atA[1].text};
		std::sort(texts.begin(), texts.end());
		CPPUNIT_ASSERT((std::vector<std::string>{"during-a", "during-b"}) == texts);

		// Once each, and the numbering goes on.
		binh.send("after");
		CPPUNIT_ASSERT((std::vector<Seen>{{4, "Binh", "after"}}) == messages(an, 1));
		CPPUNIT_ASSERT((std::vector<Seen>{{4, "Binh", "after"}}) == messages(binh, 1));
		// Presence survived: a newcomer sees both.
		ChatClient chi(b.port, "/r?nick=Chi");
		const auto welcome = chi.expect("welcome");
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Binh", "Chi"}) == strings(welcome->getArray("users")));
		CPPUNIT_ASSERT(range(1, 4) == historyIds(welcome));
	}

	void testLostRoomGoesOnFromWhatWasSeen()
	{
		// Redis loses everything (FLUSHALL stands for a restart without
		// persistence); the next message comes from an instance that had
		// the room: its numbering and epoch go on, nobody resets.
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		ChatClient an(a.port, "/r?nick=An");
		const std::string epoch = an.expect("welcome")->getValue<std::string>("epoch");
		chat(an, 3, 1);
		redis.flushAll();
		an.send("after the loss");
		CPPUNIT_ASSERT((std::vector<Seen>{{4, "An", "after the loss"}}) == messages(an, 1));
		ChatClient binh(b.port, "/r?nick=Binh");
		const auto welcome = binh.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(epoch, welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(4), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(range(4, 4) == historyIds(welcome));
	}

	void testLostRoomStartedAfreshElsewhereResets()
	{
		// Redis loses everything and another instance, which never had the
		// room, starts it afresh first: members of the instance that had it
		// are told history_reset and, resuming, get reset.
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		ChatClient an(a.port, "/r?nick=An");
		const std::string epoch = an.expect("welcome")->getValue<std::string>("epoch");
		chat(an, 3, 1);
		redis.flushAll();
		ChatClient binh(b.port, "/r?nick=Binh");
		const auto fresh = binh.expect("welcome");
		CPPUNIT_ASSERT(fresh->getValue<std::string>("epoch") != epoch);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(0), fresh->getValue<Poco::UInt64>("lastId"));
		binh.send("new start");
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "Binh", "new start"}}) == messages(binh, 1));
		// An's instance reloads the room and says so, once.
		for (;;)
		{
			const auto event = an.next();
			if (event->getValue<std::string>("type") == "join") continue;
			CPPUNIT_ASSERT_EQUAL_MESSAGE(an.lastRaw, std::string("error"), event->getValue<std::string>("type"));
			CPPUNIT_ASSERT_EQUAL(std::string("history_reset"), event->getValue<std::string>("code"));
			break;
		}
		an.leave();
		ChatClient again(a.port, "/r?nick=An&since=3&epoch=" + epoch);
		const auto welcome = again.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(fresh->getValue<std::string>("epoch"), welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT(welcome->getValue<bool>("reset"));
		CPPUNIT_ASSERT(range(1, 1) == historyIds(welcome));
	}

	void testRedisRefusingWritesLosesNothing()
	{
		// Out of memory, Redis refuses the scripts (OOM): messages wait and
		// go out once it takes them again.
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		ChatClient an(a.port, "/r?nick=An");
		an.expect("welcome");
		ChatClient binh(b.port, "/r?nick=Binh");
		binh.expect("welcome");
		an.expect("join");
		redis.command({"CONFIG", "SET", "maxmemory", "1"});
		an.send("one");
		a.waitForOutput("OOM");
		an.send("two");
		CPPUNIT_ASSERT_EQUAL(std::string("delayed"), an.expect("error")->getValue<std::string>("code"));
		redis.command({"CONFIG", "SET", "maxmemory", "0"});
		const std::vector<Seen> expected{{1, "An", "one"}, {2, "An", "two"}};
		CPPUNIT_ASSERT(expected == messages(an, 2));
		CPPUNIT_ASSERT(expected == messages(binh, 2));
		CPPUNIT_ASSERT_MESSAGE(a.process->output(), a.process->output().find("(dropped)") == std::string::npos);
	}

	void testQueueIsBounded()
	{
		RedisServer redis;
		SharedServer a(redis.address(), "redis_queue_limit = 2\n");
		ChatClient an(a.port, "/r?nick=An");
		an.expect("welcome");
		redis.kill();
		a.waitForOutput("queuing their messages");
		for (const char* text : {"one", "two"})
		{
			an.send(text);
			CPPUNIT_ASSERT_EQUAL(std::string("delayed"), an.expect("error")->getValue<std::string>("code"));
		}
		// Full: refused, and said so; the connection stays.
		an.send("three");
		CPPUNIT_ASSERT_EQUAL(std::string("unavailable"), an.expect("error")->getValue<std::string>("code"));
		redis.start();
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "An", "one"}, {2, "An", "two"}}) == messages(an, 2));
		an.send("four");
		CPPUNIT_ASSERT((std::vector<Seen>{{3, "An", "four"}}) == messages(an, 1));
	}

	void testMetricsShowTheLink()
	{
		RedisServer redis;
		const auto chatPort = freeLoopbackPort(), statusPort = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(chatPort) + "\nplugin = chatroom\nclass = ChatroomPlugin\n"
			"backend = redis\nredis_address = " + redis.address() + "\nredis_timeout_ms = 1000\n"
			"[listeners.status]\naddress = 127.0.0.1\nport = " + std::to_string(statusPort) + "\nplugin = status\nclass = StatusPlugin\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(chatPort) && server.waitForPort(statusPort));
		const auto metricsShow = [&](const std::string& line) {
			const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
			std::string body;
			while (std::chrono::steady_clock::now() < deadline)
			{
				body = httpGet(statusPort, "/metrics").body;
				if (body.find("\n" + line + "\n") != std::string::npos) return;
				std::this_thread::sleep_for(std::chrono::milliseconds(50));
			}
			CPPUNIT_FAIL("no line \"" + line + "\" in /metrics:\n" + body);
		};
		metricsShow("webchat_redis_up{listener=\"chat\"} 1");
		metricsShow("webchat_redis_queued{listener=\"chat\"} 0");
		metricsShow("webchat_redis_messages_received_total{listener=\"chat\"} 0");
		ChatClient an(chatPort, "/r?nick=An");
		an.expect("welcome");
		redis.kill();
		metricsShow("webchat_redis_up{listener=\"chat\"} 0");
		an.send("waiting");
		CPPUNIT_ASSERT_EQUAL(std::string("delayed"), an.expect("error")->getValue<std::string>("code"));
		metricsShow("webchat_redis_queued{listener=\"chat\"} 1");
		redis.start();
		metricsShow("webchat_redis_up{listener=\"chat\"} 1");
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "An", "waiting"}}) == messages(an, 1));
		metricsShow("webchat_redis_queued{listener=\"chat\"} 0");
		// The message came back through the feed, the one read so far.
		metricsShow("webchat_redis_messages_received_total{listener=\"chat\"} 1");
	}

	void testOnlyTheRoomsHostedHereAreRead()
	{
		// Instance A has members only in room x; room y is busy on instance
		// B. A reads x's messages from Redis, and nothing of y's: its count
		// of messages received does not move with y's traffic.
		RedisServer redis;
		const std::string fast = "rate_per_second = 100000\nrate_burst = 100000\n";
		MeteredServer a(redis.address(), fast);
		SharedServer b(redis.address(), fast);
		const auto receivedByA = [&a] { return a.messagesReceived(); };
		const auto chatPort = a.chatPort;
		ChatClient an(chatPort, "/x?nick=An");
		an.expect("welcome");
		ChatClient binh(b.port, "/x?nick=Binh");
		binh.expect("welcome");
		ChatClient cuong(b.port, "/y?nick=Cuong");
		cuong.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(0ull, receivedByA());
		// y's traffic, all through Redis and back to B...
		constexpr int busy = 200;
		for (int i = 0; i < busy; ++i) cuong.send(std::to_string(i));
		const auto ys = messages(cuong, busy);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(busy), ys.back().id);
		// ...then one message of x from B: when A's member has it, A has read
		// whatever Redis had before it for A.
		binh.send("after y");
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "Binh", "after y"}}) == messages(an, 1));
		CPPUNIT_ASSERT_EQUAL(1ull, receivedByA());
		// x's own traffic does move it: A's member's message comes back
		// through Redis like any other.
		an.send("from a");
		CPPUNIT_ASSERT((std::vector<Seen>{{2, "An", "from a"}}) == messages(an, 1));
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "Binh", "after y"}, {2, "An", "from a"}}) == messages(binh, 2));
		CPPUNIT_ASSERT_EQUAL(2ull, receivedByA());
		// More of y's traffic after x's: still nothing of it on A.
		for (int i = 0; i < busy; ++i) cuong.send("more " + std::to_string(i));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2 * busy), messages(cuong, busy).back().id);
		binh.send("last");
		CPPUNIT_ASSERT((std::vector<Seen>{{3, "Binh", "last"}}) == messages(an, 1));
		CPPUNIT_ASSERT_EQUAL(3ull, receivedByA());
	}

	void testAnEmptiedRoomStopsBeingRead()
	{
		// A room whose last member on A left is forgotten on A after
		// redis_idle_room_ms (checked every redis_presence_ttl_ms / 2): A no
		// longer reads its traffic, which goes on on B. A new member on A
		// loads it afresh: the history B's traffic left, and its messages
		// from then on.
		RedisServer redis;
		const std::string fast = "rate_per_second = 100000\nrate_burst = 100000\n";
		MeteredServer a(redis.address(), "redis_idle_room_ms = 200\nredis_presence_ttl_ms = 600\n" + fast);
		SharedServer b(redis.address(), fast);
		// x keeps a member on A: its messages tell when A has read up to them.
		ChatClient an(a.chatPort, "/x?nick=An");
		an.expect("welcome");
		ChatClient binh(b.port, "/x?nick=Binh");
		binh.expect("welcome");
		auto leaving = std::make_unique<ChatClient>(a.chatPort, "/y?nick=Lan");
		leaving->expect("welcome");
		ChatClient cuong(b.port, "/y?nick=Cuong");
		cuong.expect("welcome");
		cuong.send("while Lan is here");
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "Cuong", "while Lan is here"}}) == messages(*leaving, 1));
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "Cuong", "while Lan is here"}}) == messages(cuong, 1));
		CPPUNIT_ASSERT_EQUAL(1ull, a.messagesReceived());
		CPPUNIT_ASSERT_EQUAL(2ull, a.metric("webchat_redis_rooms_read"));
		leaving.reset();
		cuong.expect("leave");
		// Forgotten after 200 ms, at a check every 300 ms: then x alone is read.
		const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
		while (a.metric("webchat_redis_rooms_read") != 1 && std::chrono::steady_clock::now() < deadline)
			std::this_thread::sleep_for(std::chrono::milliseconds(50));
		CPPUNIT_ASSERT_EQUAL(1ull, a.metric("webchat_redis_rooms_read"));
		constexpr int busy = 200;
		for (int i = 0; i < busy; ++i) cuong.send(std::to_string(i));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(busy + 1), messages(cuong, busy).back().id);
		binh.send("after y");
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "Binh", "after y"}}) == messages(an, 1));
		CPPUNIT_ASSERT_EQUAL(2ull, a.messagesReceived());
		// Back on A: y loaded afresh, B's traffic in its history, read again.
		ChatClient dung(a.chatPort, "/y?nick=Dung");
		const auto welcome = dung.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(busy + 1), welcome->getValue<Poco::UInt64>("lastId"));
		cuong.send("welcome back");
		CPPUNIT_ASSERT((std::vector<Seen>{{busy + 2, "Cuong", "welcome back"}}) == messages(dung, 1));
		CPPUNIT_ASSERT_EQUAL(3ull, a.messagesReceived());
	}

	void testARoomLoadedLaterIsReadAtOnce()
	{
		// A's feed reader blocks on what it reads (500 ms at a time); a room
		// loaded meanwhile wakes it, so the room's messages come at once,
		// not after the block. Told apart by the median of several rooms: a
		// reader left to its block time would deliver after 250 ms on
		// average.
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address());
		ChatClient settled(a.port, "/base?nick=Settled");
		settled.expect("welcome");
		std::vector<long long> delays;
		for (int i = 0; i < 7; ++i)
		{
			const std::string room = "/later" + std::to_string(i);
			ChatClient here(a.port, room + "?nick=Here");
			here.expect("welcome");
			ChatClient there(b.port, room + "?nick=There");
			there.expect("welcome");
			const auto sent = std::chrono::steady_clock::now();
			there.send("hi");
			CPPUNIT_ASSERT((std::vector<Seen>{{1, "There", "hi"}}) == messages(here, 1));
			delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - sent).count());
		}
		std::sort(delays.begin(), delays.end());
		std::string all;
		for (const auto delay : delays) all += std::to_string(delay) + " ms ";
		CPPUNIT_ASSERT_MESSAGE(all, delays[delays.size() / 2] < 100);
	}

	void testRoomsOfBeforeTheHashTagsAreKept()
	{
		// A room as a webchatd of before per-room feeds left it (its keys
		// without the {room} hash tag), with a member of a server gone since:
		// its history and numbering go on, its old presence is dropped.
		RedisServer redis;
		redis.command({"HSET", "webchat:room:lobby:meta", "epoch", "e1", "seq", "2"});
		for (const char* id : {"1", "2"})
			redis.command({"XADD", "webchat:room:lobby:log", std::string("0-") + id, "nick", "An", "text", std::string("old ") + id, "ts", "1764150000000", "from", "",
				"v", "0"});
		redis.command({"HSET", "webchat:room:lobby:presence", "ghost", "gone-instance\nGhost"});
		SharedServer a(redis.address());
		ChatClient binh(a.port, "/lobby?nick=Binh");
		const auto welcome = binh.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("e1"), welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT(range(1, 2) == historyIds(welcome));
		CPPUNIT_ASSERT((std::vector<std::string>{"Binh"}) == strings(welcome->getArray("users")));
		binh.send("new");
		CPPUNIT_ASSERT((std::vector<Seen>{{3, "Binh", "new"}}) == messages(binh, 1));
		CPPUNIT_ASSERT_EQUAL(std::string("0\n"), redis.reply({"EXISTS", "webchat:room:lobby:meta", "webchat:room:lobby:log", "webchat:room:lobby:presence"}));
	}

	void testRedisRestartsUnderTraffic()
	{
		// Four senders on two instances keep sending while Redis is killed
		// and restarted twice: in the end every client has every message
		// once, all in one order, each sender's in its order.
		RedisServer redis;
		const std::string fast = "rate_per_second = 100000\nrate_burst = 100000\n";
		SharedServer a(redis.address(), fast), b(redis.address(), fast);
		BusyRoom room({a.port, b.port}, "storm");
		room.startSending(300, std::chrono::milliseconds(2));
		for (int restart = 0; restart < 2; ++restart)
		{
			std::this_thread::sleep_for(std::chrono::milliseconds(150));
			redis.kill();
			std::this_thread::sleep_for(std::chrono::milliseconds(100));
			redis.start();
		}
		room.waitForSenders();
		room.checkOneOrder(true);
		// Both instances did live through the outages, and dropped nothing.
		for (const auto* server : {&a, &b})
		{
			CPPUNIT_ASSERT_MESSAGE(server->process->output(), server->process->output().find("unreachable") != std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(server->process->output(), server->process->output().find("(dropped)") == std::string::npos);
		}
	}

	void testMembersOfAStoppedInstanceLeave()
	{
		RedisServer redis;
		SharedServer a(redis.address()), b(redis.address()), c(redis.address());
		ChatClient binh(b.port, "/r?nick=Binh");
		binh.expect("welcome");
		{
			// A crashes: its member leaves within the presence ttl.
			ChatClient an(a.port, "/r?nick=An");
			an.expect("welcome");
			CPPUNIT_ASSERT_EQUAL(std::string("An"), binh.expect("join")->getValue<std::string>("nick"));
			a.stop(SIGKILL);
			const auto killed = std::chrono::steady_clock::now();
			CPPUNIT_ASSERT_EQUAL(std::string("An"), binh.expect("leave", 8000)->getValue<std::string>("nick"));
			const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - killed).count();
			CPPUNIT_ASSERT_MESSAGE(std::to_string(waited) + " ms", waited < 1500 + 750 + 1000);
		}
		// C stops cleanly: its member leaves at once.
		ChatClient chi(c.port, "/r?nick=Chi");
		chi.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), binh.expect("join")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(0, c.stop());
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), binh.expect("leave", 1000)->getValue<std::string>("nick"));
		ChatClient dan(b.port, "/r?nick=Dan");
		CPPUNIT_ASSERT((std::vector<std::string>{"Binh", "Dan"}) == strings(dan.expect("welcome")->getArray("users")));
	}

	void testLiveReloadKeepsOneRoom()
	{
		// A changed chat listener gets a new plugin instance on SIGHUP; with
		// Redis the old one (keeping its clients) and the new one share the
		// rooms like two servers: nobody notices the switch.
		RedisServer redis;
		SharedServer server(redis.address());
		ChatClient an(server.port, "/r?nick=An");
		an.expect("welcome");
		{
			Poco::FileOutputStream out(server.config, std::ios::app);
			out << "max_text_bytes = 100\n";
		}
		::kill(server.process->pid(), SIGHUP);
		server.waitForOutput("chatroom/ChatroomPlugin replaced on");
		ChatClient binh(server.port, "/r?nick=Binh");
		const auto users = strings(binh.expect("welcome")->getArray("users"));
		std::string shown;
		for (const auto& user : users) shown += user + ";";
		CPPUNIT_ASSERT_EQUAL(std::string("An;Binh;"), shown);
		CPPUNIT_ASSERT_EQUAL(std::string("Binh"), an.expect("join")->getValue<std::string>("nick"));
		// The new instance has the new limit, the old one its own.
		binh.send(std::string(101, 'x'));
		CPPUNIT_ASSERT_EQUAL(std::string("too_long"), binh.expect("error")->getValue<std::string>("code"));
		an.send("from the old instance " + std::string(90, 'x'));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), messages(an, 1)[0].id);
		binh.send("from the new one");
		const auto atOld = messages(an, 1), atNew = messages(binh, 2);
		CPPUNIT_ASSERT((std::vector<Seen>{{2, "Binh", "from the new one"}}) == atOld);
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), atNew[0].id);
		CPPUNIT_ASSERT(atOld[0] == atNew[1]);
	}

	void testRedisDownAtStart()
	{
		const auto port = freeLoopbackPort();
		SharedServer a("127.0.0.1:" + std::to_string(port));
		{
			// The room cannot be loaded: try again later.
			ChatClient an(a.port, "/r?nick=An");
			an.expectRefusal("unavailable", 4503);
		}
		RedisServer redis(port);
		ChatClient an(a.port, "/r?nick=An");
		an.expect("welcome");
		a.waitForOutput("reachable again");
		an.send("hello");
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "An", "hello"}}) == messages(an, 1));
	}

	void testRedisWithAPassword()
	{
		RedisServer redis(freeLoopbackPort(), "s3cret");
		{
			// Refused credentials: logged, and the room is unavailable.
			SharedServer wrong(redis.address(), "redis_password = guess\n");
			wrong.waitForOutput("WRONGPASS");
			ChatClient an(wrong.port, "/r?nick=An");
			an.expectRefusal("unavailable", 4503);
			CPPUNIT_ASSERT_MESSAGE(wrong.process->output(), wrong.process->output().find("guess") == std::string::npos);
		}
		SharedServer a(redis.address(), "redis_password = s3cret\n"), b(redis.address(), "redis_password = s3cret\n");
		ChatClient an(a.port, "/r?nick=An");
		an.expect("welcome");
		ChatClient binh(b.port, "/r?nick=Binh");
		binh.expect("welcome");
		an.send("hello");
		CPPUNIT_ASSERT((std::vector<Seen>{{1, "An", "hello"}}) == messages(binh, 1));
		CPPUNIT_ASSERT_MESSAGE(a.process->output(), a.process->output().find("s3cret") == std::string::npos);
	}

	void testBadRedisSettings()
	{
		for (const std::string keys : {"redis_address = nohost\n", "redis_address = host:0\n", "redis_namespace = a:b\n", "redis_timeout_ms = 0\n"})
		{
			const std::string config = writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n[listeners.chat]\naddress = 127.0.0.1\nport = " +
				std::to_string(freeLoopbackPort()) + "\nplugin = chatroom\nclass = ChatroomPlugin\nbackend = redis\n" + keys);
			ServerProcess server({"--config=" + config});
			CPPUNIT_ASSERT_EQUAL_MESSAGE(server.output(), 78, server.waitForExit(Poco::Timespan(10, 0)));
			const std::string key = keys.substr(0, keys.find(' '));
			CPPUNIT_ASSERT_MESSAGE(server.output(), server.output().find(key) != std::string::npos);
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RedisTest);
