// PageSite: every decision about a request, without a socket.
#include "PageSite.h"

#include "Freshness.h"
#include "HttpDate.h"

#include "TempFiles.h"

#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/Timespan.h"

#include <cppunit/extensions/HelperMacros.h>

// A link out of the root: Windows lets only administrators (or developer
// mode) make one, and Wine's are Unix links that the Windows calls the page
// makes (GetFinalPathNameByHandle) cannot see. Linux only.
#ifndef _WIN32
#define WEBCHAT_SYMLINK_TESTS 1
#endif

using webchat::page::ChatEndpoint;
using webchat::page::DocumentRoot;
using webchat::page::PageReply;
using webchat::page::PageRequest;
using webchat::page::PageSite;
using Poco::Net::HTTPResponse;

namespace {

const std::string PORT_CSP =
	"default-src 'self'; connect-src 'self' ws://chat.example:8000 wss://chat.example:8000 http://chat.example:8000/rooms https://chat.example:8000/rooms; img-src 'self' data:; "
	"style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'";

void writeFile(const std::string& path, const std::string& text)
{
	Poco::FileOutputStream out(path);
	out << text;
}

PageRequest get(const std::string& target, const std::string& method = "GET")
{
	PageRequest request;
	request.method = method;
	request.target = target;
	request.host = std::string("chat.example:8080");
	request.localHost = "127.0.0.1";
	return request;
}

} // namespace

class PageSiteTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PageSiteTest);
	CPPUNIT_TEST(testServesIndex);
	CPPUNIT_TEST(testHeadHasSameHeadersNoBody);
	CPPUNIT_TEST(testContentTypes);
	CPPUNIT_TEST(testSecurityHeadersOnEveryReply);
	CPPUNIT_TEST(testMethodNotAllowed);
	CPPUNIT_TEST(testBadRequests);
	CPPUNIT_TEST(testNotFound);
	CPPUNIT_TEST(testHiddenNotFound);
	CPPUNIT_TEST(testDirectoryRedirect);
	CPPUNIT_TEST(testDirectoryWithoutIndexForbidden);
#ifdef WEBCHAT_SYMLINK_TESTS
	CPPUNIT_TEST(testSymlinkOutOfRootWarns);
#endif
	CPPUNIT_TEST(testNotModifiedByEntityTag);
	CPPUNIT_TEST(testNotModifiedBySince);
	CPPUNIT_TEST(testModifiedWhenTagStale);
	CPPUNIT_TEST(testChatConfigForPort);
	CPPUNIT_TEST(testChatConfigForUrl);
	CPPUNIT_TEST(testChatConfigNotShadowedByFile);
	CPPUNIT_TEST(testChatConfigHead);
	CPPUNIT_TEST(testPageHostFallbacks);
	CPPUNIT_TEST(testInvalidHostNeverEchoed);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_base = webchat::test::makeTempDir();
		_root = _base + "/htdocs";
		Poco::File(_root + "/sub").createDirectories();
		Poco::File(_root + "/empty").createDirectories();
		writeFile(_root + "/index.html", "<h1>hello</h1>");
		writeFile(_root + "/app.js", "console.log(1);");
		writeFile(_root + "/blob.bin", "\x01\x02");
		writeFile(_root + "/sub/index.html", "sub");
		writeFile(_root + "/.env", "SECRET=1");
		writeFile(_base + "/secret.txt", "secret");
#ifdef WEBCHAT_SYMLINK_TESTS
		Poco::File(_base + "/secret.txt").linkTo(_root + "/secret.txt", Poco::File::LINK_SYMBOLIC);
