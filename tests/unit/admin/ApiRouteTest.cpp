#include "ApiError.h"
#include "ApiRoute.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::admin::ApiError;
using webchat::admin::ApiRoute;
using Kind = ApiRoute::Kind;

class ApiRouteTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ApiRouteTest);
	CPPUNIT_TEST(testEveryRoute);
	CPPUNIT_TEST(testRoomIsPercentDecoded);
	CPPUNIT_TEST(testQuery);
	CPPUNIT_TEST(testUnknownPathsAreNotFound);
	CPPUNIT_TEST(testWrongMethodNamesTheAllowedOnes);
	CPPUNIT_TEST(testBadValuesAreInvalid);
	CPPUNIT_TEST(testLimitsOnSizes);
	CPPUNIT_TEST_SUITE_END();

public:
	void testEveryRoute()
	{
		CPPUNIT_ASSERT(ApiRoute::parse("GET", "/api/v1/rooms").kind == Kind::ListRooms);
		CPPUNIT_ASSERT(ApiRoute::parse("GET", "/api/v1/rooms/lobby/users").kind == Kind::ListUsers);
		CPPUNIT_ASSERT(ApiRoute::parse("GET", "/api/v1/rooms/lobby/messages").kind == Kind::ListMessages);
		CPPUNIT_ASSERT(ApiRoute::parse("POST", "/api/v1/rooms/lobby/messages").kind == Kind::AddMessage);
		const auto remove = ApiRoute::parse("DELETE", "/api/v1/rooms/lobby/messages/42");
		CPPUNIT_ASSERT(remove.kind == Kind::DeleteMessage);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(42), remove.id);
		CPPUNIT_ASSERT_EQUAL(std::string("lobby"), remove.room);
		CPPUNIT_ASSERT(ApiRoute::parse("POST", "/api/v1/rooms/lobby/kick").kind == Kind::Kick);
		CPPUNIT_ASSERT(ApiRoute::parse("POST", "/api/v1/bans").kind == Kind::AddBan);
		CPPUNIT_ASSERT(ApiRoute::parse("GET", "/api/v1/bans").kind == Kind::ListBans);
		const auto lift = ApiRoute::parse("DELETE", "/api/v1/bans/7");
		CPPUNIT_ASSERT(lift.kind == Kind::RemoveBan);
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(7), lift.id);
		CPPUNIT_ASSERT(ApiRoute::parse("POST", "/api/v1/rooms/lobby/kick").takesBody());
		CPPUNIT_ASSERT(!ApiRoute::parse("GET", "/api/v1/rooms").takesBody());
	}

	void testRoomIsPercentDecoded()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("H\xC3\xA0 N\xE1\xBB\x99i"), ApiRoute::parse("GET", "/api/v1/rooms/H%C3%A0%20N%E1%BB%99i/users").room);
		// '+' in a path is itself.
		CPPUNIT_ASSERT_EQUAL(std::string("a+b"), ApiRoute::parse("GET", "/api/v1/rooms/a+b/users").room);
		// An encoded slash stays inside the one segment.
		CPPUNIT_ASSERT_EQUAL(std::string("a/b"), ApiRoute::parse("GET", "/api/v1/rooms/a%2Fb/users").room);
	}

	void testQuery()
	{
		const auto route = ApiRoute::parse("GET", "/api/v1/rooms/lobby/messages?before=10&limit=5&listener=chat2");
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(10), route.before);
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), route.limit);
		CPPUNIT_ASSERT_EQUAL(std::string("chat2"), route.listener);
		const auto defaults = ApiRoute::parse("GET", "/api/v1/rooms/lobby/messages");
		CPPUNIT_ASSERT_EQUAL(std::uint64_t(0), defaults.before);
		CPPUNIT_ASSERT_EQUAL(ApiRoute::DefaultLimit, defaults.limit);
		CPPUNIT_ASSERT(defaults.listener.empty());
		// Capped, not refused.
		CPPUNIT_ASSERT_EQUAL(ApiRoute::MaxLimit, ApiRoute::parse("GET", "/api/v1/rooms/lobby/messages?limit=999999").limit);
	}

	void testUnknownPathsAreNotFound()
	{
		for (const char* target : {"/", "/api", "/api/v1", "/api/v1/", "/api/v2/rooms", "/api/v1/rooms/", "/api/v1/room",
				 "/api/v1/rooms/lobby", "/api/v1/rooms/lobby/users/x", "/api/v1/rooms/lobby/messages/1/2", "/api/v1/bans/1/2", "/API/v1/rooms"})
			expectError(404, "not_found", "GET", target);
	}

	void testWrongMethodNamesTheAllowedOnes()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("GET"), expectError(405, "method_not_allowed", "POST", "/api/v1/rooms").allow);
		CPPUNIT_ASSERT_EQUAL(std::string("GET, POST"), expectError(405, "method_not_allowed", "DELETE", "/api/v1/rooms/a/messages").allow);
		CPPUNIT_ASSERT_EQUAL(std::string("DELETE"), expectError(405, "method_not_allowed", "GET", "/api/v1/rooms/a/messages/3").allow);
		CPPUNIT_ASSERT_EQUAL(std::string("POST"), expectError(405, "method_not_allowed", "GET", "/api/v1/rooms/a/kick").allow);
		CPPUNIT_ASSERT_EQUAL(std::string("GET, POST"), expectError(405, "method_not_allowed", "PUT", "/api/v1/bans").allow);
		CPPUNIT_ASSERT_EQUAL(std::string("DELETE"), expectError(405, "method_not_allowed", "POST", "/api/v1/bans/3").allow);
		expectError(405, "method_not_allowed", "HEAD", "/api/v1/rooms");
	}

	void testBadValuesAreInvalid()
	{
		for (const char* target : {"/api/v1/rooms/lobby/messages/abc", "/api/v1/rooms/lobby/messages/0", "/api/v1/rooms/lobby/messages/-1",
				 "/api/v1/rooms/lobby/messages/99999999999999999999999"})
			expectError(400, "invalid_request", "DELETE", target);
		expectError(400, "invalid_request", "DELETE", "/api/v1/bans/x");
		for (const char* target : {"/api/v1/rooms/lobby/messages?limit=0", "/api/v1/rooms/lobby/messages?limit=x", "/api/v1/rooms/lobby/messages?before=-3",
				 "/api/v1/rooms/lobby/messages?limit=1&limit=2", "/api/v1/rooms/lobby/messages?colour=red", "/api/v1/rooms?limit=5",
				 "/api/v1/rooms?listener=", "/api/v1/rooms/%zz/users", "/api/v1/rooms//users", "/api/v1/rooms?listener=%G1"})
			expectError(400, "invalid_request", "GET", target);
	}

	void testLimitsOnSizes()
	{
		const std::string longRoom(ApiRoute::MaxRoomSegmentBytes + 1, 'a');
		expectError(400, "invalid_request", "GET", "/api/v1/rooms/" + longRoom + "/users");
		expectError(400, "invalid_request", "GET", "/api/v1/rooms?listener=" + std::string(129, 'c'));
		expectError(414, "uri_too_long", "GET", "/api/v1/rooms?" + std::string(ApiRoute::MaxTargetBytes, 'x'));
	}

private:
	static ApiError expectError(int status, const std::string& code, const std::string& method, const std::string& target)
	{
		try
		{
			ApiRoute::parse(method, target);
		}
		catch (const ApiError& error)
		{
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method + " " + target, status, error.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method + " " + target, code, error.code);
			return error;
		}
		CPPUNIT_FAIL("accepted: " + method + " " + target);
		throw;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApiRouteTest);
