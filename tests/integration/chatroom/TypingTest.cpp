//
// Typing notices on the real webchatd: {"type":"typing"} reaches the
// room's other members as {"type":"typing","nick":…}, never the typist;
// it is not a message (no id, not in history); one per 2 s per connection
// is passed on, more are dropped without a word, and every one is a frame
// under the rate limits.
//

#include "ChatTestSupport.h"

#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

const std::string typing = R"({"type":"typing"})";

} // namespace

class TypingTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TypingTest);
	CPPUNIT_TEST(testOthersAreToldNotTheTypist);
	CPPUNIT_TEST(testOncePerTwoSeconds);
	CPPUNIT_TEST(testNeverStored);
	CPPUNIT_TEST(testCountsAgainstTheRateLimit);
	CPPUNIT_TEST_SUITE_END();

public:
	void testOthersAreToldNotTheTypist()
	{
		ChatServer server;
		const auto an = joined(server.port, "/t?nick=An");
		const auto bo = joined(server.port, "/t?nick=Bo", {an.get()});
		const auto other = joined(server.port, "/elsewhere?nick=Chi");

		an->send(typing);
		bo->expect("typing");
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"typing","nick":"An"})"), bo->lastRaw);
		// The typist's next event is its own message, not a notice; the other
		// room hears nothing.
		an->send("done typing");
		CPPUNIT_ASSERT_EQUAL(std::string("done typing"), nextText(*an));
		CPPUNIT_ASSERT_EQUAL(std::string("done typing"), nextText(*bo));
		other->send("here");
		CPPUNIT_ASSERT_EQUAL(std::string("here"), nextText(*other));
		// Under its current nick.
		bo->send(nickChange("Bình"));
		an->expect("nick");
		bo->expect("nick");
		bo->send(typing);
		CPPUNIT_ASSERT_EQUAL(std::string("Bình"), an->expect("typing")->getValue<std::string>("nick"));
	}

	void testOncePerTwoSeconds()
	{
		ChatServer server;
		const auto an = joined(server.port, "/t?nick=An");
		const auto bo = joined(server.port, "/t?nick=Bo", {an.get()});

		an->send(typing);
		bo->expect("typing");
		// Within 2 s: dropped, and the typist is told nothing.
		an->send(typing);
		an->send(typing);
		an->send("message");
		CPPUNIT_ASSERT_EQUAL(std::string("message"), nextText(*an));
		CPPUNIT_ASSERT_EQUAL(std::string("message"), nextText(*bo));
		// After 2 s, the next one is passed on again.
		std::this_thread::sleep_for(std::chrono::milliseconds(2100));
		an->send(typing);
		CPPUNIT_ASSERT_EQUAL(std::string("An"), bo->expect("typing")->getValue<std::string>("nick"));
	}

	void testNeverStored()
	{
		ChatServer server;
		const auto an = joined(server.port, "/t?nick=An");
		const auto bo = joined(server.port, "/t?nick=Bo", {an.get()});
		an->send(typing);
		bo->expect("typing");
		// No id taken: the first message is still 1, and a newcomer's
		// welcome has that message only.
		an->send("first");
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), an->expect("message")->getValue<Poco::UInt64>("id"));
		ChatClient chi(server.port, "/t?nick=Chi");
		const auto welcome = chi.expect("welcome");
		CPPUNIT_ASSERT(range(1, 1) == historyIds(welcome));
		CPPUNIT_ASSERT_EQUAL(Poco::UInt64(1), welcome->getValue<Poco::UInt64>("lastId"));
	}

	void testCountsAgainstTheRateLimit()
	{
		ChatServer server("rate_per_second = 0.001\nrate_burst = 2\n");
		ChatClient an(server.port, "/t?nick=An");
		an.expect("welcome");
		an.send(typing);
		an.send(typing);
		an.send(typing);
		CPPUNIT_ASSERT_EQUAL(std::string("rate_limited"), an.expect("error")->getValue<std::string>("code"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(TypingTest);
