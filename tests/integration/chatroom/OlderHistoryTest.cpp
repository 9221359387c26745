//
// Older history on the real webchatd: {"type":"history","before":…,"limit":…}
// answered to the asker alone from the room's memory and, for what is
// older than it keeps (history_size small here), from the SQLite store;
// the limit capped, pages bounded by history_bytes, bad values refused with
// bad_request on a connection that stays open, and every request a frame
// under the rate limits.
//

#include "ChatTestSupport.h"

#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

std::string historyRequest(const std::string& before, const std::string& limit)
{
	return "{\"type\":\"history\",\"before\":" + before + (limit.empty() ? std::string() : ",\"limit\":" + limit) + "}";
}

struct Page
{
	std::vector<Poco::UInt64> ids;
	std::vector<std::string> texts;
	bool more = false;
	std::size_t bytes = 0;
};

Page readPage(ChatClient& client)
{
	const auto event = client.expect("history");
	Page page;
	page.more = event->getValue<bool>("more");
	const auto messages = event->getArray("messages");
	for (unsigned i = 0; i < messages->size(); ++i)
	{
		const auto message = messages->getObject(i);
		CPPUNIT_ASSERT_EQUAL(std::string("message"), message->getValue<std::string>("type"));
		page.ids.push_back(message->getValue<Poco::UInt64>("id"));
		page.texts.push_back(message->getValue<std::string>("text"));
	}
	page.bytes = client.lastRaw.size();
	return page;
}

Page askHistory(ChatClient& client, Poco::UInt64 before, int limit)
{
	client.send(historyRequest(std::to_string(before), std::to_string(limit)));
	return readPage(client);
}

// Asks, and checks the answer holds ids first..last and says more.
void expectPage(ChatClient& client, Poco::UInt64 before, int limit, Poco::UInt64 first, Poco::UInt64 last, bool more)
{
	const Page page = askHistory(client, before, limit);
	const std::string asked = "before " + std::to_string(before) + " limit " + std::to_string(limit);
	CPPUNIT_ASSERT_MESSAGE(asked, range(first, last) == page.ids);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(asked, more, page.more);
}

// Room "hist" with count messages m1..m<count> from An, on disk.
void fill(ChatServer& server, int count)
{
	ChatClient an(server.port, "/hist?nick=An");
	an.expect("welcome");
	chat(an, count, 1);
	an.leave();
	// Written within the batch window; the store serves what is on disk.
	std::this_thread::sleep_for(std::chrono::milliseconds(300));
	(void)server;
}

const std::string busyKeys = "history_size = 5\nrate_per_second = 100000\nrate_burst = 100000\nbatch_window_ms = 10\n";

} // namespace

class OlderHistoryTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(OlderHistoryTest);
	CPPUNIT_TEST(testPagesFromMemoryAndStore);
	CPPUNIT_TEST(testOnlyTheAskerGetsIt);
	CPPUNIT_TEST(testPagesAreBoundedByHistoryBytes);
	CPPUNIT_TEST(testBadValuesAreBadRequests);
	CPPUNIT_TEST(testRequestsCountAgainstTheRateLimit);
	CPPUNIT_TEST(testMemoryBackendHasNothingOlder);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPagesFromMemoryAndStore()
	{
		ChatServer server(busyKeys);
		fill(server, 130);
		ChatClient bo(server.port, "/hist?nick=Bo");
		CPPUNIT_ASSERT(range(126, 130) == historyIds(bo.expect("welcome")));

		// A limit beyond the cap is served as the cap (100), newest first
		// chosen, oldest first sent.
		const Page capped = askHistory(bo, 131, 1000);
		CPPUNIT_ASSERT(range(31, 130) == capped.ids);
		CPPUNIT_ASSERT_EQUAL(std::string("m31"), capped.texts.front());
		CPPUNIT_ASSERT(capped.more);
		// Older still, a page at a time: no gap, no duplicate.
		expectPage(bo, 31, 10, 21, 30, true);
		expectPage(bo, 21, 100, 1, 20, false);
		// Across the memory's edge: 126 and 127 from memory, 124 and 125
		// from the store.
		expectPage(bo, 128, 4, 124, 127, true);
		// Exactly the oldest ones: nothing older, so no more.
		expectPage(bo, 4, 3, 1, 3, false);
		// before beyond the newest: the newest.
		expectPage(bo, 5000, 2, 129, 130, true);
		// Below the first message: nothing.
		const Page none = askHistory(bo, 1, 10);
		CPPUNIT_ASSERT(none.ids.empty());
		CPPUNIT_ASSERT(!none.more);
		// Without a limit: the cap.
		bo.send(historyRequest("131", ""));
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), readPage(bo).ids.size());
		// The connection goes on as before.
		chat(bo, 1, 131);
	}

	void testOnlyTheAskerGetsIt()
	{
		ChatServer server(busyKeys);
		fill(server, 20);
		ChatClient bo(server.port, "/hist?nick=Bo");
		bo.expect("welcome");
		ChatClient chi(server.port, "/hist?nick=Chi");
		chi.expect("welcome");
		bo.expect("join");
		const Page page = askHistory(bo, 16, 5);
		CPPUNIT_ASSERT(range(11, 15) == page.ids);
		// Chi's next event is the message said after the request, not a page.
		bo.send("after");
		CPPUNIT_ASSERT_EQUAL(std::string("after"), chi.expect("message")->getValue<std::string>("text"));
		bo.expect("message");
	}

	void testPagesAreBoundedByHistoryBytes()
	{
		ChatServer server(busyKeys + "history_bytes = 1024\n");
		fill(server, 60);
		ChatClient bo(server.port, "/hist?nick=Bo");
		bo.expect("welcome");
		const Page page = askHistory(bo, 61, 100);
		// Each message event is about 90 bytes: a dozen fit, the newest ones.
		CPPUNIT_ASSERT_MESSAGE(std::to_string(page.ids.size()), page.ids.size() > 5 && page.ids.size() < 20);
		CPPUNIT_ASSERT(range(61 - page.ids.size(), 60) == page.ids);
		CPPUNIT_ASSERT(page.more);
		CPPUNIT_ASSERT_MESSAGE(std::to_string(page.bytes), page.bytes < 1024 + 64);
		// The next page goes on where this one stopped.
		const Page older = askHistory(bo, page.ids.front(), 100);
		CPPUNIT_ASSERT_EQUAL(page.ids.front() - 1, older.ids.back());
	}

	void testBadValuesAreBadRequests()
	{
		ChatServer server(busyKeys);
		fill(server, 3);
		ChatClient bo(server.port, "/hist?nick=Bo");
		bo.expect("welcome");
		for (const auto& [before, limit] : std::vector<std::pair<std::string, std::string>>{{"0", "10"}, {"-1", "10"}, {"\"5\"", "10"}, {"2.5", "10"},
				 {"9007199254740993", "10"}, {"5", "0"}, {"5", "-3"}, {"5", "\"10\""}, {"5", "true"}, {"null", "10"}})
		{
			bo.send(historyRequest(before, limit));
			const auto error = bo.expect("error");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(before + " " + limit, std::string("bad_request"), error->getValue<std::string>("code"));
			CPPUNIT_ASSERT_MESSAGE(bo.lastRaw, error->getValue<std::string>("message").find("history") != std::string::npos);
		}
		bo.send(R"({"type":"history"})");
		CPPUNIT_ASSERT_EQUAL(std::string("bad_request"), bo.expect("error")->getValue<std::string>("code"));
		// Still open, and still served.
		CPPUNIT_ASSERT(range(1, 3) == askHistory(bo, 4, 10).ids);
	}

	void testRequestsCountAgainstTheRateLimit()
	{
		ChatServer server("history_size = 5\nrate_per_second = 0.001\nrate_burst = 3\n");
		ChatClient bo(server.port, "/hist?nick=Bo");
		bo.expect("welcome");
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT(askHistory(bo, 10, 10).ids.empty());
		bo.send(historyRequest("10", "10"));
		CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), bo.expect("error")->getValue<std::string>("code"));
	}

	void testMemoryBackendHasNothingOlder()
	{
		ChatServer server("backend = memory\n" + busyKeys);
		ChatClient an(server.port, "/hist?nick=An");
		an.expect("welcome");
		chat(an, 12, 1);
		// The memory keeps the newest 5; older ones are gone for good.
		expectPage(an, 13, 100, 8, 12, false);
		expectPage(an, 10, 1, 9, 9, true);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(OlderHistoryTest);
