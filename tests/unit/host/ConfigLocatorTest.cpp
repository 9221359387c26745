#include "ConfigLocator.h"

#include "Poco/File.h"
#include "Poco/Path.h"
#include "Poco/TemporaryFile.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::ConfigLocator;

class ConfigLocatorTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConfigLocatorTest);
	CPPUNIT_TEST(testPrefersConfigBesideBinary);
	CPPUNIT_TEST(testFallsBackToSystemConfig);
	CPPUNIT_TEST(testAbsoluteResolvesAgainstWorkingDir);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPrefersConfigBesideBinary()
	{
		Poco::TemporaryFile prefix;
		Poco::File(prefix.path() + "/bin").createDirectories();
		Poco::File(prefix.path() + "/etc/webchat").createDirectories();
		Poco::File(prefix.path() + "/etc/webchat/webchat.ini").createFile();

		const Poco::Path found = ConfigLocator::defaultConfig(Poco::Path(prefix.path() + "/bin/"));
		CPPUNIT_ASSERT_EQUAL(Poco::Path(prefix.path() + "/etc/webchat/webchat.ini").toString(), found.toString());
	}

	void testFallsBackToSystemConfig()
	{
		Poco::TemporaryFile prefix;
		Poco::File(prefix.path() + "/bin").createDirectories();
		const auto candidates = ConfigLocator::candidates(Poco::Path(prefix.path() + "/bin/"));
		CPPUNIT_ASSERT_EQUAL(size_t(2), candidates.size());
		CPPUNIT_ASSERT_EQUAL(Poco::Path(WEBCHAT_TEST_SYSCONFDIR "/webchat/webchat.ini").toString(), candidates[1].toString());
		// Neither exists: the first is named, so the error points beside the binary.
		if (!Poco::File(candidates[1]).exists())
			CPPUNIT_ASSERT_EQUAL(candidates[0].toString(), ConfigLocator::defaultConfig(Poco::Path(prefix.path() + "/bin/")).toString());
	}

	void testAbsoluteResolvesAgainstWorkingDir()
	{
		// Path::current() ends in the platform's separator.
		const std::string separator(1, Poco::Path::separator());
		CPPUNIT_ASSERT_EQUAL(Poco::Path::current() + "x" + separator + "y.ini", ConfigLocator::absolute("x/y.ini"));
		CPPUNIT_ASSERT_EQUAL(separator + "etc" + separator + "a.ini", ConfigLocator::absolute("/etc/a.ini"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigLocatorTest);
