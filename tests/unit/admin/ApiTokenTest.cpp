#include "ApiToken.h"

#include "Poco/Exception.h"
#include "Poco/FileStream.h"
#include "Poco/TemporaryFile.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::admin::ApiToken;

class ApiTokenTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ApiTokenTest);
	CPPUNIT_TEST(testAcceptsTheBearerToken);
	CPPUNIT_TEST(testRefusesOtherTokensAndSchemes);
	CPPUNIT_TEST(testReadsTheFileWithoutItsNewline);
	CPPUNIT_TEST(testRefusesUnusableFiles);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAcceptsTheBearerToken()
	{
		const ApiToken token = ApiToken::fromText("s3cret-Token_1", "test");
		CPPUNIT_ASSERT(token.accepts("Bearer s3cret-Token_1"));
		// The scheme's case is free (RFC 9110); the token's is not.
		CPPUNIT_ASSERT(token.accepts("bearer s3cret-Token_1"));
		CPPUNIT_ASSERT(token.accepts("BEARER s3cret-Token_1"));
	}

	void testRefusesOtherTokensAndSchemes()
	{
		const ApiToken token = ApiToken::fromText("s3cret-Token_1", "test");
		CPPUNIT_ASSERT(!token.accepts(""));
		CPPUNIT_ASSERT(!token.accepts("Bearer "));
		CPPUNIT_ASSERT(!token.accepts("Bearer s3cret-token_1"));
		CPPUNIT_ASSERT(!token.accepts("Bearer s3cret-Token_"));
		CPPUNIT_ASSERT(!token.accepts("Bearer s3cret-Token_12"));
		CPPUNIT_ASSERT(!token.accepts("Bearer  s3cret-Token_1"));
		CPPUNIT_ASSERT(!token.accepts("Basic s3cret-Token_1"));
		CPPUNIT_ASSERT(!token.accepts("s3cret-Token_1"));
		CPPUNIT_ASSERT(!token.accepts("Bearers3cret-Token_1"));
	}

	void testReadsTheFileWithoutItsNewline()
	{
		Poco::TemporaryFile file;
		{
			Poco::FileOutputStream out(file.path());
			out << "abc.DEF-123\n";
		}
		CPPUNIT_ASSERT(ApiToken::fromFile(file.path()).accepts("Bearer abc.DEF-123"));
		CPPUNIT_ASSERT(!ApiToken::fromFile(file.path()).accepts("Bearer abc.DEF-123\n"));
	}

	void testRefusesUnusableFiles()
	{
		Poco::TemporaryFile empty;
		{
			Poco::FileOutputStream out(empty.path());
			out << "\n";
		}
		expectRefused([&] { ApiToken::fromFile(empty.path()); }, "the token is empty");
		expectRefused([&] { ApiToken::fromFile("/nonexistent/token"); }, "cannot be read");
		expectRefused([&] { ApiToken::fromText("two words", "test"); }, "visible ASCII");
		expectRefused([&] { ApiToken::fromText("line\none", "test"); }, "visible ASCII");
	}

private:
	template <class Call>
	static void expectRefused(Call call, const std::string& part)
	{
		try
		{
			call();
		}
		catch (const Poco::Exception& exc)
		{
			CPPUNIT_ASSERT_MESSAGE(exc.displayText(), exc.displayText().find(part) != std::string::npos);
			return;
		}
		CPPUNIT_FAIL("expected a refusal naming: " + part);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ApiTokenTest);
