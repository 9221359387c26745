// RequestPath: the first wall around the document root.
#include "RequestPath.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::page::RequestPath;

class RequestPathTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RequestPathTest);
	CPPUNIT_TEST(testDecodesEscapesOnce);
	CPPUNIT_TEST(testForbiddenBytesInASegment);
	CPPUNIT_TEST(testRoot);
	CPPUNIT_TEST(testPlainFile);
	CPPUNIT_TEST(testDirectory);
	CPPUNIT_TEST(testEncodedNamesAreDecoded);
	CPPUNIT_TEST(testQueryAndFragmentIgnored);
	CPPUNIT_TEST(testDotSegments);
	CPPUNIT_TEST(testEncodedDotSegments);
	CPPUNIT_TEST(testDoubleEncodingIsNotDecodedTwice);
	CPPUNIT_TEST(testSlashesAndBackslashes);
	CPPUNIT_TEST(testNulAndControlBytes);
	CPPUNIT_TEST(testMalformedEscapes);
	CPPUNIT_TEST(testNotOriginForm);
	CPPUNIT_TEST(testEmptySegments);
	CPPUNIT_TEST(testHiddenFiles);
	CPPUNIT_TEST(testRawBytesOutsidePrintableAscii);
	CPPUNIT_TEST_SUITE_END();