#endif
		_site = std::make_unique<PageSite>(DocumentRoot(_root), ChatEndpoint::onPort(8000), 4096);
		_now = Poco::Timestamp() + Poco::Timespan(60, 0);
	}

	void tearDown() override
	{
		_site.reset();
		Poco::File(_base).remove(true);
	}

	void testServesIndex()
	{
		const PageReply r = respond(get("/"));
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_OK, r.head.getStatus());
		CPPUNIT_ASSERT_EQUAL(DocumentRoot::canonical(_root + "/index.html"), r.file);
		CPPUNIT_ASSERT(r.sendBody);
		CPPUNIT_ASSERT(r.body.empty());
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), r.head.getContentType());
		CPPUNIT_ASSERT_EQUAL(std::streamsize(14), r.head.getContentLength64());
		const Poco::File index(_root + "/index.html");
		CPPUNIT_ASSERT_EQUAL(webchat::page::Freshness::entityTag(14, index.getLastModified()), r.head.get("ETag"));
		CPPUNIT_ASSERT_EQUAL(webchat::page::HttpDate::format(index.getLastModified()), r.head.get("Last-Modified"));
		CPPUNIT_ASSERT_EQUAL(std::string("no-cache"), r.head.get("Cache-Control"));
		CPPUNIT_ASSERT_EQUAL(r.file, respond(get("/index.html")).file);
		CPPUNIT_ASSERT_EQUAL(DocumentRoot::canonical(_root + "/sub/index.html"), respond(get("/sub/")).file);
	}

	void testHeadHasSameHeadersNoBody()
	{
		const PageReply g = respond(get("/app.js"));
		const PageReply h = respond(get("/app.js", "HEAD"));
		CPPUNIT_ASSERT(!h.sendBody);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_OK, h.head.getStatus());
		CPPUNIT_ASSERT_EQUAL(g.head.size(), h.head.size());
		for (const auto& header : g.head)
			CPPUNIT_ASSERT_EQUAL_MESSAGE(header.first, header.second, h.head.get(header.first));
		const PageReply missing = respond(get("/missing", "HEAD"));
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_NOT_FOUND, missing.head.getStatus());
		CPPUNIT_ASSERT(!missing.sendBody);
	}

	void testContentTypes()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("text/javascript; charset=utf-8"), respond(get("/app.js")).head.getContentType());
		CPPUNIT_ASSERT_EQUAL(std::string("application/octet-stream"), respond(get("/blob.bin")).head.getContentType());
	}

	void testSecurityHeadersOnEveryReply()
	{
		const PageReply ok = respond(get("/"));
		PageRequest conditional = get("/");
		conditional.ifNoneMatch = ok.head.get("ETag");
		const PageReply replies[] = {ok, respond(conditional), respond(get("/missing")), respond(get("/%zz")), respond(get("/", "POST")),
			respond(get("/sub")), respond(get("/empty/")), respond(get("/webchat-config.json")), respond(get("/.env")),
			_site->error(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, get("/"), "boom")};
		for (const auto& r : replies)
		{
			const std::string status = std::to_string(r.head.getStatus());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(status, std::string("nosniff"), r.head.get("X-Content-Type-Options", ""));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(status, std::string("no-referrer"), r.head.get("Referrer-Policy", ""));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(status, std::string("DENY"), r.head.get("X-Frame-Options", ""));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(status, PORT_CSP, r.head.get("Content-Security-Policy", ""));
			CPPUNIT_ASSERT_MESSAGE(status, r.head.get("Content-Security-Policy").find("unsafe-inline") == std::string::npos);
		}
	}

	void testMethodNotAllowed()
	{
		for (const char* method : {"POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "CONNECT", "get", "head"})
		{
			const PageReply r = respond(get("/", method));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method, HTTPResponse::HTTP_METHOD_NOT_ALLOWED, r.head.getStatus());
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method, std::string("GET, HEAD"), r.head.get("Allow", ""));
			CPPUNIT_ASSERT_MESSAGE(method, r.file.empty());
		}
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, respond(get("/webchat-config.json", "POST")).head.getStatus());
	}

	void testBadRequests()
	{
		for (const char* target : {"/../secret.txt", "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/a%5c..%5csecret.txt", "/index.html%00",
			"/%zz", "//etc/passwd", "http://chat.example/", "*", "/a\\b"})
		{
			const PageReply r = respond(get(target));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(target, HTTPResponse::HTTP_BAD_REQUEST, r.head.getStatus());
			CPPUNIT_ASSERT_MESSAGE(target, r.file.empty());
			CPPUNIT_ASSERT_EQUAL(std::string("400 Bad Request\n"), r.body);
			CPPUNIT_ASSERT_EQUAL(std::string("text/plain; charset=utf-8"), r.head.getContentType());
			CPPUNIT_ASSERT_EQUAL(std::streamsize(r.body.size()), r.head.getContentLength64());
		}
	}

	void testNotFound()
	{
		const PageReply r = respond(get("/missing.html"));
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_NOT_FOUND, r.head.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("404 Not Found\n"), r.body);
		CPPUNIT_ASSERT(!r.warn);
	}

	void testHiddenNotFound()
	{
		for (const char* target : {"/.env", "/.git/config", "/%2eenv"})
		{
			const PageReply r = respond(get(target));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(target, HTTPResponse::HTTP_NOT_FOUND, r.head.getStatus());
			CPPUNIT_ASSERT_MESSAGE(target, r.file.empty());
		}
	}

	void testDirectoryRedirect()
	{
		const PageReply r = respond(get("/sub?x=1"));
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_MOVED_PERMANENTLY, r.head.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("/sub/"), r.head.get("Location"));
	}

	void testDirectoryWithoutIndexForbidden()
	{
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_FORBIDDEN, respond(get("/empty/")).head.getStatus());
	}

