// ServerEvents: every event is valid JSON with the fields of docs/PROTOCOL.md.
#include "JsonWriter.h"
#include "RoomList.h"
#include "RoomState.h"
#include "ServerEvents.h"

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::chatroom::JsonWriter;
using webchat::chatroom::Name;
using webchat::chatroom::RoomState;
using webchat::chatroom::ServerEvents;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json)
{
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

std::string message(std::uint64_t id, const std::string& nick, const std::string& text, std::int64_t ts)
{
	std::string tail;
	ServerEvents::appendMessageTail(tail, JsonWriter::escaped(nick), text, ts);
	return ServerEvents::message(id, tail);
}

} // namespace

class ServerEventsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ServerEventsTest);
	CPPUNIT_TEST(testMessage);
	CPPUNIT_TEST(testMessageWithHostileText);
	CPPUNIT_TEST(testPresenceAndNick);
	CPPUNIT_TEST(testError);
	CPPUNIT_TEST(testWelcomeInEmptyRoom);
	CPPUNIT_TEST(testWelcomeWithMembersAndHistory);
	CPPUNIT_TEST(testWelcomeWithGap);
	CPPUNIT_TEST(testWelcomeWithReset);
	CPPUNIT_TEST(testWelcomeResetForAnotherEpoch);
	CPPUNIT_TEST(testStoredMessageIsTheSameBytes);
	CPPUNIT_TEST(testHistoryPage);
	CPPUNIT_TEST(testTyping);
	CPPUNIT_TEST(testRoomList);
	CPPUNIT_TEST_SUITE_END();

