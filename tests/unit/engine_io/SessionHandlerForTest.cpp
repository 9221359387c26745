// SessionHandlerFor: a handler gets each connection's session back as its
// own type, and a connection whose session is not of that type is refused
// instead of misread.
#include "AdoptedSocket.h"

#include "webchat/engine/Engine.h"
#include "webchat/engine/SessionHandlerFor.h"

#include "Poco/Logger.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <mutex>
#include <vector>

using namespace webchat;
using namespace webchat::engine;

namespace {

class Member final: public Session
{
public:
	explicit Member(int number): number(number) {}
	const int number;
};

class Stranger final: public Session
{
};

// Records, per opened connection, its member's number or the refusal.
class MemberHandler: public SessionHandlerFor<Member>
{
public:
	std::unique_ptr<Member> makeSession(const Poco::Net::HTTPServerRequest&) override { return std::make_unique<Member>(0); }

	void onOpen(Connection& connection) override
	{
		std::string outcome;
		try
		{
			outcome = "member " + std::to_string(sessionOf(connection).number);
		}
		catch (const Poco::BadCastException&)
		{
			outcome = "refused";
		}
		std::lock_guard<std::mutex> lock(_mutex);
		_outcomes.push_back(outcome);
	}
	void onMessage(Connection&, ws::Opcode, std::string_view) override {}
	void onClose(Connection&, std::uint16_t) override {}

	// In the order of the connections, comma-separated.
	std::string outcomes()
	{
		std::lock_guard<std::mutex> lock(_mutex);
		std::string joined;
		for (const auto& outcome : _outcomes) joined += (joined.empty() ? "" : ", ") + outcome;
		return joined;
	}

private:
	std::mutex _mutex;
	std::vector<std::string> _outcomes;
};

} // namespace

class SessionHandlerForTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SessionHandlerForTest);
	CPPUNIT_TEST(testEachConnectionGetsItsOwnSessionTyped);
	CPPUNIT_TEST(testSessionOfAnotherTypeOrNoneIsRefused);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_settings.ioThreads = 1;
		_engine = std::make_unique<Engine>(_settings, _handler, Poco::Logger::get("SessionHandlerForTest"));
		_engine->start();
	}

	void tearDown() override { _engine.reset(); }

	void testEachConnectionGetsItsOwnSessionTyped()
	{
		openWith(std::make_unique<Member>(7));
		openWith(std::make_unique<Member>(8));
		CPPUNIT_ASSERT_EQUAL(std::string("member 7, member 8"), _handler.outcomes());
	}

	void testSessionOfAnotherTypeOrNoneIsRefused()
	{
		openWith(std::make_unique<Stranger>());
		openWith(nullptr);
		openWith(std::make_unique<Member>(9));
		CPPUNIT_ASSERT_EQUAL(std::string("refused, refused, member 9"), _handler.outcomes());
	}

private:
	// Adopts a connection with session and waits for its response, which
	// the engine writes after onOpen.
	void openWith(std::unique_ptr<Session> session)
	{
		const std::string response = "opened";
		test::AdoptedSocket socket(*_engine, response, std::move(session));
		CPPUNIT_ASSERT_EQUAL(response, socket.read(response.size(), 5000));
	}

	EngineSettings _settings = EngineSettings::defaults();
	MemberHandler _handler;
	std::unique_ptr<Engine> _engine;
};

CPPUNIT_TEST_SUITE_REGISTRATION(SessionHandlerForTest);
