//
// ChatTestSupport.h
//
// The chat-room integration tests' helpers: the real webchatd with a
// chat-room listener (restartable, with a history database of its own), a
// client that reads events as JSON (checked with Poco's parser,
// independently of the server's JSON code), and shorthands.
//

#ifndef WEBCHAT_CHATTESTSUPPORT_INCLUDED
#define WEBCHAT_CHATTESTSUPPORT_INCLUDED

#include "ServerProcess.h"
#include "SingleListenerServer.h"
#include "TestPaths.h"
#include "WsTestClient.h"

#include "webchat/engine/Protocol.h"

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"
#include "Poco/JSON/Stringifier.h"

#include <cppunit/extensions/HelperMacros.h>

#include <chrono>
#include <csignal>
#include <initializer_list>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace webchat::test::chatroom {

using Poco::JSON::Object;

// webchatd with one chat-room listener on a free loopback port. Unless
// extraKeys name a database, the history goes to a fresh SQLite file of the
// server's own (dataDir/chat.db), which stays for restart(). Nicks are not
// reserved unless extraKeys set nick_reservation_days, and members leave
// without grace unless they set leave_grace_ms.
class ChatServer: public SingleListenerServer
{
public:
	explicit ChatServer(const std::string& extraKeys = "", const std::string& dataDir = makeTempDir()):
		// Every client is 127.0.0.1: the per-address frame and presence
		// budgets start raised, as the handshake one is (a test of one sets
		// it back).
		SingleListenerServer("chatroom", "ChatroomPlugin", "close_timeout_ms = 300\nrate_per_ip_per_second = 1000000\nrate_per_ip_burst = 1000000\n"
			"presence_events_per_ip_per_minute = 1000000\n" +
			(extraKeys.find("database") == std::string::npos ? "database = " + dataDir + "/chat.db\n" : std::string()) +
			// Tests come back under the same nick without its token: nicks
			// are kept only where a test asks for it.
			(extraKeys.find("nick_reservation_days") == std::string::npos ? "nick_reservation_days = 0\n" : std::string()) +
			// Members leave when their connection closes, unless a test
			// asks for a leave grace.
			(extraKeys.find("leave_grace_ms") == std::string::npos ? "leave_grace_ms = 0\n" : std::string()) + extraKeys),
		dataDir(dataDir),
		database(dataDir + "/chat.db")
	{
	}

	std::string dataDir;
	std::string database;
};

inline std::string jsonString(const std::string& text)
{
	std::ostringstream out;
	Poco::JSON::Stringifier::formatString(text, out);
	return out.str();
}

inline std::string say(const std::string& text)
{
	return "{\"type\":\"message\",\"text\":" + jsonString(text) + "}";
}

inline std::string nickChange(const std::string& nick)
{
	return "{\"type\":\"nick\",\"nick\":" + jsonString(nick) + "}";
}

inline std::int64_t wallClockMs()
{
	return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A WebSocket client that reads the server's events as JSON objects.
class ChatClient
{
public:
	ChatClient(std::uint16_t port, const std::string& path): ws(port, path) {}

	/// The next event; fails the test on anything but a text message.
	Object::Ptr next(int timeoutMs = 5000)
	{
		for (;;)
		{
			const auto event = ws.next(timeoutMs);
			if (event.kind == WsTestClient::Event::Ping) continue;
			CPPUNIT_ASSERT_EQUAL_MESSAGE("expected an event, got kind " + std::to_string(event.kind) + " " + event.payload,
				int(WsTestClient::Event::Message), int(event.kind));
			CPPUNIT_ASSERT_EQUAL(int(ws::Opcode::Text), int(event.opcode));
			lastRaw = event.payload;
			return parse(event.payload);
		}
	}

	static Object::Ptr parse(const std::string& json)
	{
		Poco::JSON::Parser parser;
		const auto parsed = parser.parse(json);
		CPPUNIT_ASSERT_MESSAGE(json, parsed.type() == typeid(Object::Ptr));
		return parsed.extract<Object::Ptr>();
	}

	/// The next event, which must be of that type.
	Object::Ptr expect(const std::string& type, int timeoutMs = 5000)
	{
		const auto event = next(timeoutMs);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(lastRaw, type, event->getValue<std::string>("type"));
		return event;
	}

	/// An error event with that code, then (closeCode != 0) that close
	/// code, which is answered; the server then closes the connection.
	void expectRefusal(const std::string& code, std::uint16_t closeCode)
	{
		const auto error = expect("error");
		CPPUNIT_ASSERT_EQUAL_MESSAGE(lastRaw, code, error->getValue<std::string>("code"));
		CPPUNIT_ASSERT_MESSAGE(lastRaw, !error->getValue<std::string>("message").empty());
		if (closeCode == 0) return;
		CPPUNIT_ASSERT_EQUAL(int(closeCode), int(ws.waitForClose()));
		ws.sendClose(closeCode);
		CPPUNIT_ASSERT_MESSAGE(code, ws.waitForEndOfStream());
	}

	void send(const std::string& frame) { ws.sendText(frame); }

	/// Closes cleanly; once the server's echo is here, it has processed the leave.
	void leave()
	{
		ws.sendClose(ws::CloseCode::Normal);
		CPPUNIT_ASSERT_EQUAL(int(ws::CloseCode::Normal), int(ws.waitForClose()));
	}

	WsTestClient ws;
	std::string lastRaw;
};

/// A client of path on port, welcomed, whose join the others (already in
/// the room) have read.
inline std::unique_ptr<ChatClient> joined(std::uint16_t port, const std::string& path, std::initializer_list<ChatClient*> others = {})
{
	auto client = std::make_unique<ChatClient>(port, path);
	client->expect("welcome");
	for (auto* other : others) other->expect("join");
	return client;
}

/// The text of client's next event, which must be a message.
inline std::string nextText(ChatClient& client, int timeoutMs = 5000)
{
	return client.expect("message", timeoutMs)->getValue<std::string>("text");
}

inline std::vector<std::string> strings(const Poco::JSON::Array::Ptr& array)
{
	std::vector<std::string> out;
	for (unsigned i = 0; i < array->size(); ++i) out.push_back(array->getElement<std::string>(i));
	return out;
}

inline std::vector<Poco::UInt64> historyIds(const Object::Ptr& welcome)
{
	std::vector<Poco::UInt64> ids;
	const auto history = welcome->getArray("history");
	for (unsigned i = 0; i < history->size(); ++i) ids.push_back(history->getObject(i)->getValue<Poco::UInt64>("id"));
	return ids;
}

inline std::vector<Poco::UInt64> range(Poco::UInt64 from, Poco::UInt64 to)
{
	std::vector<Poco::UInt64> ids;
	for (Poco::UInt64 id = from; id <= to; ++id) ids.push_back(id);
	return ids;
}

// Sends count messages "m1".."m<count>" and reads their echoes: ids first..first+count-1.
inline void chat(ChatClient& sender, int count, Poco::UInt64 firstId)
{
	for (int i = 1; i <= count; ++i) sender.send("m" + std::to_string(i));
	for (int i = 0; i < count; ++i) CPPUNIT_ASSERT_EQUAL(firstId + i, sender.expect("message")->getValue<Poco::UInt64>("id"));
}

} // namespace webchat::test::chatroom

#endif