public:
	void testMessage()
	{
		const std::string json = message(42, "An", "Chào!", 1764145003000);
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"message","id":42,"nick":"An","text":"Chào!","ts":1764145003000})"), json);
		const auto object = parse(json);
		CPPUNIT_ASSERT_EQUAL(std::string("message"), object->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(42), object->getValue<Poco::UInt64>("id"));
	}

	void testMessageWithHostileText()
	{
		const std::string texts[] = {"<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "\"},{\"type\":\"message\",\"id\":1",
			std::string("nul\0and\x1b[31mred", 16), "line\xE2\x80\xA8separator", "Hà Nội 😀"};
		for (const auto& text : texts)
		{
			const std::string json = message(1, "<b>nick</b>", text, 0);
			CPPUNIT_ASSERT(json.find('<') == std::string::npos);
			const auto object = parse(json);
			CPPUNIT_ASSERT_EQUAL(text, object->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(std::string("<b>nick</b>"), object->getValue<std::string>("nick"));
			CPPUNIT_ASSERT_EQUAL(std::size_t(5), object->size());
		}
	}

	void testPresenceAndNick()
	{
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"join","nick":"Chi","ts":1764145001000})"), ServerEvents::join("Chi", 1764145001000));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"leave","nick":"Chi","ts":1764145009000})"), ServerEvents::leave("Chi", 1764145009000));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"nick","old":"Chi","nick":"Chi Mai","ts":1764145002000})"), ServerEvents::nick("Chi", "Chi Mai", 1764145002000));
		const auto object = parse(ServerEvents::nick("a\"b", "<c>", 5));
		CPPUNIT_ASSERT_EQUAL(std::string("a\"b"), object->getValue<std::string>("old"));
		CPPUNIT_ASSERT_EQUAL(std::string("<c>"), object->getValue<std::string>("nick"));
	}

	void testError()
	{
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"error","code":"rate_limited","message":"too many messages; slow down"})"),
			ServerEvents::error("rate_limited", "too many messages; slow down"));
		const auto object = parse(ServerEvents::error("nick_taken", "someone is already called \"<An>\""));
		CPPUNIT_ASSERT_EQUAL(std::string("someone is already called \"<An>\""), object->getValue<std::string>("message"));
	}

	void testWelcomeInEmptyRoom()
	{
		RoomState state({});
		state.restore("0123456789abcdef", 0, {});
		state.join(Name::of("An"));
		const std::string json = ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"welcome","room":"lobby","nick":"An","users":["An"],"history":[],"lastId":0,"epoch":"0123456789abcdef"})"), json);
	}

	void testWelcomeWithMembersAndHistory()
	{
		RoomState state({});
		state.join(Name::of("Bình"));
		state.join(Name::of("An"));
		for (int i = 1; i <= 3; ++i) state.append(message(state.nextId(), "Bình", "m" + std::to_string(i), 1000 + i));
		const auto object = parse(ServerEvents::welcome("Hà Nội", "An", state, state.resume(std::uint64_t(1))));
		CPPUNIT_ASSERT_EQUAL(std::string("welcome"), object->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(std::string("Hà Nội"), object->getValue<std::string>("room"));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), object->getValue<std::string>("nick"));
		const auto users = object->getArray("users");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), users->size());
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), users->getElement<std::string>(0));
		CPPUNIT_ASSERT_EQUAL(std::string("An"), users->getElement<std::string>(1));
		const auto history = object->getArray("history");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), history->size());
		for (unsigned i = 0; i < 2; ++i)
		{
			const auto entry = history->getObject(i);
			CPPUNIT_ASSERT_EQUAL(std::string("message"), entry->getValue<std::string>("type"));
			CPPUNIT_ASSERT_EQUAL(Poco::UInt64(i + 2), entry->getValue<Poco::UInt64>("id"));
			CPPUNIT_ASSERT_EQUAL("m" + std::to_string(i + 2), entry->getValue<std::string>("text"));
			CPPUNIT_ASSERT_EQUAL(std::string("Bình"), entry->getValue<std::string>("nick"));
		}
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(3), object->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(!object->has("gap"));
		CPPUNIT_ASSERT(!object->has("reset"));
	}

	void testWelcomeWithGap()
	{
		RoomState::Limits limits;
		limits.historySize = 2;
		RoomState state(limits);
		state.join(Name::of("An"));
		for (int i = 1; i <= 5; ++i) state.append(message(state.nextId(), "x", "m", 0));
		const auto object = parse(ServerEvents::welcome("r", "An", state, state.resume(std::uint64_t(1))));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), object->getArray("history")->size());
		const auto gap = object->getObject("gap");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(2), gap->getValue<Poco::UInt64>("from"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(3), gap->getValue<Poco::UInt64>("to"));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(5), object->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(!object->has("reset"));
	}

	void testWelcomeWithReset()
	{
		RoomState state({});
		state.join(Name::of("An"));
		state.append(message(1, "x", "m", 0));
		const std::string json = ServerEvents::welcome("r", "An", state, state.resume(std::uint64_t(40)));
		const auto object = parse(json);
		CPPUNIT_ASSERT(object->getValue<bool>("reset"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), object->getArray("history")->size());
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), object->getValue<Poco::UInt64>("lastId"));
		CPPUNIT_ASSERT(!object->has("gap"));
	}

	void testWelcomeResetForAnotherEpoch()
	{
		RoomState::Limits limits;
		limits.historySize = 3;
		RoomState state(limits);
		state.restore("new", 0, {});
		state.join(Name::of("An"));
		for (int i = 1; i <= 5; ++i) state.append(message(state.nextId(), "x", "m", 0));
		// since=2 is within the room's ids, but of the room's old epoch: all
		// it has, as a reset, and no gap.
		const auto object = parse(ServerEvents::welcome("r", "An", state, state.resume(std::uint64_t(2), std::string("old"))));
		CPPUNIT_ASSERT(object->getValue<bool>("reset"));
		CPPUNIT_ASSERT_EQUAL(std::string("new"), object->getValue<std::string>("epoch"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), object->getArray("history")->size());
		CPPUNIT_ASSERT(!object->has("gap"));
		// The same epoch: only what came after since.
		const auto same = parse(ServerEvents::welcome("r", "An", state, state.resume(std::uint64_t(4), std::string("new"))));
		CPPUNIT_ASSERT(!same->has("reset"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), same->getArray("history")->size());
	}

	void testStoredMessageIsTheSameBytes()
	{
		webchat::chatroom::HistoryStore::Message stored;
		stored.id = 7;
		stored.ts = 1764145003000;
		stored.nick = "Bình <b>";
		stored.text = std::string("nul") + '\0' + " \"quoted\" </script>\xE2\x80\xA8";
		CPPUNIT_ASSERT_EQUAL(message(7, stored.nick, stored.text, stored.ts), ServerEvents::message(stored));
	}

	void testHistoryPage()
	{
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"history","messages":[],"more":false})"), ServerEvents::history({}, false));
		const std::vector<std::string> page{message(3, "An", "one", 1), ServerEvents::tombstone(4, "mod")};
		const std::string json = ServerEvents::history(page, true);
		const auto object = parse(json);
		CPPUNIT_ASSERT_EQUAL(std::string("history"), object->getValue<std::string>("type"));
		CPPUNIT_ASSERT(object->getValue<bool>("more"));
		const auto messages = object->getArray("messages");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), messages->size());
		CPPUNIT_ASSERT_EQUAL(3, messages->getObject(0)->getValue<int>("id"));
		CPPUNIT_ASSERT_EQUAL(std::string("one"), messages->getObject(0)->getValue<std::string>("text"));
		CPPUNIT_ASSERT(messages->getObject(1)->getValue<bool>("deleted"));
		// The message events themselves, byte for byte, as in a welcome.
		CPPUNIT_ASSERT(json.find(page[0]) != std::string::npos);
		CPPUNIT_ASSERT(json.find(page[1]) != std::string::npos);
	}

	void testTyping()
	{
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"typing","nick":"Chi"})"), ServerEvents::typing("Chi"));
		CPPUNIT_ASSERT_EQUAL(std::string("<\"b\">"), parse(ServerEvents::typing("<\"b\">"))->getValue<std::string>("nick"));
	}

	void testRoomList()
	{
		using webchat::chatroom::RoomList;
		CPPUNIT_ASSERT_EQUAL(std::string("[]"), RoomList::json({}));
		CPPUNIT_ASSERT_EQUAL(std::string(R"([{"room":"lobby","users":12},{"room":"Hà Nội","users":3}])"), RoomList::json({{"lobby", 12}, {"Hà Nội", 3}}));
		// Escaped as every string the server sends.
		const std::string json = RoomList::json({{"</script>\"", 1}});
		CPPUNIT_ASSERT(json.find("</script>") == std::string::npos);
		Poco::JSON::Parser parser;
		const auto list = parser.parse(json).extract<Poco::JSON::Array::Ptr>();
		CPPUNIT_ASSERT_EQUAL(std::string("</script>\""), list->getObject(0)->getValue<std::string>("room"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ServerEventsTest);