public:
	void testDecodesEscapesOnce()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("a bA~"), RequestPath::parse("/a%20b%41%7e").relative());
		CPPUNIT_ASSERT_EQUAL(std::string("%41"), RequestPath::parse("/%2541").relative());
		CPPUNIT_ASSERT_EQUAL(std::string("\xC3\xA9"), RequestPath::parse("/%C3%A9").relative());
		// '+' is a plus sign in a path.
		const RequestPath plus = RequestPath::parse("/a+b");
		CPPUNIT_ASSERT(plus.accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("a+b"), plus.relative());
	}

	void testForbiddenBytesInASegment()
	{
		// A file name gets no NUL, control byte or separator from an escape
		// (raw, they are refused before decoding: testNulAndControlBytes).
		for (const char* bad : {"/%00", "/a%00.html", "/%2f", "/%2F", "/%5c", "/%5C", "/%0a", "/%0d", "/%1f", "/%7f"})
		{
			const RequestPath p = RequestPath::parse(bad);
			CPPUNIT_ASSERT_MESSAGE(bad, p.verdict() == RequestPath::MALFORMED);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("malformed or forbidden percent-encoding"), p.problem());
		}
		// Bytes from 0x80 are a file name's own.
		CPPUNIT_ASSERT_EQUAL(std::string("\x80\xFF"), RequestPath::parse("/%80%ff").relative());
	}

	void testRoot()
	{
		const RequestPath p = RequestPath::parse("/");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT(p.directory());
		CPPUNIT_ASSERT(p.segments().empty());
		CPPUNIT_ASSERT_EQUAL(std::string(), p.relative());
		CPPUNIT_ASSERT_EQUAL(std::string("/"), p.encoded());
	}

	void testPlainFile()
	{
		const RequestPath p = RequestPath::parse("/js/chat.js");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT(!p.directory());
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), p.segments().size());
		CPPUNIT_ASSERT_EQUAL(std::string("js/chat.js"), p.relative());
		// Dots inside or at the end of a name are ordinary.
		CPPUNIT_ASSERT(RequestPath::parse("/a..b").accepted());
		CPPUNIT_ASSERT(RequestPath::parse("/file.").accepted());
		CPPUNIT_ASSERT(RequestPath::parse("/x/..y").verdict() == RequestPath::HIDDEN);
	}

	void testDirectory()
	{
		const RequestPath p = RequestPath::parse("/docs/");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT(p.directory());
		CPPUNIT_ASSERT_EQUAL(std::string("docs"), p.relative());
	}

	void testEncodedNamesAreDecoded()
	{
		const RequestPath p = RequestPath::parse("/my%20file%2Ehtml");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("my file.html"), p.relative());
		CPPUNIT_ASSERT_EQUAL(std::string("/my%20file%2Ehtml"), p.encoded());
	}

	void testQueryAndFragmentIgnored()
	{
		RequestPath p = RequestPath::parse("/index.html?v=1&x=/../../etc/passwd");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("index.html"), p.relative());
		CPPUNIT_ASSERT_EQUAL(std::string("/index.html"), p.encoded());
		p = RequestPath::parse("/?x");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT(p.directory());
		p = RequestPath::parse("/a.css#frag");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("a.css"), p.relative());
	}

	void testDotSegments()
	{
		for (const char* bad : {"/..", "/../", "/../etc/passwd", "/a/../../etc/passwd", "/a/..", "/./a", "/a/./b", "/.", "/a/../b"})
		{
			const RequestPath p = RequestPath::parse(bad);
			CPPUNIT_ASSERT_MESSAGE(bad, p.verdict() == RequestPath::MALFORMED);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("dot segment"), p.problem());
		}
	}

	void testEncodedDotSegments()
	{
		for (const char* bad : {"/%2e%2e/etc/passwd", "/%2E%2E/etc/passwd", "/.%2e/x", "/%2e./x", "/a/%2e%2e/%2e%2e/x", "/%2e/x"})
			CPPUNIT_ASSERT_MESSAGE(bad, RequestPath::parse(bad).verdict() == RequestPath::MALFORMED);
	}

	void testDoubleEncodingIsNotDecodedTwice()
	{
		// "%252e%252e" is the literal name "%2e%2e", harmless (and absent).
		const RequestPath p = RequestPath::parse("/%252e%252e/etc/passwd");
		CPPUNIT_ASSERT(p.accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("%2e%2e/etc/passwd"), p.relative());
		CPPUNIT_ASSERT(RequestPath::parse("/%252f").accepted());
		CPPUNIT_ASSERT_EQUAL(std::string("%2f"), RequestPath::parse("/%252f").relative());
	}

	void testSlashesAndBackslashes()
	{
		for (const char* bad : {"/%2f", "/%2fetc%2fpasswd", "/a%2F..%2F..%2Fetc", "/..%2f..%2fetc%2fpasswd", "/%5c", "/..%5c..%5cetc",
			"/a\\b", "/\\..\\..\\etc\\passwd", "/..\\", "/%2e%2e%5cx"})
			CPPUNIT_ASSERT_MESSAGE(bad, RequestPath::parse(bad).verdict() == RequestPath::MALFORMED);
	}

	void testNulAndControlBytes()
	{
		for (const char* bad : {"/index.html%00", "/index.html%00.txt", "/%00", "/a%0d%0aX-Injected:%201", "/%1b[31m", "/%7f"})
			CPPUNIT_ASSERT_MESSAGE(bad, RequestPath::parse(bad).verdict() == RequestPath::MALFORMED);
		CPPUNIT_ASSERT(RequestPath::parse(std::string("/a\0b", 4)).verdict() == RequestPath::MALFORMED);
		CPPUNIT_ASSERT(RequestPath::parse("/a\tb").verdict() == RequestPath::MALFORMED);
	}

	void testMalformedEscapes()
	{
		for (const char* bad : {"/%", "/a%", "/%4", "/a%4", "/%zz", "/%g0", "/%0g", "/%%2e%2e", "/%%41", "/%u002e%u002e/x", "/a%2", "/a%2/b"})
		{
			const RequestPath p = RequestPath::parse(bad);
			CPPUNIT_ASSERT_MESSAGE(bad, p.verdict() == RequestPath::MALFORMED);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(bad, std::string("malformed or forbidden percent-encoding"), p.problem());
		}
	}

	void testNotOriginForm()
	{
		for (const char* bad : {"", "index.html", "*", "http://example.com/", "C:/Windows", "file:///etc/passwd", "?x", "%2fetc%2fpasswd"})
			CPPUNIT_ASSERT_MESSAGE(bad, RequestPath::parse(bad).verdict() == RequestPath::MALFORMED);
	}

	void testEmptySegments()
	{
		for (const char* bad : {"//", "//etc/passwd", "/a//b", "///", "//example.com/"})
			CPPUNIT_ASSERT_MESSAGE(bad, RequestPath::parse(bad).verdict() == RequestPath::MALFORMED);
	}

	void testHiddenFiles()
	{
		for (const char* hidden : {"/.git", "/.git/", "/.git/config", "/.env", "/a/.htaccess", "/%2egit/config", "/%2Eenv", "/...", "/.well-known/x"})
		{
			const RequestPath p = RequestPath::parse(hidden);
			CPPUNIT_ASSERT_MESSAGE(hidden, p.verdict() == RequestPath::HIDDEN);
			CPPUNIT_ASSERT_MESSAGE(hidden, !p.accepted());
		}
	}

	void testRawBytesOutsidePrintableAscii()
	{
		CPPUNIT_ASSERT(RequestPath::parse("/caf\xC3\xA9.html").verdict() == RequestPath::MALFORMED);
		CPPUNIT_ASSERT(RequestPath::parse("/a b").verdict() == RequestPath::MALFORMED);
		// The same name percent-encoded is fine.
		CPPUNIT_ASSERT(RequestPath::parse("/caf%C3%A9.html").accepted());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RequestPathTest);
