// The plugin's keys, read through a section view as the host passes them.
#include "DocumentRoot.h"
#include "PageSettings.h"

#include "TempFiles.h"

#include "NativePath.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Path.h"
#include "Poco/Util/MapConfiguration.h"
#include "Poco/Util/OptionException.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::page::PageSettings;

class PageSettingsTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PageSettingsTest);
	CPPUNIT_TEST(testAbsoluteRoot);
	CPPUNIT_TEST(testMissingRootNamesKey);
	CPPUNIT_TEST(testNonexistentRootNamesKeyAndPath);
	CPPUNIT_TEST(testRootThatIsAFileNamesKeyAndPath);
	CPPUNIT_TEST(testRelativeRootIsRelativeToConfigDir);
	CPPUNIT_TEST(testSectionViewFallsBackToFullKeys);
	CPPUNIT_TEST(testReferencesExpanded);
	CPPUNIT_TEST(testChatPortDefault);
	CPPUNIT_TEST(testChatPort);
	CPPUNIT_TEST(testMaxTextBytes);
	CPPUNIT_TEST(testBadMaxTextBytesNamesKey);
	CPPUNIT_TEST(testBadChatPortNamesKey);
	CPPUNIT_TEST(testChatUrlWinsOverPort);
	CPPUNIT_TEST(testBadChatUrlNamesKey);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_base = webchat::test::makeTempDir();
		_htdocs = webchat::test::nativePath(_base + "/htdocs");
		Poco::File(_htdocs).createDirectories();
		_config = new Poco::Util::MapConfiguration;
		_config->setString("listeners.page.port", "8080");
		_config->setString("listeners.page.root", _htdocs);
	}

	void tearDown() override
	{
		Poco::File(_base).remove(true);
	}

	void testAbsoluteRoot()
	{
		const PageSettings s = read();
		CPPUNIT_ASSERT_EQUAL(_htdocs, s.root());
	}

	void testMissingRootNamesKey()
	{
		_config->remove("listeners.page.root");
		assertThrowsNaming<Poco::Util::MissingOptionException>({"root"});
		_config->setString("listeners.page.root", "");
		assertThrowsNaming<Poco::Util::MissingOptionException>({"root"});
	}

	void testNonexistentRootNamesKeyAndPath()
	{
		_config->setString("listeners.page.root", _base + "/missing");
		assertThrowsNaming<Poco::FileNotFoundException>({"root = ", _base + "/missing", "no such directory"});
	}

	void testRootThatIsAFileNamesKeyAndPath()
	{
		Poco::FileOutputStream(_base + "/file.txt") << "x";
		_config->setString("listeners.page.root", _base + "/file.txt");
		assertThrowsNaming<Poco::InvalidArgumentException>({"root = ", _base + "/file.txt", "not a directory"});
	}

	void testRelativeRootIsRelativeToConfigDir()
	{
		// webchatd sets application.configDir to the .ini's folder.
		_config->setString("application.configDir", _base + "/");
		_config->setString("listeners.page.root", "htdocs");
		const std::string root = read().root();
		CPPUNIT_ASSERT(Poco::Path(root).isAbsolute());
		CPPUNIT_ASSERT_EQUAL(webchat::page::DocumentRoot::canonical(_htdocs), webchat::page::DocumentRoot::canonical(root));

		_config->setString("listeners.page.root", "no-such-dir");
		assertThrowsNaming<Poco::FileNotFoundException>({"root = no-such-dir (", webchat::test::nativePath("/no-such-dir") + ")"});
	}

	void testSectionViewFallsBackToFullKeys()
	{
		// What the host passes: a view on listeners.<name>. Keys not found
		// under the prefix are looked up as full keys.
		_config->setString("application.configDir", "/some/where/");
		Poco::AutoPtr<Poco::Util::AbstractConfiguration> section = _config->createView("listeners.page");
		CPPUNIT_ASSERT_EQUAL(std::string("8080"), section->getString("port"));
		CPPUNIT_ASSERT_EQUAL(std::string("/some/where/"), section->getString("application.configDir"));
	}

	void testReferencesExpanded()
	{
		_config->setString("application.dir", _base + "/");
		_config->setString("listeners.page.root", "${application.dir}htdocs");
		CPPUNIT_ASSERT_EQUAL(_htdocs, read().root());
	}

	void testChatPortDefault()
	{
		const PageSettings s = read();
		CPPUNIT_ASSERT(!s.chat().fixed());
		CPPUNIT_ASSERT_EQUAL(std::string("ws://h.example:8000/"), s.chat().url("h.example"));
	}

	void testChatPort()
	{
		_config->setString("listeners.page.chat_port", "9001");
		CPPUNIT_ASSERT_EQUAL(std::string("ws://h.example:9001/"), read().chat().url("h.example"));
	}

	void testMaxTextBytes()
	{
		CPPUNIT_ASSERT_EQUAL(std::size_t(4096), read().maxTextBytes()); // the chat listener's default
		_config->setString("listeners.page.max_text_bytes", "300");
		CPPUNIT_ASSERT_EQUAL(std::size_t(300), read().maxTextBytes());
	}

	void testBadMaxTextBytesNamesKey()
	{
		for (const char* bad : {"0", "-1", "67108865", "many"})
		{
			_config->setString("listeners.page.max_text_bytes", bad);
			assertThrowsNaming<Poco::InvalidArgumentException>({std::string("max_text_bytes = ") + bad});
		}
	}

	void testBadChatPortNamesKey()
	{
		for (const char* bad : {"0", "65536", "-1", "http", "80x", "8000.5"})
		{
			_config->setString("listeners.page.chat_port", bad);
			assertThrowsNaming<Poco::InvalidArgumentException>({std::string("chat_port = ") + bad});
		}
	}

	void testChatUrlWinsOverPort()
	{
		_config->setString("listeners.page.chat_port", "9001");
		_config->setString("listeners.page.chat_url", "wss://chat.example.org/ws");
		const PageSettings s = read();
		CPPUNIT_ASSERT(s.chat().fixed());
		CPPUNIT_ASSERT_EQUAL(std::string("wss://chat.example.org/ws"), s.chat().url("h.example"));
	}

	void testBadChatUrlNamesKey()
	{
		_config->setString("listeners.page.chat_url", "http://chat.example.org/");
		assertThrowsNaming<Poco::InvalidArgumentException>({"chat_url = http://chat.example.org/"});
	}

private:
	PageSettings read()
	{
		Poco::AutoPtr<Poco::Util::AbstractConfiguration> section = _config->createView("listeners.page");
		return PageSettings::fromConfig(*section);
	}

	template <class E>
	void assertThrowsNaming(std::initializer_list<std::string> parts)
	{
		try
		{
			read();
			CPPUNIT_FAIL("no exception");
		}
		catch (const E& exc)
		{
			for (const auto& part : parts)
				CPPUNIT_ASSERT_MESSAGE(exc.displayText() + " should contain " + part, exc.displayText().find(part) != std::string::npos);
		}
	}

	std::string _base;
	std::string _htdocs;
	Poco::AutoPtr<Poco::Util::MapConfiguration> _config;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PageSettingsTest);