#ifdef WEBCHAT_SYMLINK_TESTS
	void testSymlinkOutOfRootWarns()
	{
		const PageReply r = respond(get("/secret.txt"));
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_NOT_FOUND, r.head.getStatus());
		CPPUNIT_ASSERT(r.file.empty());
		CPPUNIT_ASSERT(r.warn);
		CPPUNIT_ASSERT(r.body.find("secret") == std::string::npos);
	}
#endif

	void testNotModifiedByEntityTag()
	{
		const PageReply first = respond(get("/app.js"));
		for (const char* method : {"GET", "HEAD"})
		{
			PageRequest again = get("/app.js", method);
			again.ifNoneMatch = "\"nope\", " + first.head.get("ETag");
			const PageReply r = respond(again);
			CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_NOT_MODIFIED, r.head.getStatus());
			CPPUNIT_ASSERT(!r.sendBody);
			CPPUNIT_ASSERT(r.file.empty());
			CPPUNIT_ASSERT_EQUAL(first.head.get("ETag"), r.head.get("ETag"));
			CPPUNIT_ASSERT_EQUAL(first.head.get("Last-Modified"), r.head.get("Last-Modified"));
			CPPUNIT_ASSERT_EQUAL(std::string("no-cache"), r.head.get("Cache-Control"));
			CPPUNIT_ASSERT(!r.head.has("Content-Length"));
		}
	}

	void testNotModifiedBySince()
	{
		const PageReply first = respond(get("/app.js"));
		PageRequest again = get("/app.js");
		again.ifModifiedSince = first.head.get("Last-Modified");
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_NOT_MODIFIED, respond(again).head.getStatus());
		again.ifModifiedSince = "Thu, 01 Jan 1998 00:00:00 GMT";
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_OK, respond(again).head.getStatus());
	}

	void testModifiedWhenTagStale()
	{
		PageRequest again = get("/app.js");
		again.ifNoneMatch = std::string("\"stale\"");
		again.ifModifiedSince = respond(get("/app.js")).head.get("Last-Modified");
		const PageReply r = respond(again);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_OK, r.head.getStatus());
		CPPUNIT_ASSERT(!r.file.empty());
	}

	void testChatConfigForPort()
	{
		const PageReply r = respond(get("/webchat-config.json?cache=bust"));
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_OK, r.head.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"ws://chat.example:8000/\",\"maxTextBytes\":4096}\n"), r.body);
		// Over this listener's TLS: the chat over TLS as well.
		PageRequest secure = get("/webchat-config.json");
		secure.secure = true;
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"wss://chat.example:8000/\",\"maxTextBytes\":4096}\n"), respond(secure).body);
		CPPUNIT_ASSERT_EQUAL(std::string("application/json"), r.head.getContentType());
		CPPUNIT_ASSERT_EQUAL(std::streamsize(r.body.size()), r.head.getContentLength64());
		CPPUNIT_ASSERT_EQUAL(std::string("no-store"), r.head.get("Cache-Control"));
		CPPUNIT_ASSERT(r.file.empty());
	}

	void testChatConfigForUrl()
	{
		PageSite site(DocumentRoot(_root), ChatEndpoint::fromUrl("wss://chat.example.org/ws"), 300);
		const PageReply r = site.respond(get("/webchat-config.json"), _now);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"wss://chat.example.org/ws\",\"maxTextBytes\":300}\n"), r.body);
		CPPUNIT_ASSERT_EQUAL(std::string("default-src 'self'; connect-src 'self' wss://chat.example.org/ws https://chat.example.org/ws/rooms; img-src 'self' data:; "
			"style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'"), r.head.get("Content-Security-Policy"));
	}

	void testChatConfigNotShadowedByFile()
	{
		writeFile(_root + "/webchat-config.json", "{\"chatUrl\":\"ws://evil/\"}");
		const PageReply r = respond(get("/webchat-config.json"));
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"ws://chat.example:8000/\",\"maxTextBytes\":4096}\n"), r.body);
		// Only the exact path is generated.
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_NOT_FOUND, respond(get("/sub/webchat-config.json")).head.getStatus());
		CPPUNIT_ASSERT(respond(get("/webchat-config.json/")).body.find("chatUrl") == std::string::npos);
	}

	void testChatConfigHead()
	{
		const PageReply g = respond(get("/webchat-config.json"));
		const PageReply h = respond(get("/webchat-config.json", "HEAD"));
		CPPUNIT_ASSERT(!h.sendBody);
		CPPUNIT_ASSERT_EQUAL(g.head.getContentLength64(), h.head.getContentLength64());
	}

	void testPageHostFallbacks()
	{
		PageRequest r = get("/");
		CPPUNIT_ASSERT_EQUAL(std::string("chat.example"), PageSite::pageHost(r));
		r.host = std::string("[::1]:8080");
		CPPUNIT_ASSERT_EQUAL(std::string("[::1]"), PageSite::pageHost(r));
		r.host = std::string("10.0.0.7");
		CPPUNIT_ASSERT_EQUAL(std::string("10.0.0.7"), PageSite::pageHost(r));
		r.host.reset();
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), PageSite::pageHost(r));
		r.localHost = "[::1]";
		CPPUNIT_ASSERT_EQUAL(std::string("[::1]"), PageSite::pageHost(r));
		r.localHost = "";
		CPPUNIT_ASSERT_EQUAL(std::string("localhost"), PageSite::pageHost(r));
	}

	void testInvalidHostNeverEchoed()
	{
		for (const char* evil : {"evil.com\"><script>alert(1)</script>", "a.com; script-src *", "a.com:80 'unsafe-inline'",
			"", "user@a.com", "a.com:99999", "a.com\r\nX-Injected: 1"})
		{
			PageRequest r = get("/webchat-config.json");
			r.host = std::string(evil);
			const PageReply reply = respond(r);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(evil, std::string("{\"chatUrl\":\"ws://127.0.0.1:8000/\",\"maxTextBytes\":4096}\n"), reply.body);
			CPPUNIT_ASSERT_MESSAGE(evil, reply.head.get("Content-Security-Policy").find("ws://127.0.0.1:8000 wss://127.0.0.1:8000") != std::string::npos);
		}
	}

private:
	PageReply respond(const PageRequest& request)
	{
		return _site->respond(request, _now);
	}

	std::string _base;
	std::string _root;
	std::unique_ptr<PageSite> _site;
	Poco::Timestamp _now;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PageSiteTest);
