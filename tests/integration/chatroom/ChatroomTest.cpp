//
// The chat-room plugin inside the real webchatd: raw WebSocket clients on
// loopback speak the protocol of docs/PROTOCOL.md. Events are checked with
// Poco's JSON parser, independently of the server's own JSON code.
//

#include "ChatTestSupport.h"

#include "Poco/Net/NetException.h"

#include <cppunit/extensions/HelperMacros.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <memory>
#include <sstream>
#include <thread>
#include <tuple>

using namespace webchat::test;
using namespace webchat::test::chatroom;
namespace ws = webchat::ws;

class ChatroomTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ChatroomTest);
	CPPUNIT_TEST(testWelcome);
	CPPUNIT_TEST(testJoinAndLeaveGoToOthersOnly);
	CPPUNIT_TEST(testMessagesHaveIdsTimesAndNicks);
	CPPUNIT_TEST(testPlainTextFramesAreMessages);
	CPPUNIT_TEST(testMarkupComesBackAsText);
	CPPUNIT_TEST(testHistoryOnJoin);
	CPPUNIT_TEST(testResumeSince);
	CPPUNIT_TEST(testResumeWhileOthersPublish);
	CPPUNIT_TEST(testGapAndReset);
	CPPUNIT_TEST(testForgottenRoomResets);
	CPPUNIT_TEST(testGuestNicks);
	CPPUNIT_TEST(testNickTaken);
	CPPUNIT_TEST(testBadTargets);
	CPPUNIT_TEST(testRoomFull);
	CPPUNIT_TEST(testTooManyRooms);
	CPPUNIT_TEST(testBinaryFrameIsRefused);
	CPPUNIT_TEST(testNickChange);
	CPPUNIT_TEST(testRefusedRequestsKeepTheConnection);
	CPPUNIT_TEST(testFlooderIsClosedOthersChatOn);
	CPPUNIT_TEST(testRateIsPerAddressAcrossConnections);
	CPPUNIT_TEST(testJoinsOnAnIdleServerTakeNoTick);
	CPPUNIT_TEST(testPresenceEventsPerAddressAreBounded);
	CPPUNIT_TEST(testRoomsAreIsolated);
	CPPUNIT_TEST(testVietnameseRoom);
	CPPUNIT_TEST(testOriginPolicy);
	CPPUNIT_TEST(testBadConfigurationExits78);
	CPPUNIT_TEST(testSigtermClosesEveryoneAndExitsCleanly);
	CPPUNIT_TEST_SUITE_END();

