// A topic lives while someone holds it or while it has subscribers: a
// connection keeps only a plain pointer to its topic (8 bytes of an idle
// connection's budget), so the topic holds itself from its first
// subscriber to its last. Nobody else holding it, it lives on with a
// subscriber, delivers to it, and ends when that one leaves.
#include "AdoptedSocket.h"
#include "TestFrames.h"

#include "webchat/engine/Connection.h"
#include "webchat/engine/Engine.h"

#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>

using namespace webchat;
using namespace webchat::engine;
using webchat::test::masked;
using webchat::test::plain;

namespace {

// Subscribes each connection to the topic "room" and keeps only a weak
// reference to it; "leave" unsubscribes, "close" closes.
class Subscribing: public SessionHandler
{
public:
	Engine* engine = nullptr;
	std::mutex mutex;
	std::weak_ptr<Topic> room;
	std::atomic<int> subscribed{0};

	void onOpen(Connection& connection) override
	{
		const std::shared_ptr<Topic> topic = engine->topic("room");
		connection.subscribe(*topic);
		{
			std::lock_guard<std::mutex> lock(mutex);
			room = topic;
		}
		++subscribed;
	}

	void onMessage(Connection& connection, ws::Opcode, std::string_view payload) override
	{
		if (payload == "leave") connection.unsubscribe();
		if (payload == "close") connection.close(ws::CloseCode::Normal);
	}

	void onClose(Connection&, std::uint16_t) override {}

	std::weak_ptr<Topic> topic()
	{
		std::lock_guard<std::mutex> lock(mutex);
		return room;
	}
};

// The topic's subscribers, 0 once it ended.
std::size_t subscribers(const std::weak_ptr<Topic>& topic)
{
	const std::shared_ptr<Topic> alive = topic.lock();
	return alive ? alive->subscriberCount() : 0;
}

// Waits up to 3 s for the topic to end.
bool ends(const std::weak_ptr<Topic>& topic)
{
	for (int i = 0; i < 300 && !topic.expired(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
	return topic.expired();
}

} // namespace

class TopicLifetimeTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(TopicLifetimeTest);
	CPPUNIT_TEST(testSubscribersKeepTheTopicUntilTheLastLeaves);
	CPPUNIT_TEST(testClosingEndsTheTopicNobodyHolds);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_settings.ioThreads = 2; // subscribers on both loops
		_engine = std::make_unique<Engine>(_settings, _handler, Poco::Logger::get("TopicLifetimeTest"));
		_handler.engine = _engine.get();
		_engine->start();
	}

	void tearDown() override
	{
		_engine->stop();
		_engine.reset();
	}

	void testSubscribersKeepTheTopicUntilTheLastLeaves()
	{
		auto first = adoptOne();
		auto second = adoptOne();
		const std::weak_ptr<Topic> topic = _handler.topic();
		// Held by nothing but its subscribers: alive, the same topic for
		// the next to ask, and it delivers.
		CPPUNIT_ASSERT(!topic.expired());
		CPPUNIT_ASSERT(_engine->topic("room") == topic.lock());
		_engine->topic("room")->publish(ws::Opcode::Text, "hello");
		const std::string hello = plain(ws::Opcode::Text, "hello");
		CPPUNIT_ASSERT_EQUAL(hello, first->read(hello.size(), 2000));
		CPPUNIT_ASSERT_EQUAL(hello, second->read(hello.size(), 2000));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), subscribers(topic));
		// One leaves: the other still holds it.
		CPPUNIT_ASSERT(first->writeSome(masked(ws::Opcode::Text, "leave")) > 0);
		for (int i = 0; i < 300 && subscribers(topic) != 1; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
		CPPUNIT_ASSERT(!topic.expired());
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), subscribers(topic));
		// The last leaves: it ends.
		CPPUNIT_ASSERT(second->writeSome(masked(ws::Opcode::Text, "leave")) > 0);
		CPPUNIT_ASSERT(ends(topic));
	}

	void testClosingEndsTheTopicNobodyHolds()
	{
		auto client = adoptOne();
		const std::weak_ptr<Topic> topic = _handler.topic();
		// Held from outside too: closing leaves it to that holder.
		std::shared_ptr<Topic> held = topic.lock();
		CPPUNIT_ASSERT(client->writeSome(masked(ws::Opcode::Text, "close")) > 0);
		for (int i = 0; i < 300 && held->subscriberCount() != 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
		CPPUNIT_ASSERT_EQUAL(std::size_t(0), held->subscriberCount());
		CPPUNIT_ASSERT(!topic.expired());
		held.reset();
		CPPUNIT_ASSERT(topic.expired());
		// A new subscriber gets a new topic of that name, and closing ends it.
		auto again = adoptOne();
		const std::weak_ptr<Topic> second = _handler.topic();
		CPPUNIT_ASSERT(!second.expired());
		CPPUNIT_ASSERT(again->writeSome(masked(ws::Opcode::Close, std::string("\x03\xe8", 2))) > 0);
		CPPUNIT_ASSERT(ends(second));
	}

private:
	std::unique_ptr<test::AdoptedSocket> adoptOne()
	{
		const int before = _handler.subscribed.load();
		auto client = std::make_unique<test::AdoptedSocket>(*_engine, Response);
		CPPUNIT_ASSERT_EQUAL(Response, client->read(Response.size(), 2000));
		for (int i = 0; i < 300 && _handler.subscribed.load() == before; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
		return client;
	}

	const std::string Response = "HTTP/1.1 101 Switching Protocols\r\n\r\n";
	EngineSettings _settings = EngineSettings::defaults();
	Subscribing _handler;
	std::unique_ptr<Engine> _engine;
};

CPPUNIT_TEST_SUITE_REGISTRATION(TopicLifetimeTest);
