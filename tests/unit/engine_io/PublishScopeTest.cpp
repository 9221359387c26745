// PublishScope: a thread outside the engine seals each publish at once, or,
// inside a scope, each topic it touched once when the scope ends.
#include "webchat/engine/Engine.h"
#include "webchat/engine/Topic.h"

#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

using namespace webchat;
using namespace webchat::engine;

namespace {

class NoSessions: public SessionHandler
{
public:
	void onOpen(Connection&) override {}
	void onMessage(Connection&, ws::Opcode, std::string_view) override {}
	void onClose(Connection&, std::uint16_t) override {}
};

void publish(Topic& topic, const std::string& text)
{
	topic.publishWith([&](std::string& batch) { ws::appendFrame(batch, ws::Opcode::Text, text); });
}

} // namespace

class PublishScopeTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PublishScopeTest);
	CPPUNIT_TEST(testWithoutScopeEveryPublishIsABatch);
	CPPUNIT_TEST(testScopeSealsEachTopicOnceAtItsEnd);
	CPPUNIT_TEST(testNestedScopesSealAtTheOutermost);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_settings.ioThreads = 2;
		_engine = std::make_unique<Engine>(_settings, _handler, Poco::Logger::get("PublishScopeTest"));
	}

	void tearDown() override { _engine.reset(); }

	void testWithoutScopeEveryPublishIsABatch()
	{
		auto topic = _engine->topic("room");
		for (int i = 0; i < 3; ++i) publish(*topic, "m" + std::to_string(i));
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(3), topic->sealedBatches());
	}

	void testScopeSealsEachTopicOnceAtItsEnd()
	{
		auto a = _engine->topic("a"), b = _engine->topic("b"), untouched = _engine->topic("c");
		{
			PublishScope scope;
			for (int i = 0; i < 3; ++i)
			{
				publish(*a, "a" + std::to_string(i));
				publish(*b, "b" + std::to_string(i));
			}
			// Nothing published with no frame appended.
			untouched->publishWith([](std::string&) {});
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), a->sealedBatches());
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), b->sealedBatches());
		}
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), a->sealedBatches());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), b->sealedBatches());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), untouched->sealedBatches());
		// After the scope, at once again.
		publish(*a, "after");
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(2), a->sealedBatches());
	}

	void testNestedScopesSealAtTheOutermost()
	{
		auto a = _engine->topic("a"), b = _engine->topic("b");
		{
			PublishScope outer;
			publish(*a, "1");
			{
				PublishScope inner;
				publish(*a, "2");
				publish(*b, "3");
			}
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), a->sealedBatches());
			CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), b->sealedBatches());
		}
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), a->sealedBatches());
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(1), b->sealedBatches());
	}

private:
	EngineSettings _settings = EngineSettings::defaults();
	NoSessions _handler;
	std::unique_ptr<Engine> _engine;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PublishScopeTest);
