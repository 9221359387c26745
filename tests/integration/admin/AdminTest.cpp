//
// The operator API on the real webchatd: one chat listener and one admin
// listener in the same process, the admin reaching the chat rooms through
// the ChatService the chat plugin publishes in the host's registry (two
// real plugin libraries, each with its own hidden type_infos).
//

#include "ChatTestSupport.h"
#include "HostConfig.h"
#include "RedisServer.h"

#include "Poco/FileStream.h"
#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/StreamCopier.h"

#include <cppunit/extensions/HelperMacros.h>

#include <sys/stat.h>

#include <chrono>
#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

const std::string apiToken = "t0ken-for-the-admin-tests.0123456789abcdef";

struct ApiReply
{
	int status = 0;
	Poco::Net::HTTPResponse response;
	std::string body;

	/// The body's {"error":...}; fails the test unless it is one.
	std::string errorCode() const
	{
		const auto error = ChatClient::parse(body);
		CPPUNIT_ASSERT_MESSAGE(body, error->has("message") && !error->getValue<std::string>("message").empty());
		return error->getValue<std::string>("error");
	}
};

// webchatd with a chat listener ("chat", history in memory) and an admin
// listener governing it, from an .ini that a test may rewrite and SIGHUP.
class AdminServer
{
public:
	explicit AdminServer(const std::string& adminKeys = "", const std::string& chatKeys = ""):
		dir(makeTempDir()),
		ini(dir + "/webchat.ini"),
		tokenFile(dir + "/api-token"),
		chatPort(freeLoopbackPort()),
		adminPort(freeLoopbackPort())
	{
		writeIni(tokenFile, apiToken + "\n");
		writeIni(ini, configText(true, adminKeys, chatKeys));
		process = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + ini});
		if (!process->waitForPort(chatPort) || !process->waitForPort(adminPort)) CPPUNIT_FAIL("webchatd did not start: " + process->output());
	}

	std::string configText(bool withChat, const std::string& adminKeys = "", const std::string& chatKeys = "") const
	{
		std::string text = "[server]\nplugin_path = " + pluginDir() + "\n";
		if (withChat)
		{
			text += "[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(chatPort) + "\nplugin = chatroom\nclass = ChatroomPlugin\n"
				// A member who leaves is gone at once (no leave_grace_ms).
				"max_text_bytes = 100\nleave_grace_ms = 0\n" + std::string(SingleListenerServer::oneClientLimits) +
				(chatKeys.find("backend") == std::string::npos ? "backend = memory\n" : "") + chatKeys + "\n";
		}
		text += "[listeners.admin]\naddress = 127.0.0.1\nport = " + std::to_string(adminPort) + "\nplugin = admin\nclass = AdminPlugin\n"
			"api_token_file = api-token\nmax_json_bytes = 1024\n" + adminKeys + "\n";
		return text;
	}

	ApiReply api(const std::string& method, const std::string& uri, const std::string& body = "",
		const std::string& authorization = "Bearer " + apiToken, const std::string& contentType = "application/json") const
	{
		Poco::Net::HTTPClientSession session("127.0.0.1", adminPort);
		session.setTimeout(Poco::Timespan(10, 0));
		Poco::Net::HTTPRequest request(method, uri, Poco::Net::HTTPMessage::HTTP_1_1);
		if (!authorization.empty()) request.set("Authorization", authorization);
		if (!body.empty())
		{
			request.setContentType(contentType);
			request.setContentLength64(static_cast<Poco::Int64>(body.size()));
		}
		session.sendRequest(request) << body;
		ApiReply reply;
		std::istream& in = session.receiveResponse(reply.response);
		reply.status = reply.response.getStatus();
		Poco::StreamCopier::copyToString(in, reply.body);
		if (!reply.body.empty())
			CPPUNIT_ASSERT_EQUAL_MESSAGE(uri, std::string("application/json; charset=utf-8"), reply.response.getContentType());
		return reply;
	}

	std::string dir;
	std::string ini;
	std::string tokenFile;
	Poco::UInt16 chatPort;
	Poco::UInt16 adminPort;
	std::unique_ptr<ServerProcess> process;
};

Poco::JSON::Array::Ptr parseArray(const std::string& json)
{
	Poco::JSON::Parser parser;
	const auto parsed = parser.parse(json);
	CPPUNIT_ASSERT_MESSAGE(json, parsed.type() == typeid(Poco::JSON::Array::Ptr));
	return parsed.extract<Poco::JSON::Array::Ptr>();
}

} // namespace

class AdminTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AdminTest);
	CPPUNIT_TEST(testEveryRouteNeedsTheToken);
	CPPUNIT_TEST(testListsRoomsUsersAndMessages);
	CPPUNIT_TEST(testPostReachesConnectedClients);
	CPPUNIT_TEST(testPostReachesEveryInstanceWithRedis);
	CPPUNIT_TEST(testBadInputsAreRefusedWithTheirCode);
	CPPUNIT_TEST(testModerationRoutesActOnTheRooms);
	CPPUNIT_TEST(testMessagesOlderThanTheRoomsMemoryComeFromTheStore);
	CPPUNIT_TEST(testListenerParameter);
	CPPUNIT_TEST(testSighupRemovingTheChatListenerAnswers503);
	CPPUNIT_TEST(testSighupReplacingTheChatListenerReachesTheNewOne);
	CPPUNIT_TEST(testTokenFileProblemsExit78);
	CPPUNIT_TEST(testCheckConfig);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryRouteNeedsTheToken()
	{
		AdminServer server;
		ChatClient alice(server.chatPort, "/lobby?nick=alice");
		alice.expect("welcome");
		struct Route
		{
			std::string method;
			std::string uri;
			std::string body;
			int status; // with the token
		};
		const std::vector<Route> routes{
			{"GET", "/api/v1/rooms", "", 200},
			{"GET", "/api/v1/rooms/lobby/users", "", 200},
			{"GET", "/api/v1/rooms/lobby/messages?limit=10", "", 200},
			{"POST", "/api/v1/rooms/lobby/messages", R"({"text":"hi","nick":"bot"})", 201},
			{"DELETE", "/api/v1/rooms/lobby/messages/1", "", 200},
			{"POST", "/api/v1/rooms/lobby/kick", R"({"nick":"alice","reason":"test"})", 200},
			{"POST", "/api/v1/bans", R"({"nick":"mallory","seconds":60,"reason":"test"})", 201},
			{"GET", "/api/v1/bans", "", 200},
			{"DELETE", "/api/v1/bans/1", "", 200},
			{"GET", "/api/v1/nosuch", "", 404},
		};
		for (const auto& route : routes)
		{
			const std::string what = route.method + " " + route.uri;
			const auto missing = server.api(route.method, route.uri, route.body, "");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + missing.body, 401, missing.status);
			CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), missing.errorCode());
			CPPUNIT_ASSERT_EQUAL(std::string("Bearer realm=\"webchat admin\""), missing.response.get("WWW-Authenticate", ""));
			for (const std::string& wrong : {"Bearer " + apiToken.substr(1), "Bearer " + apiToken + "x", "Basic " + apiToken, apiToken})
			{
				const auto refused = server.api(route.method, route.uri, route.body, wrong);
				CPPUNIT_ASSERT_EQUAL_MESSAGE(what + " with " + wrong, 401, refused.status);
				CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), refused.errorCode());
			}
			const auto good = server.api(route.method, route.uri, route.body);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": " + good.body, route.status, good.status);
		}
		// The one post went through the room, then was deleted, then alice
		// was kicked.
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), alice.expect("message")->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), alice.expect("deleted")->getValue<Poco::UInt64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("test"), alice.expect("kicked")->getValue<std::string>("reason"));
		CPPUNIT_ASSERT_EQUAL(4403, int(alice.ws.waitForClose()));
	}

	void testListsRoomsUsersAndMessages()
	{
		AdminServer server;
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), server.api("GET", "/api/v1/rooms").body);
		ChatClient alice(server.chatPort, "/lobby?nick=alice");
		alice.expect("welcome");
		ChatClient binh(server.chatPort, "/H%C3%A0%20N%E1%BB%99i?nick=B%C3%ACnh");
		binh.expect("welcome");
		for (const char* text : {"one", "two", "three"}) alice.send(say(text));
		for (int i = 1; i <= 3; ++i) CPPUNIT_ASSERT_EQUAL(Poco::UInt64(i), alice.expect("message")->getValue<Poco::UInt64>("id"));

		const auto rooms = server.api("GET", "/api/v1/rooms");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(rooms.body, 200, rooms.status);
		CPPUNIT_ASSERT_EQUAL(std::string(R"([{"room":"H\u00E0 N\u1ED9i","users":1,"lastId":0},{"room":"lobby","users":1,"lastId":3}])"), rooms.body);
		const auto parsedRooms = parseArray(rooms.body);
		CPPUNIT_ASSERT_EQUAL(std::string("H\xC3\xA0 N\xE1\xBB\x99i"), parsedRooms->getObject(0)->getValue<std::string>("room"));

		const auto users = server.api("GET", "/api/v1/rooms/H%C3%A0%20N%E1%BB%99i/users");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(users.body, 200, users.status);
		const auto member = parseArray(users.body)->getObject(0);
		CPPUNIT_ASSERT_EQUAL(std::string("B\xC3\xACnh"), member->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), member->getValue<std::string>("address"));
		CPPUNIT_ASSERT_EQUAL(false, member->getValue<bool>("verified"));
		CPPUNIT_ASSERT(member->has("from"));

		// Newest last; limit takes the newest; before goes back.
		auto ids = [](const ApiReply& reply) {
			std::vector<Poco::UInt64> result;
			const auto messages = parseArray(reply.body);
			for (unsigned i = 0; i < messages->size(); ++i) result.push_back(messages->getObject(i)->getValue<Poco::UInt64>("id"));
			return result;
		};
		CPPUNIT_ASSERT((ids(server.api("GET", "/api/v1/rooms/lobby/messages")) == std::vector<Poco::UInt64>{1, 2, 3}));
		CPPUNIT_ASSERT((ids(server.api("GET", "/api/v1/rooms/lobby/messages?limit=2")) == std::vector<Poco::UInt64>{2, 3}));
		CPPUNIT_ASSERT((ids(server.api("GET", "/api/v1/rooms/lobby/messages?before=3&limit=1")) == std::vector<Poco::UInt64>{2}));
		CPPUNIT_ASSERT((ids(server.api("GET", "/api/v1/rooms/lobby/messages?before=1")).empty()));
		const auto first = parseArray(server.api("GET", "/api/v1/rooms/lobby/messages?limit=3").body)->getObject(0);
		CPPUNIT_ASSERT_EQUAL(std::string("message"), first->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(std::string("alice"), first->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("one"), first->getValue<std::string>("text"));

		// A member who left is no longer listed; the room stays for its history.
		alice.leave();
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), server.api("GET", "/api/v1/rooms/lobby/users").body);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), parseArray(server.api("GET", "/api/v1/rooms/lobby/messages").body)->size());
	}

	void testPostReachesConnectedClients()
	{
		AdminServer server;
		ChatClient alice(server.chatPort, "/lobby?nick=alice");
		alice.expect("welcome");
		alice.send(say("before"));
		alice.expect("message");

		const auto posted = server.api("POST", "/api/v1/rooms/lobby/messages", R"({"text":"maintenance at 10:00 \u2014 xin l\u1ed7i","nick":"ops-bot"})");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":2})"), posted.body);
		const auto message = alice.expect("message");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), message->getValue<Poco::UInt64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("ops-bot"), message->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("maintenance at 10:00 \xE2\x80\x94 xin l\xE1\xBB\x97i"), message->getValue<std::string>("text"));

		// Without a nick the server speaks as "system"; a newcomer finds both in the history.
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":3})"), server.api("POST", "/api/v1/rooms/lobby/messages", R"({"text":"second"})").body);
		CPPUNIT_ASSERT_EQUAL(std::string("system"), alice.expect("message")->getValue<std::string>("nick"));
		ChatClient binh(server.chatPort, "/lobby?nick=binh");
		CPPUNIT_ASSERT((historyIds(binh.expect("welcome")) == std::vector<Poco::UInt64>{1, 2, 3}));
		CPPUNIT_ASSERT(contains(server.process->output(), "posted to lobby as ops-bot, id 2"));
	}

	void testPostReachesEveryInstanceWithRedis()
	{
		RedisServer redis;
		const std::string shared = "backend = redis\nredis_address = " + redis.address() + "\nredis_timeout_ms = 1000\n";
		AdminServer here("", shared);
		ChatServer there(shared);
		ChatClient alice(here.chatPort, "/lobby?nick=alice");
		alice.expect("welcome");
		ChatClient binh(there.port, "/lobby?nick=binh");
		binh.expect("welcome");
		alice.expect("join");

		// Numbered by Redis after the answer: no id yet.
		const auto posted = here.api("POST", "/api/v1/rooms/lobby/messages", R"({"text":"to everyone","nick":"ops-bot"})");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(posted.body, 201, posted.status);
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"id":null})"), posted.body);
		for (ChatClient* client : {&alice, &binh})
		{
			const auto message = client->expect("message");
			CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), message->getValue<Poco::UInt64>("id"));
			CPPUNIT_ASSERT_EQUAL(std::string("ops-bot"), message->getValue<std::string>("nick"));
			CPPUNIT_ASSERT_EQUAL(std::string("to everyone"), message->getValue<std::string>("text"));
		}
		// The other instance's member is listed by nick only.
		const auto users = parseArray(here.api("GET", "/api/v1/rooms/lobby/users").body);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), users->size());
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), users->getObject(0)->getValue<std::string>("address"));
		CPPUNIT_ASSERT_EQUAL(std::string("binh"), users->getObject(1)->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(users->getObject(1)->isNull("address"));
		CPPUNIT_ASSERT(users->getObject(1)->isNull("from"));
		CPPUNIT_ASSERT_EQUAL(std::string(R"([{"room":"lobby","users":2,"lastId":1}])"), here.api("GET", "/api/v1/rooms").body);
	}

	void testBadInputsAreRefusedWithTheirCode()
	{
		AdminServer server;
		ChatClient alice(server.chatPort, "/lobby?nick=alice");
		alice.expect("welcome");
		auto expect = [&](int status, const std::string& code, const std::string& method, const std::string& uri, const std::string& body = "",
						  const std::string& contentType = "application/json") {
			const auto reply = server.api(method, uri, body, "Bearer " + apiToken, contentType);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method + " " + uri + " " + body + ": " + reply.body, status, reply.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, code, reply.errorCode());
			return reply;
		};
		const std::string post = "/api/v1/rooms/lobby/messages";
		expect(404, "not_found", "GET", "/");
		expect(404, "not_found", "GET", "/api/v1/rooms/lobby");
		expect(404, "no_such_room", "GET", "/api/v1/rooms/elsewhere/users");
		expect(404, "no_such_room", "POST", "/api/v1/rooms/elsewhere/messages", R"({"text":"hi"})");
		CPPUNIT_ASSERT_EQUAL(std::string("GET, POST"), expect(405, "method_not_allowed", "PUT", post).response.get("Allow", ""));
		// Room names go through the chat room's own rules: a zero-width joiner, a name too long.
		expect(400, "invalid_request", "GET", "/api/v1/rooms/lob%E2%80%8Dby/users");
		expect(400, "invalid_request", "GET", "/api/v1/rooms/" + std::string(65, 'r') + "/users");
		expect(400, "invalid_request", "GET", "/api/v1/rooms/lobby/messages?limit=0");
		expect(400, "invalid_request", "GET", "/api/v1/rooms/lobby/messages?before=x");
		expect(415, "unsupported_media_type", "POST", post, R"({"text":"hi"})", "text/plain");
		expect(415, "unsupported_media_type", "POST", post, R"({"text":"hi"})", "application/json; charset=latin1");
		expect(413, "body_too_large", "POST", post, R"({"text":")" + std::string(2000, 'x') + "\"}");
		expect(400, "invalid_json", "POST", post, "{\"text\":");
		expect(400, "invalid_json", "POST", post, "[\"hi\"]");
		expect(400, "invalid_json", "POST", post, R"({"text":"hi","x":[[[[[[1]]]]]]})");
		expect(400, "invalid_request", "POST", post, R"({"text":"hi","colour":"red"})");
		expect(400, "invalid_request", "POST", post, R"({"nick":"bot"})");
		expect(400, "invalid_request", "POST", post, R"({"text":""})");
		expect(400, "invalid_request", "POST", post, R"({"text":5})");
		expect(400, "invalid_request", "POST", post, R"({"text":")" + std::string(101, 'x') + "\"}"); // max_text_bytes = 100
		expect(400, "invalid_request", "POST", post, R"({"text":"hi","nick":"a\u200Db"})");
		expect(400, "invalid_request", "POST", post, R"({"text":"hi","nick":""})");
		expect(400, "invalid_json", "POST", post, "{\"text\":\"\xC3\x28\"}");
		expect(400, "invalid_json", "POST", post, R"({"text":"\ud800"})"); // a lone surrogate
		// None of them reached the room.
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), server.api("GET", "/api/v1/rooms/lobby/messages").body);
		alice.send(say("still here"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), alice.expect("message")->getValue<Poco::UInt64>("id"));
	}

	void testModerationRoutesActOnTheRooms()
	{
		AdminServer server;
		ChatClient alice(server.chatPort, "/lobby?nick=alice");
		alice.expect("welcome");
		ChatClient binh(server.chatPort, "/lobby?nick=B%C3%ACnh");
		binh.expect("welcome");
		alice.expect("join");
		for (const char* text : {"one", "two"}) alice.send(say(text));
		for (int i = 1; i <= 2; ++i)
		{
			alice.expect("message");
			binh.expect("message");
		}

		// A deletion: everyone is told, the history keeps a tombstone.
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"deleted":1})"), server.api("DELETE", "/api/v1/rooms/lobby/messages/1").body);
		const auto deleted = binh.expect("deleted");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), deleted->getValue<Poco::UInt64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("operator"), deleted->getValue<std::string>("by"));
		alice.expect("deleted");
		const auto history = parseArray(server.api("GET", "/api/v1/rooms/lobby/messages").body);
		CPPUNIT_ASSERT(history->getObject(0)->getValue<bool>("deleted"));
		CPPUNIT_ASSERT(!history->getObject(0)->has("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("two"), history->getObject(1)->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("no_such_message"), server.api("DELETE", "/api/v1/rooms/lobby/messages/99").errorCode());
		CPPUNIT_ASSERT_EQUAL(std::string("no_such_room"), server.api("DELETE", "/api/v1/rooms/elsewhere/messages/1").errorCode());

		// A kick, by the nick in another spelling.
		CPPUNIT_ASSERT_EQUAL(200, server.api("POST", "/api/v1/rooms/lobby/kick", R"({"nick":"ALICE","reason":"spam"})").status);
		CPPUNIT_ASSERT_EQUAL(std::string("spam"), alice.expect("kicked")->getValue<std::string>("reason"));
		CPPUNIT_ASSERT_EQUAL(4403, int(alice.ws.waitForClose()));
		CPPUNIT_ASSERT_EQUAL(std::string("alice"), binh.expect("leave")->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("no_such_member"), server.api("POST", "/api/v1/rooms/lobby/kick", R"({"nick":"alice"})").errorCode());

		// A ban of a nick in one room, listed, then lifted.
		const auto banned = server.api("POST", "/api/v1/bans", R"({"room":"lobby","nick":"mallory","seconds":600,"reason":"spam"})");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(banned.body, 201, banned.status);
		const auto id = ChatClient::parse(banned.body)->getValue<Poco::UInt64>("id");
		ChatClient(server.chatPort, "/lobby?nick=Mallory").expectRefusal("banned", 4403);
		ChatClient elsewhere(server.chatPort, "/kitchen?nick=mallory");
		// Its nick token: the nick is kept for it from now on.
		const std::string malloryToken = elsewhere.expect("welcome")->getValue<std::string>("token");
		const auto bans = parseArray(server.api("GET", "/api/v1/bans").body);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), bans->size());
		CPPUNIT_ASSERT_EQUAL(id, bans->getObject(0)->getValue<Poco::UInt64>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("mallory"), bans->getObject(0)->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(std::string("spam"), bans->getObject(0)->getValue<std::string>("reason"));
		CPPUNIT_ASSERT(bans->getObject(0)->getValue<Poco::Int64>("expires") > 0);
		CPPUNIT_ASSERT_EQUAL(200, server.api("DELETE", "/api/v1/bans/" + std::to_string(id)).status);
		CPPUNIT_ASSERT_EQUAL(std::string("no_such_ban"), server.api("DELETE", "/api/v1/bans/" + std::to_string(id)).errorCode());
		ChatClient(server.chatPort, "/lobby?nick=mallory&token=" + malloryToken).expect("welcome");

		// A ban of an address without a room holds in every room.
		const auto everywhere = server.api("POST", "/api/v1/bans", R"({"address":"127.0.0.1","seconds":60})");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(everywhere.body, 201, everywhere.status);
		ChatClient(server.chatPort, "/garden?nick=anyone").expectRefusal("banned", 4403);
		server.api("DELETE", "/api/v1/bans/" + std::to_string(ChatClient::parse(everywhere.body)->getValue<Poco::UInt64>("id")));
		ChatClient(server.chatPort, "/garden?nick=anyone").expect("welcome");

		// Bad values are refused before anything happens.
		for (const std::string& body : {std::string(R"({"nick":"x","seconds":0})"), std::string(R"({"seconds":60})"),
				 std::string(R"({"address":"10.1","seconds":60})"), std::string(R"({"nick":"a‍b","seconds":60})"),
				 std::string(R"({"room":"lo​bby","nick":"x","seconds":60})"), std::string(R"({"nick":"x","seconds":31622401})")})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(body, std::string("invalid_request"), server.api("POST", "/api/v1/bans", body).errorCode());
		CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), server.api("POST", "/api/v1/rooms/lobby/kick", R"({"reason":"x"})").errorCode());
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), server.api("GET", "/api/v1/bans").body);
	}

	void testMessagesOlderThanTheRoomsMemoryComeFromTheStore()
	{
		olderMessagesFromTheStore("backend = sqlite\ndatabase = history.db\nbatch_window_ms = 1\n");
		RedisServer redis;
		olderMessagesFromTheStore("backend = redis\nredis_address = " + redis.address() + "\nredis_timeout_ms = 1000\n");
	}

	// history_size 2: the room's memory has the newest two of five messages;
	// the rest is read from the store (SQLite commits within a millisecond,
	// Redis numbers them itself: wait for all five).
	void olderMessagesFromTheStore(const std::string& backend)
	{
		AdminServer server("", backend + "history_size = 2\n");
		ChatClient alice(server.chatPort, "/lobby?nick=alice");
		alice.expect("welcome");
		for (const char* text : {"one", "two", "three", "four", "five"}) alice.send(say(text));
		for (int i = 1; i <= 5; ++i) alice.expect("message");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(backend, 200, server.api("DELETE", "/api/v1/rooms/lobby/messages/2").status);
		alice.expect("deleted");
		auto texts = [&](const std::string& query) {
			std::vector<std::string> result;
			const auto messages = parseArray(server.api("GET", "/api/v1/rooms/lobby/messages" + query).body);
			for (unsigned i = 0; i < messages->size(); ++i)
			{
				const auto message = messages->getObject(i);
				result.push_back(std::to_string(message->getValue<Poco::UInt64>("id")) + ":" +
					(message->has("deleted") ? "deleted" : message->getValue<std::string>("text")));
			}
			return result;
		};
		const std::vector<std::string> expected{"1:one", "2:deleted", "3:three", "4:four", "5:five"};
		std::vector<std::string> all;
		for (int attempt = 0; attempt < 100 && all != expected; ++attempt)
		{
			all = texts("");
			if (all != expected) std::this_thread::sleep_for(std::chrono::milliseconds(20));
		}
		CPPUNIT_ASSERT_MESSAGE(backend, all == expected);
		CPPUNIT_ASSERT_MESSAGE(backend, (texts("?limit=3") == std::vector<std::string>{"3:three", "4:four", "5:five"}));
		CPPUNIT_ASSERT_MESSAGE(backend, (texts("?before=4&limit=2") == std::vector<std::string>{"2:deleted", "3:three"}));
		CPPUNIT_ASSERT_MESSAGE(backend, (texts("?before=2") == std::vector<std::string>{"1:one"}));
	}

	void testListenerParameter()
	{
		AdminServer server("chat_listeners = chat, spare\n");
		CPPUNIT_ASSERT_EQUAL(200, server.api("GET", "/api/v1/rooms?listener=chat").status);
		// Governed but not configured: not serving.
		const auto spare = server.api("GET", "/api/v1/rooms?listener=spare");
		CPPUNIT_ASSERT_EQUAL(503, spare.status);
		CPPUNIT_ASSERT_EQUAL(std::string("unavailable"), spare.errorCode());
		CPPUNIT_ASSERT_MESSAGE(spare.body, contains(spare.body, "chat listener spare is not serving"));
		// Not governed at all, though it exists: the admin listener itself.
		const auto other = server.api("GET", "/api/v1/rooms?listener=admin");
		CPPUNIT_ASSERT_EQUAL(400, other.status);
		CPPUNIT_ASSERT_EQUAL(std::string("invalid_request"), other.errorCode());
	}

	void testSighupRemovingTheChatListenerAnswers503()
	{
		AdminServer server;
		CPPUNIT_ASSERT_EQUAL(200, server.api("GET", "/api/v1/rooms").status);
		writeIni(server.ini, server.configText(false));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), sighupAndWait(*server.process, 1));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(server.process->output(), "listener chat: closed"));
		for (int i = 0; i < 3; ++i)
		{
			const auto reply = server.api("GET", "/api/v1/rooms");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(reply.body, 503, reply.status);
			CPPUNIT_ASSERT_EQUAL(std::string("unavailable"), reply.errorCode());
		}
		CPPUNIT_ASSERT_EQUAL(503, server.api("POST", "/api/v1/rooms/lobby/messages", R"({"text":"hi"})").status);
		// Back again: served again, by the new instance.
		writeIni(server.ini, server.configText(true));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), sighupAndWait(*server.process, 2));
		CPPUNIT_ASSERT_EQUAL(200, server.api("GET", "/api/v1/rooms").status);
		CPPUNIT_ASSERT_EQUAL(0, server.process->stop());
	}

	void testSighupReplacingTheChatListenerReachesTheNewOne()
	{
		AdminServer server;
		ChatClient alice(server.chatPort, "/old-room?nick=alice");
		alice.expect("welcome");
		CPPUNIT_ASSERT(contains(server.api("GET", "/api/v1/rooms").body, "old-room"));
		writeIni(server.ini, server.configText(true, "", "history_size = 50\n"));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), sighupAndWait(*server.process, 1));
		CPPUNIT_ASSERT_MESSAGE(server.process->output(), contains(server.process->output(), "listener chat: chatroom/ChatroomPlugin replaced"));
		// alice stays with the old instance; the API governs the new one.
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), server.api("GET", "/api/v1/rooms").body);
		ChatClient binh(server.chatPort, "/new-room?nick=binh");
		binh.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(201, server.api("POST", "/api/v1/rooms/new-room/messages", R"({"text":"to the new one"})").status);
		CPPUNIT_ASSERT_EQUAL(std::string("to the new one"), binh.expect("message")->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(0, server.process->stop());
	}

	void testTokenFileProblemsExit78()
	{
		const std::string dir = makeTempDir();
		const auto adminPort = freeLoopbackPort();
		auto ini = [&](const std::string& keys) {
			return config("[listeners.admin]\naddress = 127.0.0.1\nport = " + std::to_string(adminPort) + "\nplugin = admin\nclass = AdminPlugin\n" + keys);
		};
		const std::string plugins = "--define=server.plugin_path=" + pluginDir();
		expectConfigErrorArgs({"--config=" + writeTempFile(ini("")), plugins}, {"api_token_file"});
		writeIni(dir + "/empty", "\n");
		expectConfigErrorArgs({"--config=" + writeTempFile(ini("api_token_file = " + dir + "/empty\n")), plugins}, {"api_token_file", "the token is empty"});
		expectConfigErrorArgs({"--config=" + writeTempFile(ini("api_token_file = " + dir + "/absent\n")), plugins}, {"api_token_file", "cannot be read"});
		writeIni(dir + "/unreadable", "secret\n");
		::chmod((dir + "/unreadable").c_str(), 0);
		if (::geteuid() != 0)
			expectConfigErrorArgs({"--config=" + writeTempFile(ini("api_token_file = " + dir + "/unreadable\n")), plugins}, {"api_token_file", "cannot be read"});
		expectConfigErrorArgs({"--config=" + writeTempFile(ini("api_token_file = " + dir + "/empty\nchat_listener = chat\n")), plugins},
			{"chat_listener", "did you mean chat_listeners?"});
	}

	void testCheckConfig()
	{
		AdminServer server;
		// The running configuration checks out; nothing of it is opened twice.
		const std::string output = runToExit({"--config=" + server.ini, "--check-config"}, 0);
		CPPUNIT_ASSERT_MESSAGE(output, contains(output, "listener admin: admin/AdminPlugin on 127.0.0.1:" + std::to_string(server.adminPort) + ": configuration OK"));
		CPPUNIT_ASSERT_EQUAL(200, server.api("GET", "/api/v1/rooms").status);
		writeIni(server.tokenFile, "");
		const std::string broken = runToExit({"--config=" + server.ini, "--check-config"}, EXIT_CONFIG);
		CPPUNIT_ASSERT_MESSAGE(broken, contains(broken, "the token is empty"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AdminTest);
