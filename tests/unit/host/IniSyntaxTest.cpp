#include "IniSyntax.h"

#include "Poco/Exception.h"

#include <cppunit/extensions/HelperMacros.h>

#include <sstream>

using webchat::IniSyntax;

class IniSyntaxTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(IniSyntaxTest);
	CPPUNIT_TEST(testAcceptsWellFormedFile);
	CPPUNIT_TEST(testRejectsUnterminatedSection);
	CPPUNIT_TEST(testRejectsLineWithoutValue);
	CPPUNIT_TEST(testRejectsEmptyKeyAndSection);
	CPPUNIT_TEST(testRejectsTextAfterSection);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAcceptsWellFormedFile()
	{
		std::istringstream in("\xEF\xBB\xBF; comment\n# another\n\n[server]\nplugin_path = /x\n[listeners.page] ; note\nport: 8080\nroot = ${application.dir}../share\nempty =\n");
		IniSyntax::check(in);
	}

	void testRejectsUnterminatedSection()
	{
		expectError("[server\nx = 1\n", "line 1: section header without ']'");
	}

	void testRejectsLineWithoutValue()
	{
		expectError("[server]\nplugin_path /x\n", "line 2: expected key = value");
	}

	void testRejectsEmptyKeyAndSection()
	{
		expectError("[ ]\n", "line 1: empty section name");
		expectError("[a]\n = 3\n", "line 2: empty key");
	}

	void testRejectsTextAfterSection()
	{
		expectError("[a] b\n", "line 1: text after section header");
	}

private:
	void expectError(const std::string& text, const std::string& message)
	{
		std::istringstream in(text);
		try
		{
			IniSyntax::check(in);
			CPPUNIT_FAIL("accepted: " + text);
		}
		catch (const Poco::SyntaxException& exc)
		{
			CPPUNIT_ASSERT_MESSAGE(exc.displayText(), exc.displayText().find(message) != std::string::npos);
		}
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(IniSyntaxTest);
