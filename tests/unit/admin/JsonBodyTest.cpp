#include "ApiError.h"
#include "JsonBody.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::admin::ApiError;
using webchat::admin::JsonBody;

class JsonBodyTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(JsonBodyTest);
	CPPUNIT_TEST(testReadsKnownMembers);
	CPPUNIT_TEST(testRefusesWhatIsNotAnObject);
	CPPUNIT_TEST(testRefusesUnknownMembersAndWrongTypes);
	CPPUNIT_TEST(testBoundsDepthAndSizes);
	CPPUNIT_TEST_SUITE_END();

public:
	void testReadsKnownMembers()
	{
		const auto body = JsonBody::parse(R"({"text":"xin ch\u00e0o","seconds":60})", {"text", "nick", "seconds"});
		CPPUNIT_ASSERT_EQUAL(std::string("xin ch\xC3\xA0o"), body.requiredText("text", 100));
		CPPUNIT_ASSERT(!body.text("nick", 100));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(60), *body.integer("seconds", 1, 100));
	}

	void testRefusesWhatIsNotAnObject()
	{
		for (const char* text : {"", "[1,2]", "\"text\"", "42", "{", "{\"text\":}", "{\"text\":\"a\"} trailing", "{/*c*/\"text\":\"a\"}"})
			expectError("invalid_json", [&] { JsonBody::parse(text, {"text"}); });
	}

	void testRefusesUnknownMembersAndWrongTypes()
	{
		expectError("invalid_request", [] { JsonBody::parse(R"({"text":"a","colour":"red"})", {"text"}); });
		expectError("invalid_request", [] { JsonBody::parse(R"({"text":5})", {"text"}).text("text", 10); });
		expectError("invalid_request", [] { JsonBody::parse(R"({})", {"text"}).requiredText("text", 10); });
		expectError("invalid_request", [] { JsonBody::parse(R"({"seconds":"60"})", {"seconds"}).integer("seconds", 1, 100); });
		expectError("invalid_request", [] { JsonBody::parse(R"({"seconds":1.5})", {"seconds"}).integer("seconds", 1, 100); });
		expectError("invalid_request", [] { JsonBody::parse(R"({"seconds":0})", {"seconds"}).integer("seconds", 1, 100); });
		expectError("invalid_request", [] { JsonBody::parse(R"({"seconds":4294967296000})", {"seconds"}).integer("seconds", 1, 100); });
		// Beyond 64 bits it does not even parse.
		expectError("invalid_json", [] { JsonBody::parse(R"({"seconds":99999999999999999999})", {"seconds"}); });
	}

	void testBoundsDepthAndSizes()
	{
		expectError("invalid_json", [] { JsonBody::parse(std::string(100, '[') + std::string(100, ']'), {"text"}); });
		expectError("invalid_json", [] { JsonBody::parse(R"({"text":[[[[["deep"]]]]]})", {"text"}); });
		expectError("invalid_request", [] { JsonBody::parse(R"({"text":"12345678901"})", {"text"}).text("text", 10); });
		CPPUNIT_ASSERT_EQUAL(std::string("1234567890"), *JsonBody::parse(R"({"text":"1234567890"})", {"text"}).text("text", 10));
	}

private:
	template <class Call>
	static void expectError(const std::string& code, Call call)
	{
		try
		{
			call();
		}
		catch (const ApiError& error)
		{
			CPPUNIT_ASSERT_EQUAL(400, error.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(error.what(), code, error.code);
			return;
		}
		CPPUNIT_FAIL("accepted, expected " + code);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(JsonBodyTest);
