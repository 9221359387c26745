//
// GET /rooms on the real webchatd's chat port: the rooms with members,
// busiest first, at most 100, names as shown; readable by a page of an
// allowed origin (Access-Control-Allow-Origin), 403 for another origin,
// 429 past the address's rate; a WebSocket to the room "rooms" is still a
// room.
//

#include "ChatTestSupport.h"
#include "HttpGet.h"

#include "Poco/JSON/Array.h"


using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

Poco::JSON::Array::Ptr parseList(const std::string& json)
{
	Poco::JSON::Parser parser;
	const auto parsed = parser.parse(json);
	CPPUNIT_ASSERT_MESSAGE(json, parsed.type() == typeid(Poco::JSON::Array::Ptr));
	return parsed.extract<Poco::JSON::Array::Ptr>();
}

HttpReply roomsFrom(std::uint16_t port, const std::string& origin)
{
	Poco::Net::NameValueCollection headers;
	headers.add("Origin", origin);
	return httpRequest(port, "GET", "/rooms", headers);
}

} // namespace

class RoomListTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RoomListTest);
	CPPUNIT_TEST(testBusiestFirstWithUsers);
	CPPUNIT_TEST(testAtMostAHundred);
	CPPUNIT_TEST(testOrigins);
	CPPUNIT_TEST(testRateLimited);
	CPPUNIT_TEST_SUITE_END();

public:
	void testBusiestFirstWithUsers()
	{
		ChatServer server;
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), httpGet(server.port, "/rooms").body);
		auto a = joined(server.port, "/lobby?nick=A");
		auto b = joined(server.port, "/Lobby?nick=B", {a.get()});
		auto c = joined(server.port, "/lobby?nick=C", {a.get(), b.get()});
		auto d = joined(server.port, "/H%C3%A0%20N%E1%BB%99i?nick=D");
		auto e = joined(server.port, "/H%C3%A0%20N%E1%BB%99i?nick=E", {d.get()});
		auto f = joined(server.port, "/zen?nick=F");
		{
			// A room whose member left is not listed.
			auto gone = joined(server.port, "/empty?nick=G");
			gone->leave();
		}
		// A WebSocket to the room "rooms" is a room like any.
		auto r = joined(server.port, "/rooms?nick=R");

		const auto reply = httpGet(server.port, "/rooms?fresh=1");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("application/json; charset=utf-8"), reply.response.getContentType());
		CPPUNIT_ASSERT_EQUAL(std::string("no-store"), reply.response.get("Cache-Control"));
		CPPUNIT_ASSERT_EQUAL(std::string("nosniff"), reply.response.get("X-Content-Type-Options"));
		CPPUNIT_ASSERT(!reply.response.has("Access-Control-Allow-Origin"));
		const auto rooms = parseList(reply.body);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, std::size_t(4), rooms->size());
		// Busiest first, then by name; shown as the first joiner typed it.
		const std::vector<std::pair<std::string, int>> expected{{"lobby", 3}, {"Hà Nội", 2}, {"rooms", 1}, {"zen", 1}};
		for (unsigned i = 0; i < rooms->size(); ++i)
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, expected[i].first, rooms->getObject(i)->getValue<std::string>("room"));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, expected[i].second, rooms->getObject(i)->getValue<int>("users"));
		}
		// Counts follow leaves.
		c->leave();
		a->expect("leave");
		CPPUNIT_ASSERT_EQUAL(2, parseList(httpGet(server.port, "/rooms").body)->getObject(0)->getValue<int>("users"));
	}

	void testAtMostAHundred()
	{
		ChatServer server;
		std::vector<std::unique_ptr<ChatClient>> members;
		for (int i = 0; i < 103; ++i) members.push_back(joined(server.port, "/room-" + std::to_string(i) + "?nick=M"));
		members.push_back(joined(server.port, "/room-50?nick=N", {members[50].get()}));
		const auto rooms = parseList(httpGet(server.port, "/rooms").body);
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), rooms->size());
		CPPUNIT_ASSERT_EQUAL(std::string("room-50"), rooms->getObject(0)->getValue<std::string>("room"));
		CPPUNIT_ASSERT_EQUAL(2, rooms->getObject(0)->getValue<int>("users"));
	}

	void testOrigins()
	{
		// The page on another port of the same host, as shipped.
		ChatServer server("allowed_origins = self:8080\n");
		auto a = joined(server.port, "/lobby?nick=A");
		const auto allowed = roomsFrom(server.port, "http://127.0.0.1:8080");
		CPPUNIT_ASSERT_EQUAL(200, allowed.status);
		CPPUNIT_ASSERT_EQUAL(std::string("http://127.0.0.1:8080"), allowed.response.get("Access-Control-Allow-Origin"));
		CPPUNIT_ASSERT_EQUAL(std::string("Origin"), allowed.response.get("Vary"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), parseList(allowed.body)->size());
		for (const std::string origin : {"http://127.0.0.1:9999", "https://evil.example", "null"})
		{
			const auto refused = roomsFrom(server.port, origin);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(origin, 403, refused.status);
			CPPUNIT_ASSERT_MESSAGE(origin, !refused.response.has("Access-Control-Allow-Origin"));
			CPPUNIT_ASSERT_MESSAGE(refused.body, refused.body.find("lobby") == std::string::npos);
		}
		// Other methods and paths are the WebSocket listener's, as before.
		CPPUNIT_ASSERT_EQUAL(405, httpRequest(server.port, "POST", "/rooms").status);
		CPPUNIT_ASSERT(httpGet(server.port, "/roomsx").status >= 400);
	}

	void testRateLimited()
	{
		ChatServer server("rate_per_ip_per_second = 0.001\nrate_per_ip_burst = 3\n");
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(200, httpGet(server.port, "/rooms").status);
		const auto refused = httpGet(server.port, "/rooms");
		CPPUNIT_ASSERT_EQUAL(429, refused.status);
		CPPUNIT_ASSERT_EQUAL(std::string("1"), refused.response.get("Retry-After"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RoomListTest);