public:
	void testWelcome()
	{
		ChatServer server;
		ChatClient an(server.port, "/lobby?nick=An");
		auto welcome = an.expect("welcome");
		const std::string epoch = welcome->getValue<std::string>("epoch");
		CPPUNIT_ASSERT_MESSAGE(epoch, epoch.size() == 16 && epoch.find_first_not_of("0123456789abcdef") == std::string::npos);
		const std::string token = welcome->getValue<std::string>("token");
		const std::string from = welcome->getValue<std::string>("from");
		CPPUNIT_ASSERT_EQUAL(R"({"type":"welcome","room":"lobby","nick":"An","users":["An"],"history":[],"lastId":0,"epoch":")" + epoch +
			R"(","token":")" + token + R"(","from":")" + from + R"("})", an.lastRaw);

		ChatClient binh(server.port, "/?nick=B%C3%ACnh");
		welcome = binh.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("lobby"), welcome->getValue<std::string>("room"));
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Bình"}) == strings(welcome->getArray("users")));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(0), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT_EQUAL(epoch, welcome->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT(!welcome->has("gap") && !welcome->has("reset"));
	}

	void testJoinAndLeaveGoToOthersOnly()
	{
		ChatServer server("io_threads = 2");
		ChatClient an(server.port, "/room?nick=An");
		an.expect("welcome");
		const auto before = wallClockMs();
		ChatClient chi(server.port, "/room?nick=Chi");
		chi.expect("welcome");
		const auto join = an.expect("join");
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), join->getValue<std::string>("nick"));
		const auto ts = join->getValue<Poco::Int64>("ts");
		CPPUNIT_ASSERT(ts >= before && ts <= wallClockMs());

		// Chi's own join never reaches Chi: the next thing it gets is its message.
		chi.send("hi");
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), chi.expect("message")->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), an.expect("message")->getValue<std::string>("text"));

		chi.leave();
		const auto leave = an.expect("leave");
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), leave->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(leave->getValue<Poco::Int64>("ts") >= ts);

		// A dropped connection (no close frame) leaves as well.
		{
			ChatClient dan(server.port, "/room?nick=Dan");
			dan.expect("welcome");
			CPPUNIT_ASSERT_EQUAL(std::string("Dan"), an.expect("join")->getValue<std::string>("nick"));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("Dan"), an.expect("leave")->getValue<std::string>("nick"));
		ChatClient eve(server.port, "/room?nick=Eve");
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Eve"}) == strings(eve.expect("welcome")->getArray("users")));
	}

	void testMessagesHaveIdsTimesAndNicks()
	{
		ChatServer server;
		ChatClient an(server.port, "/r?nick=An"), binh(server.port, "/r?nick=B%C3%ACnh");
		an.expect("welcome");
		binh.expect("welcome");
		an.expect("join");
		const auto before = wallClockMs();
		an.send(say("một"));
		binh.send(say("hai"));
		an.send("ba");
		const std::vector<std::pair<std::string, std::string>> expected = {{"An", "một"}, {"Bình", "hai"}, {"An", "ba"}};
		for (auto* client : {&an, &binh})
		{
			std::vector<std::pair<std::string, std::string>> seen;
			for (Poco::UInt64 id = 1; id <= 3; ++id)
			{
				const auto message = client->expect("message");
				CPPUNIT_ASSERT_EQUAL_MESSAGE(client->lastRaw, id, message->getValue<Poco::UInt64>("id"));
				const auto ts = message->getValue<Poco::Int64>("ts");
				CPPUNIT_ASSERT(ts >= before && ts <= wallClockMs());
				CPPUNIT_ASSERT_EQUAL(std::size_t(6), message->size()); // type, id, nick, from, text, ts
				seen.emplace_back(message->getValue<std::string>("nick"), message->getValue<std::string>("text"));
			}
			// An's two are in An's order; Bình's may come anywhere.
			CPPUNIT_ASSERT(std::is_permutation(seen.begin(), seen.end(), expected.begin()));
			const auto firstOfAn = std::find(seen.begin(), seen.end(), expected[0]);
			const auto secondOfAn = std::find(seen.begin(), seen.end(), expected[2]);
			CPPUNIT_ASSERT(firstOfAn < secondOfAn);
		}
	}

	void testPlainTextFramesAreMessages()
	{
		ChatServer server;
		ChatClient an(server.port, "/?nick=An");
		an.expect("welcome");
		for (const std::string text : {"hello", "\"hello\"", "[1,2]", "{not json", "42", "", "  spaced  ", "line\nbreak", "{\"type\":\"message\"} trailing"})
		{
			an.send(text);
			CPPUNIT_ASSERT_EQUAL(text, an.expect("message")->getValue<std::string>("text"));
		}
	}

	void testMarkupComesBackAsText()
	{
		ChatServer server;
		ChatClient an(server.port, "/?nick=An"), binh(server.port, "/?nick=Binh");
		an.expect("welcome");
		binh.expect("welcome");
		an.expect("join");
		const std::string attack = "<img src=x onerror=alert(1)>";
		const std::string script = "</script><script>alert('x')</script>\xE2\x80\xA8&amp;";
		// One after the other: messages of two senders have no set order.
		for (const auto& [sender, frame, text] : {std::tuple(&an, attack, attack), std::tuple(&binh, say(script), script)})
		{
			sender->send(frame);
			for (auto* client : {&an, &binh})
			{
				CPPUNIT_ASSERT_EQUAL(text, client->expect("message")->getValue<std::string>("text"));
				CPPUNIT_ASSERT_MESSAGE(client->lastRaw, client->lastRaw.find_first_of("<>&") == std::string::npos);
				CPPUNIT_ASSERT(client->lastRaw.find("\xE2\x80\xA8") == std::string::npos);
			}
		}
	}

	void testHistoryOnJoin()
	{
		ChatServer server("history_size = 3");
		ChatClient an(server.port, "/h?nick=An");
		an.expect("welcome");
		chat(an, 5, 1);
		ChatClient chi(server.port, "/h?nick=Chi");
		const auto welcome = chi.expect("welcome");
		CPPUNIT_ASSERT(range(3, 5) == historyIds(welcome));
		const auto history = welcome->getArray("history");
		for (unsigned i = 0; i < 3; ++i)
		{
			const auto entry = history->getObject(i);
			CPPUNIT_ASSERT_EQUAL(std::string("message"), entry->getValue<std::string>("type"));
			CPPUNIT_ASSERT_EQUAL("m" + std::to_string(i + 3), entry->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(std::string("An"), entry->getValue<std::string>("nick"));
			CPPUNIT_ASSERT(entry->has("ts"));
		}
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(5), welcome->getValue<Poco::UInt64>("lastId"));
		// Without since, no gap is reported.
		CPPUNIT_ASSERT(!welcome->has("gap"));
	}

	void testResumeSince()
	{
		ChatServer server;
		ChatClient an(server.port, "/r?nick=An");
		an.expect("welcome");
		chat(an, 10, 1);
		ChatClient back(server.port, "/r?nick=Back&since=4");
		auto welcome = back.expect("welcome");
		CPPUNIT_ASSERT(range(5, 10) == historyIds(welcome));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(10), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(!welcome->has("gap") && !welcome->has("reset"));
		an.expect("join");
		an.send("live");
		const auto live = back.expect("message");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(11), live->getValue<Poco::UInt64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("live"), live->getValue<std::string>("text"));

		// since = the last id: nothing to catch up on.
		ChatClient upToDate(server.port, "/r?nick=Up&since=11");
		welcome = upToDate.expect("welcome");
		CPPUNIT_ASSERT(historyIds(welcome).empty());
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(11), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(!welcome->has("gap") && !welcome->has("reset"));
	}

	// Two clients on two I/O threads publish in tight loops while others
	// join with since: each joiner gets every message after since exactly
	// once, in id order, partly in its welcome and partly live.
	void testResumeWhileOthersPublish()
	{
		ChatServer server("io_threads = 2\nhistory_size = 100000\nhistory_bytes = 16777216\nmax_queued_bytes = 67108864\n"
			"rate_per_second = 1000000\nrate_burst = 1000000");
		const int perSender = 5000;
		int overlapped = 0;
		for (int round = 0; round < 5 && overlapped < 2; ++round)
		{
			const std::string room = "/race" + std::to_string(round);
			// B after A's welcome: with two I/O threads, joins made at once
			// may complete in either order.
			ChatClient a(server.port, room + "?nick=A");
			a.expect("welcome");
			ChatClient b(server.port, room + "?nick=B");
			b.expect("welcome");
			a.expect("join");
			chat(a, 100, 1);
			for (int i = 0; i < 100; ++i) b.expect("message");

			std::atomic<int> sent{0};
			std::atomic<bool> sendFailed{false};
			auto flood = [&](ChatClient& sender, const std::string& name) {
				try
				{
					for (int i = 0; i < perSender; ++i)
					{
						sender.send(name + std::to_string(i));
						sent.fetch_add(1);
					}
				}
				catch (const Poco::Exception&)
				{
					sendFailed = true;
					sent.store(perSender * 2);
				}
			};
			std::thread senderA(flood, std::ref(a), "a");
			std::thread senderB(flood, std::ref(b), "b");
			while (sent.load() < perSender / 4) std::this_thread::yield();
			const Poco::UInt64 since = 100;
			const Poco::UInt64 last = 100 + 2 * perSender;
			std::vector<Poco::UInt64> seen;
			try
			{
				ChatClient joiner(server.port, room + "?nick=J&since=" + std::to_string(since));
				const auto welcome = joiner.expect("welcome", 20000);
				seen = historyIds(welcome);
				const auto lastId = welcome->getValue<Poco::UInt64>("lastId");
				CPPUNIT_ASSERT(!welcome->has("gap") && !welcome->has("reset"));
				CPPUNIT_ASSERT_EQUAL(lastId, seen.empty() ? since : seen.back());
				if (lastId > since && lastId < last) ++overlapped;
				while (seen.empty() || seen.back() < last)
				{
					const auto event = joiner.next(20000);
					if (event->getValue<std::string>("type") == "message") seen.push_back(event->getValue<Poco::UInt64>("id"));
				}
			}
			catch (...)
			{
				senderA.join();
				senderB.join();
				throw;
			}
			senderA.join();
			senderB.join();
			CPPUNIT_ASSERT(!sendFailed);
			CPPUNIT_ASSERT_MESSAGE("round " + std::to_string(round), range(since + 1, last) == seen);
		}
		CPPUNIT_ASSERT_MESSAGE("no joiner arrived while messages were being published", overlapped >= 1);
	}

	void testGapAndReset()
	{
		ChatServer server("history_size = 3");
		ChatClient an(server.port, "/g?nick=An");
		an.expect("welcome");
		chat(an, 6, 1);

		ChatClient gap(server.port, "/g?nick=Gap&since=1");
		auto welcome = gap.expect("welcome");
		CPPUNIT_ASSERT(range(4, 6) == historyIds(welcome));
		const auto lost = welcome->getObject("gap");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), lost->getValue<Poco::UInt64>("from"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(3), lost->getValue<Poco::UInt64>("to"));
		CPPUNIT_ASSERT(!welcome->has("reset"));

		ChatClient reset(server.port, "/g?nick=Reset&since=99");
		welcome = reset.expect("welcome");
		CPPUNIT_ASSERT(welcome->getValue<bool>("reset"));
		CPPUNIT_ASSERT(range(4, 6) == historyIds(welcome));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(6), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(!welcome->has("gap"));
	}

	// An empty room is kept for its history until max_rooms needs its slot;
	// then it is forgotten and, without a database, comes back new (a reset
	// for resuming clients, whatever epoch they give).
	void testForgottenRoomResets()
	{
		ChatServer server("max_rooms = 2\nbackend = memory");
		std::string epoch;
		{
			ChatClient an(server.port, "/old?nick=An");
			epoch = an.expect("welcome")->getValue<std::string>("epoch");
			chat(an, 3, 1);
			an.leave();
		}
		ChatClient again(server.port, "/old?nick=An&since=1");
		auto welcome = again.expect("welcome");
		CPPUNIT_ASSERT(range(2, 3) == historyIds(welcome));
		again.leave();

		ChatClient other(server.port, "/other?nick=O");
		other.expect("welcome");
		ChatClient third(server.port, "/third?nick=T"); // takes old's slot
		third.expect("welcome");
		ChatClient back(server.port, "/old?nick=An&since=3");
		back.expectRefusal("too_many_rooms", 4429);

		third.leave();
		ChatClient returning(server.port, "/old?nick=An&since=3&epoch=" + epoch);
		welcome = returning.expect("welcome");
		CPPUNIT_ASSERT(welcome->getValue<bool>("reset"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(0), welcome->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(welcome->getValue<std::string>("epoch") != epoch);
		CPPUNIT_ASSERT(historyIds(welcome).empty());
	}

	void testGuestNicks()
	{
		ChatServer server;
		ChatClient first(server.port, "/"), second(server.port, "/lobby?nick="), named(server.port, "/?nick=guest-3");
		CPPUNIT_ASSERT_EQUAL(std::string("guest-1"), first.expect("welcome")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("guest-2"), second.expect("welcome")->getValue<std::string>("nick"));
		named.expect("welcome");
		ChatClient fourth(server.port, "/");
		const auto welcome = fourth.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("guest-4"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT((std::vector<std::string>{"guest-1", "guest-2", "guest-3", "guest-4"}) == strings(welcome->getArray("users")));
		fourth.send("hi");
		CPPUNIT_ASSERT_EQUAL(std::string("guest-4"), fourth.expect("message")->getValue<std::string>("nick"));
	}

	void testNickTaken()
	{
		ChatServer server;
		ChatClient an(server.port, "/t?nick=An");
		an.expect("welcome");
		ChatClient impostor(server.port, "/t?nick=An");
		impostor.expectRefusal("nick_taken", 4409);
		// Nobody saw it come or go; the same nick elsewhere is fine.
		an.send("still alone");
		CPPUNIT_ASSERT_EQUAL(std::string("still alone"), an.expect("message")->getValue<std::string>("text"));
		ChatClient elsewhere(server.port, "/other?nick=An");
		elsewhere.expect("welcome");
		ChatClient chi(server.port, "/t?nick=Chi");
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Chi"}) == strings(chi.expect("welcome")->getArray("users")));
	}

	void testBadTargets()
	{
		ChatServer server;
		ChatClient witness(server.port, "/?nick=W");
		witness.expect("welcome");
		const std::vector<std::pair<std::string, std::string>> cases = {
			{"/a/b", "invalid_room"}, {"/a%2Fb", "invalid_room"}, {"/%20lobby", "invalid_room"}, {"/a%0Ab", "invalid_room"},
			{"/%C3%28", "invalid_room"}, {"/" + std::string(65, 'r'), "invalid_room"},
			{"/?nick=%20An", "invalid_nick"}, {"/?nick=a%00b", "invalid_nick"}, {"/?nick=" + std::string(33, 'n'), "invalid_nick"},
			{"/?nick=%E2%80%AEevil", "invalid_nick"}, {"/?since=-1", "invalid_since"}, {"/?since=x", "invalid_since"},
			{"/?since=1&epoch=a.b", "invalid_epoch"}, {"/?epoch=a&epoch=b", "invalid_epoch"}};
		for (const auto& [path, code] : cases)
		{
			ChatClient client(server.port, path);
			client.expectRefusal(code, 4400);
		}
		// The lobby never heard of any of them.
		witness.send("quiet");
		CPPUNIT_ASSERT_EQUAL(std::string("quiet"), witness.expect("message")->getValue<std::string>("text"));
	}

	void testRoomFull()
	{
		ChatServer server("max_users_per_room = 2");
		ChatClient a(server.port, "/small?nick=a"), b(server.port, "/small?nick=b");
		a.expect("welcome");
		b.expect("welcome");
		a.expect("join");
		ChatClient c(server.port, "/small?nick=c");
		c.expectRefusal("room_full", 4429);
		ChatClient elsewhere(server.port, "/big?nick=c");
		elsewhere.expect("welcome");
		b.leave();
		a.expect("leave");
		ChatClient retry(server.port, "/small?nick=c");
		retry.expect("welcome");
	}

	void testTooManyRooms()
	{
		ChatServer server("max_rooms = 2");
		ChatClient a(server.port, "/one?nick=a"), b(server.port, "/two?nick=b");
		a.expect("welcome");
		b.expect("welcome");
		ChatClient c(server.port, "/three?nick=c");
		c.expectRefusal("too_many_rooms", 4429);
		// Existing rooms still take people.
		ChatClient d(server.port, "/one?nick=d");
		d.expect("welcome");
	}

	void testBinaryFrameIsRefused()
	{
		ChatServer server;
		ChatClient an(server.port, "/?nick=An"), binh(server.port, "/?nick=Binh");
		an.expect("welcome");
		binh.expect("welcome");
		an.expect("join");
		binh.ws.send(ws::Opcode::Binary, std::string("\x00\x01", 2));
		binh.expectRefusal("unsupported", ws::CloseCode::Unsupported);
		CPPUNIT_ASSERT_EQUAL(std::string("Binh"), an.expect("leave")->getValue<std::string>("nick"));
	}

	void testNickChange()
	{
		ChatServer server("nick_changes_per_minute = 2");
		ChatClient an(server.port, "/n?nick=An"), binh(server.port, "/n?nick=Binh");
		an.expect("welcome");
		binh.expect("welcome");
		an.expect("join");

		an.send(nickChange("An Nguyễn"));
		for (auto* client : {&an, &binh})
		{
			const auto event = client->expect("nick");
			CPPUNIT_ASSERT_EQUAL(std::string("An"), event->getValue<std::string>("old"));
			CPPUNIT_ASSERT_EQUAL(std::string("An Nguyễn"), event->getValue<std::string>("nick"));
			CPPUNIT_ASSERT(event->has("ts"));
		}
		an.send("after");
		for (auto* client : {&an, &binh})
			CPPUNIT_ASSERT_EQUAL(std::string("An Nguyễn"), client->expect("message")->getValue<std::string>("nick"));

		// Refused changes: the connection stays, the nick does not change.
		an.send(nickChange("Binh"));
		an.expectRefusal("nick_taken", 0);
		an.send(nickChange(" padded"));
		an.expectRefusal("invalid_nick", 0);
		an.send(nickChange("An Nguyễn")); // unchanged: nothing happens
		an.send(nickChange("Second"));
		an.expect("nick");
		binh.expect("nick");
		// Two changes made (the refused ones do not count): the limit is reached.
		an.send(nickChange("Third"));
		an.expectRefusal("nick_rate_limited", 0);

		// The old nick is free; newcomers see the current ones.
		ChatClient other(server.port, "/n?nick=An");
		CPPUNIT_ASSERT((std::vector<std::string>{"Second", "Binh", "An"}) == strings(other.expect("welcome")->getArray("users")));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), an.expect("join")->getValue<std::string>("nick"));
		an.send("still here");
		CPPUNIT_ASSERT_EQUAL(std::string("Second"), an.expect("message")->getValue<std::string>("nick"));
	}

	void testRefusedRequestsKeepTheConnection()
	{
		ChatServer server("max_text_bytes = 10");
		ChatClient an(server.port, "/?nick=An");
		an.expect("welcome");
		an.send("12345678901");
		an.expectRefusal("too_long", 0);
		an.send(say("ệệệệ")); // 12 bytes
		an.expectRefusal("too_long", 0);
		an.send(R"({"type":"shout","text":"x"})");
		an.expectRefusal("bad_request", 0);
		an.send(R"({"type":"message","text":5})");
		an.expectRefusal("bad_request", 0);
		an.send("1234567890");
		const auto message = an.expect("message");
		CPPUNIT_ASSERT_EQUAL(std::string("1234567890"), message->getValue<std::string>("text"));
		// Refused messages took no id.
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), message->getValue<Poco::UInt64>("id"));
	}

	void testPresenceEventsPerAddressAreBounded()
	{
		// Two announced joins a minute for the address (the member's own
		// join is the first).
		ChatServer server("presence_events_per_ip_per_minute = 2");
		ChatClient member(server.port, "/p?nick=Member");
		member.expect("welcome");
		{
			ChatClient second(server.port, "/p?nick=Second");
			second.expect("welcome");
			CPPUNIT_ASSERT_EQUAL(std::string("Second"), member.expect("join")->getValue<std::string>("nick"));
		}
		CPPUNIT_ASSERT_EQUAL(std::string("Second"), member.expect("leave")->getValue<std::string>("nick"));
		{
			// Over the budget: joined all the same (in the member list of
			// welcomes), but neither its join nor its leave is broadcast.
			ChatClient quiet(server.port, "/p?nick=Quiet");
			const auto users = quiet.expect("welcome")->getArray("users");
			std::vector<std::string> names;
			for (std::size_t i = 0; i < users->size(); ++i) names.push_back(users->getElement<std::string>(static_cast<unsigned>(i)));
			std::sort(names.begin(), names.end());
			CPPUNIT_ASSERT(names == std::vector<std::string>({"Member", "Quiet"}));
			quiet.send("still speaks");
			CPPUNIT_ASSERT_EQUAL(std::string("still speaks"), member.expect("message")->getValue<std::string>("text"));
		}
		member.send("after");
		// The next event the member gets is its own message: no leave.
		CPPUNIT_ASSERT_EQUAL(std::string("after"), member.expect("message")->getValue<std::string>("text"));
	}

	void testJoinsOnAnIdleServerTakeNoTick()
	{
		// A join publishes its join event from the loop's own thread; the
		// loop must not sleep on that task until its 250 ms tick. 50 joins
		// in a row, each welcomed and heard by a member well within that.
		ChatServer server("backend = memory\nio_threads = 1");
		ChatClient member(server.port, "/quick?nick=Member");
		member.expect("welcome");
		std::vector<double> ms;
		for (int i = 0; i < 50; ++i)
		{
			const auto start = std::chrono::steady_clock::now();
			ChatClient joiner(server.port, "/quick?nick=J" + std::to_string(i));
			joiner.expect("welcome");
			CPPUNIT_ASSERT_EQUAL("J" + std::to_string(i), member.expect("join")->getValue<std::string>("nick"));
			ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
			joiner.ws.sendClose(1000);
			CPPUNIT_ASSERT_EQUAL(std::string("leave"), member.expect("leave")->getValue<std::string>("type"));
		}
		std::sort(ms.begin(), ms.end());
		// The worst of 50: generous against a busy machine, far below a tick.
		CPPUNIT_ASSERT_MESSAGE("slowest join " + std::to_string(ms.back()) + " ms, median " + std::to_string(ms[25]) + " ms", ms.back() < 150);
	}

	void testRateIsPerAddressAcrossConnections()
	{
		// Each connection may send plenty; their address, 5 in all (a
		// bucket that does not refill during the test).
		ChatServer server("rate_per_second = 1000\nrate_burst = 1000\nrate_per_ip_per_second = 0.001\nrate_per_ip_burst = 5");
		ChatClient a(server.port, "/ip?nick=A"), b(server.port, "/ip?nick=B");
		a.expect("welcome");
		b.expect("welcome");
		a.expect("join");
		// A spends three of the address's five.
		for (int i = 0; i < 3; ++i) a.send("a" + std::to_string(i));
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL("a" + std::to_string(i), b.expect("message")->getValue<std::string>("text"));
		// B, a connection of its own, has two left: its third is refused.
		for (int i = 0; i < 3; ++i) b.send("b" + std::to_string(i));
		std::vector<std::string> texts;
		int refused = 0;
		while (texts.size() < 2 || refused < 1)
		{
			const auto event = b.next();
			const std::string type = event->getValue<std::string>("type");
			if (type == "message") texts.push_back(event->getValue<std::string>("text"));
			else
			{
				CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), event->getValue<std::string>("code"));
				++refused;
			}
		}
		CPPUNIT_ASSERT_EQUAL(std::string("b0"), texts.at(0));
		CPPUNIT_ASSERT_EQUAL(std::string("b1"), texts.at(1));
		CPPUNIT_ASSERT_EQUAL(1, refused);
		// And A is out of budget too: among the five messages it is sent
		// (errors go out at once, messages at the end of the server's loop
		// iteration, so in either order), its a3 is refused.
		a.send("a3");
		int messages = 0;
		int aRefused = 0;
		while (messages < 5 || aRefused < 1)
		{
			const auto event = a.next();
			if (event->getValue<std::string>("type") == "message")
			{
				CPPUNIT_ASSERT(event->getValue<std::string>("text") != "a3");
				++messages;
			}
			else
			{
				CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), event->getValue<std::string>("code"));
				++aRefused;
			}
		}
		CPPUNIT_ASSERT_EQUAL(5, messages);
	}

	void testFlooderIsClosedOthersChatOn()
	{
		// A bucket that does not refill during the test: exactly 20 pass.
		ChatServer server("rate_per_second = 0.001\nrate_burst = 20\nflood_close_after = 50");
		ChatClient flooder(server.port, "/f?nick=Flooder"), calm(server.port, "/f?nick=Calm");
		flooder.expect("welcome");
		calm.expect("welcome");
		flooder.expect("join");
		for (int i = 0; i < 100; ++i) flooder.send("spam " + std::to_string(i));
		calm.send("calm meanwhile");
		// Errors are sent at once, the room's messages at the end of the
		// server's loop iteration: the flooder's own echoes may come later
		// than the refusals of later frames, or not at all once it is closed.
		int echoed = 0;
		int refused = 0;
		for (;;)
		{
			const auto event = flooder.next();
			const std::string type = event->getValue<std::string>("type");
			if (type == "message")
			{
				if (event->getValue<std::string>("nick") == "Calm") continue;
				CPPUNIT_ASSERT_EQUAL("spam " + std::to_string(echoed), event->getValue<std::string>("text"));
				++echoed;
				continue;
			}
			CPPUNIT_ASSERT_EQUAL(std::string("error"), type);
			if (event->getValue<std::string>("code") == "flooding") break;
			CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), event->getValue<std::string>("code"));
			++refused;
		}
		CPPUNIT_ASSERT(echoed <= 20);
		CPPUNIT_ASSERT_EQUAL(49, refused); // the 50th refusal closes
		for (;;)
		{
			const auto event = flooder.ws.next();
			if (event.kind == WsTestClient::Event::Close)
			{
				CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::PolicyViolation), int(event.closeCode));
				break;
			}
			CPPUNIT_ASSERT_EQUAL_MESSAGE(event.payload, int(WsTestClient::Event::Message), int(event.kind));
			const auto message = ChatClient::parse(event.payload);
			if (message->getValue<std::string>("nick") == "Calm") continue;
			CPPUNIT_ASSERT_EQUAL("spam " + std::to_string(echoed++), message->getValue<std::string>("text"));
		}

		// The calm client got the 20 accepted ones in order, its own message
		// and the flooder's leave (those two in no set order), and chats on
		// normally.
		int spam = 0;
		bool ownSeen = false;
		bool leaveSeen = false;
		Poco::UInt64 nextId = 1;
		for (int i = 0; i < 22; ++i)
		{
			const auto event = calm.next();
			if (event->getValue<std::string>("type") == "leave")
			{
				CPPUNIT_ASSERT(!leaveSeen);
				leaveSeen = true;
				CPPUNIT_ASSERT_EQUAL(std::string("Flooder"), event->getValue<std::string>("nick"));
				continue;
			}
			CPPUNIT_ASSERT_EQUAL(std::string("message"), event->getValue<std::string>("type"));
			CPPUNIT_ASSERT_EQUAL(nextId++, event->getValue<Poco::UInt64>("id"));
			const std::string text = event->getValue<std::string>("text");
			if (text == "calm meanwhile")
			{
				CPPUNIT_ASSERT(!ownSeen);
				ownSeen = true;
				CPPUNIT_ASSERT_EQUAL(std::string("Calm"), event->getValue<std::string>("nick"));
			}
			else
			{
				CPPUNIT_ASSERT_EQUAL("spam " + std::to_string(spam++), text);
			}
		}
		CPPUNIT_ASSERT(ownSeen && leaveSeen);
		for (int i = 0; i < 5; ++i)
		{
			calm.send("calm " + std::to_string(i));
			const auto message = calm.expect("message");
			CPPUNIT_ASSERT_EQUAL("calm " + std::to_string(i), message->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(Poco::UInt64(22 + i), message->getValue<Poco::UInt64>("id"));
		}
	}

	void testRoomsAreIsolated()
	{
		ChatServer server("io_threads = 2");
		// a2 after a1's welcome: with two I/O threads, joins made at once
		// may complete in either order.
		ChatClient a1(server.port, "/a?nick=x");
		a1.expect("welcome");
		ChatClient a2(server.port, "/a?nick=y"), b1(server.port, "/b?nick=x");
		a2.expect("welcome");
		a1.expect("join");
		const auto welcome = b1.expect("welcome");
		CPPUNIT_ASSERT((std::vector<std::string>{"x"}) == strings(welcome->getArray("users")));
		a1.send("in a");
		CPPUNIT_ASSERT_EQUAL(std::string("in a"), a2.expect("message")->getValue<std::string>("text"));
		b1.send("in b");
		// b's first message is b's own, with id 1 of its own room.
		const auto message = b1.expect("message");
		CPPUNIT_ASSERT_EQUAL(std::string("in b"), message->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), message->getValue<Poco::UInt64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("in a"), a1.expect("message")->getValue<std::string>("text"));
		a2.send("a again");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), a1.expect("message")->getValue<Poco::UInt64>("id"));
		b1.leave();
		a1.send("last");
		CPPUNIT_ASSERT_EQUAL(std::string("a again"), a2.expect("message")->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("last"), a2.expect("message")->getValue<std::string>("text"));
	}

	void testVietnameseRoom()
	{
		ChatServer server;
		ChatClient an(server.port, "/H%C3%A0%20N%E1%BB%99i?nick=An");
		auto welcome = an.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("Hà Nội"), welcome->getValue<std::string>("room"));
		an.send("Xin chào Hà Nội!");
		an.expect("message");
		// Lower-case escapes name the same room.
		ChatClient binh(server.port, "/H%c3%a0%20N%e1%bb%99i?nick=B%C3%ACnh&since=0");
		welcome = binh.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("Hà Nội"), welcome->getValue<std::string>("room"));
		CPPUNIT_ASSERT((std::vector<std::string>{"An", "Bình"}) == strings(welcome->getArray("users")));
		const auto history = welcome->getArray("history");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), history->size());
		CPPUNIT_ASSERT_EQUAL(std::string("Xin chào Hà Nội!"), history->getObject(0)->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), an.expect("join")->getValue<std::string>("nick"));
		// Not the same room as its unaccented spelling.
		ChatClient other(server.port, "/Ha%20Noi?nick=C");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(0), other.expect("welcome")->getValue<Poco::UInt64>("lastId"));
	}

	void testOriginPolicy()
	{
		ChatServer server("allowed_origins = self:8080");
		Poco::Net::NameValueCollection page;
		page.set("Origin", "http://127.0.0.1:8080");
		CPPUNIT_ASSERT_EQUAL(101, WsTestClient::handshakeStatus(server.port, "/?nick=a", page));
		Poco::Net::NameValueCollection otherSite;
		otherSite.set("Origin", "http://evil.example");
		CPPUNIT_ASSERT_EQUAL(403, WsTestClient::handshakeStatus(server.port, "/?nick=a", otherSite));
	}

	// Shutdown with people in rooms, empty rooms with history and a message
	// in flight: everyone gets 1001, the process exits 0 (under the
	// sanitizers: nothing leaked or used after the engine went).
	void testSigtermClosesEveryoneAndExitsCleanly()
	{
		ChatServer server("io_threads = 2");
		{
			ChatClient gone(server.port, "/empty?nick=G");
			gone.expect("welcome");
			chat(gone, 3, 1);
			gone.leave();
		}
		ChatClient a(server.port, "/x?nick=a"), b(server.port, "/x?nick=b"), c(server.port, "/y");
		a.expect("welcome");
		b.expect("welcome");
		c.expect("welcome");
		a.send("in flight");
		::kill(server.process->pid(), SIGTERM);
		for (auto* client : {&a, &b, &c})
		{
			CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::GoingAway), int(client->ws.waitForClose()));
			client->ws.sendClose(ws::CloseCode::GoingAway);
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(server.process->output(), 0, server.process->waitForExit(Poco::Timespan(10, 0)));
	}

	void testBadConfigurationExits78()
	{
		const std::vector<std::pair<std::string, std::string>> cases = {
			{"history_size = lots", "history_size = lots: expected a whole number from 0 to 100000"},
			{"rate_per_second = 0", "rate_per_second = 0: expected a number from 0.001 to 1000000"},
			{"max_queued_bytes = 65536", "history_bytes = 131072 and max_users_per_room = 1000"},
			{"allowed_origins = ftp://x", "ftp://x"}};
		for (const auto& [keys, message] : cases)
		{
			const auto port = freeLoopbackPort();
			ServerProcess server({"--config=" + writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n"
				"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) + "\n"
				"plugin = chatroom\nclass = ChatroomPlugin\n" + keys + "\n")});
			CPPUNIT_ASSERT_EQUAL_MESSAGE(keys + ": " + server.output(), 78, server.waitForExit(Poco::Timespan(10, 0)));
			CPPUNIT_ASSERT_MESSAGE(server.output(), server.output().find(message) != std::string::npos);
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ChatroomTest);
