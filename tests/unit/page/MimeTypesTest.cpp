#include "MimeTypes.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::page::MimeTypes;

class MimeTypesTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MimeTypesTest);
	CPPUNIT_TEST(testTextTypesCarryCharset);
	CPPUNIT_TEST(testBinaryTypes);
	CPPUNIT_TEST(testExtensionIgnoresCase);
	CPPUNIT_TEST(testUnknownIsOctetStream);
	CPPUNIT_TEST(testOnlyLastComponentCounts);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTextTypesCarryCharset()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), MimeTypes::forPath("/srv/index.html"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), MimeTypes::forPath("old.htm"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/css; charset=utf-8"), MimeTypes::forPath("chat.css"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/javascript; charset=utf-8"), MimeTypes::forPath("chat.js"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/javascript; charset=utf-8"), MimeTypes::forPath("module.mjs"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/plain; charset=utf-8"), MimeTypes::forPath("robots.txt"));
	}

	void testBinaryTypes()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("application/json"), MimeTypes::forPath("data.json"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/json"), MimeTypes::forPath("chat.js.map"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/svg+xml"), MimeTypes::forPath("favicon.svg"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), MimeTypes::forPath("a.png"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/jpeg"), MimeTypes::forPath("a.jpg"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/jpeg"), MimeTypes::forPath("a.jpeg"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/gif"), MimeTypes::forPath("a.gif"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/x-icon"), MimeTypes::forPath("favicon.ico"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/webp"), MimeTypes::forPath("a.webp"));
		CPPUNIT_ASSERT_EQUAL(std::string("font/woff2"), MimeTypes::forPath("f.woff2"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/wasm"), MimeTypes::forPath("engine.wasm"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/manifest+json"), MimeTypes::forPath("site.webmanifest"));
	}

	void testExtensionIgnoresCase()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), MimeTypes::forPath("INDEX.HTML"));
		CPPUNIT_ASSERT_EQUAL(std::string("image/png"), MimeTypes::forPath("Logo.PnG"));
	}

	void testUnknownIsOctetStream()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath("archive.tar.xz"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath("Makefile"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath("file."));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath(""));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath("x.php"));
		CPPUNIT_ASSERT_EQUAL(MimeTypes::DEFAULT_TYPE, MimeTypes::forPath("x.exe"));
	}

	void testOnlyLastComponentCounts()
	{
		// A dot in a folder name is no extension; a leading dot neither.
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath("/srv/site.html/README"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath("/srv/.html"));
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), MimeTypes::forPath(".css"));
		CPPUNIT_ASSERT_EQUAL(std::string("text/css; charset=utf-8"), MimeTypes::forPath("/srv/v1.2/a.css"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MimeTypesTest);
