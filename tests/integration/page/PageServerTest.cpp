// The page plugin inside the real webchatd, over HTTP on loopback.
#include "ServerProcess.h"
#include "TestPaths.h"

#include "Poco/AutoPtr.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/StreamCopier.h"
#include "Poco/Util/IniFileConfiguration.h"

#include <cppunit/extensions/HelperMacros.h>

#include <map>
#include <memory>

using webchat::test::ServerProcess;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

namespace {

const std::string SECRET = "TOP-SECRET-DO-NOT-SERVE";
const std::string INDEX = "<!doctype html><title>test</title><h1>index</h1>\n";

struct Reply
{
	int status = 0;
	HTTPResponse head;
	std::string body;
};

// What went over the wire, byte for byte (for requests HTTPClientSession
// would not send as written, and to see that HEAD sends no body).
struct RawReply
{
	int status = 0;
	std::string head;
	std::string body;
	std::string text;
};

void writeFile(const std::string& path, const std::string& text)
{
	Poco::FileOutputStream out(path, std::ios::binary);
	out << text;
}

std::string readFile(const std::string& path)
{
	Poco::FileInputStream in(path, std::ios::binary);
	std::string text;
	Poco::StreamCopier::copyToString(in, text);
	return text;
}

bool contains(const std::string& text, const std::string& part)
{
	return text.find(part) != std::string::npos;
}

} // namespace

class PageServerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PageServerTest);
	CPPUNIT_TEST(testIndexServed);
	CPPUNIT_TEST(testContentTypes);
	CPPUNIT_TEST(testHeadSendsHeadersOnly);
	CPPUNIT_TEST(testNotModifiedByEntityTag);
	CPPUNIT_TEST(testNotModifiedBySince);
	CPPUNIT_TEST(testNotFound);
	CPPUNIT_TEST(testDirectories);
	CPPUNIT_TEST(testMethodNotAllowed);
	CPPUNIT_TEST(testTraversalRefused);
	CPPUNIT_TEST(testHiddenFilesRefused);
	CPPUNIT_TEST(testSymlinkOutOfRootRefused);
	CPPUNIT_TEST(testSecurityHeadersOnEveryResponse);
	CPPUNIT_TEST(testQueryStringIgnored);
	CPPUNIT_TEST(testLargeFileStreamed);
	CPPUNIT_TEST(testKeepAliveAcrossRequests);
	CPPUNIT_TEST(testChatConfigForPort);
	CPPUNIT_TEST(testChatConfigHostValidated);
	CPPUNIT_TEST(testChatConfigForUrl);
	CPPUNIT_TEST(testRelativeRootFromConfigDirectory);
	CPPUNIT_TEST(testMissingRootExits78);
	CPPUNIT_TEST(testRootNotADirectoryExits78);
	CPPUNIT_TEST(testBadChatUrlExits78);
	CPPUNIT_TEST(testShippedConfigServesPage);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_base = webchat::test::makeTempDir();
		_root = _base + "/htdocs";
		_outside = _base + "/outside";
		for (const char* dir : {"/sub", "/empty", "/.git", "/css"}) Poco::File(_root + dir).createDirectories();
		Poco::File(_outside).createDirectories();
		writeFile(_root + "/index.html", INDEX);
		writeFile(_root + "/css/chat.css", "body { color: red; }\n");
		writeFile(_root + "/chat.js", "console.log('hi');\n");
		writeFile(_root + "/module.mjs", "export {};\n");
		writeFile(_root + "/data.json", "{\"a\":1}\n");
		writeFile(_root + "/logo.png", std::string("\x89PNG\r\n\x1a\n\0\0", 10));
		writeFile(_root + "/favicon.svg", "<svg xmlns=\"http://www.w3.org/2000/svg\"/>");
		writeFile(_root + "/blob.xyz", "?");
		writeFile(_root + "/sub/index.html", "sub index\n");
		writeFile(_root + "/.env", SECRET);
		writeFile(_root + "/.git/config", SECRET);
		writeFile(_outside + "/secret.txt", SECRET);
		writeFile(_base + "/secret.txt", SECRET);
		writeFile(_base + "/index.html", SECRET);
		Poco::File(_outside + "/secret.txt").linkTo(_root + "/secret.txt", Poco::File::LINK_SYMBOLIC);
		Poco::File(_outside).linkTo(_root + "/outdir", Poco::File::LINK_SYMBOLIC);
	}

	void tearDown() override
	{
		_server.reset();
		Poco::File(_base).remove(true);
	}

	void testIndexServed()
	{
		start();
		const Reply r = get("/");
		CPPUNIT_ASSERT_EQUAL(200, r.status);
		CPPUNIT_ASSERT_EQUAL(INDEX, r.body);
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), r.head.getContentType());
		CPPUNIT_ASSERT_EQUAL(std::streamsize(INDEX.size()), r.head.getContentLength64());
		CPPUNIT_ASSERT_EQUAL(INDEX, get("/index.html").body);
	}

	void testContentTypes()
	{
		start();
		const std::map<std::string, std::string> expected = {
			{"/css/chat.css", "text/css; charset=utf-8"},
			{"/chat.js", "text/javascript; charset=utf-8"},
			{"/module.mjs", "text/javascript; charset=utf-8"},
			{"/data.json", "application/json"},
			{"/logo.png", "image/png"},
			{"/favicon.svg", "image/svg+xml"},
			{"/blob.xyz", "application/octet-stream"},
			{"/sub/", "text/html; charset=utf-8"},
		};
		for (const auto& [path, type] : expected)
		{
			const Reply r = get(path);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, 200, r.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, type, r.head.getContentType());
		}
		CPPUNIT_ASSERT_EQUAL(std::string("\x89PNG\r\n\x1a\n\0\0", 10), get("/logo.png").body);
	}

	void testHeadSendsHeadersOnly()
	{
		start();
		const Reply g = get("/chat.js");
		const Reply h = send(HTTPRequest::HTTP_HEAD, "/chat.js");
		CPPUNIT_ASSERT_EQUAL(200, h.status);
		CPPUNIT_ASSERT_EQUAL(g.head.getContentLength64(), h.head.getContentLength64());
		for (const char* name : {"Content-Type", "Content-Length", "ETag", "Last-Modified", "Cache-Control", "Content-Security-Policy"})
			CPPUNIT_ASSERT_EQUAL_MESSAGE(name, g.head.get(name), h.head.get(name, "(missing)"));
		// On the wire: the response ends right after the headers.
		const RawReply raw = rawRequest("HEAD /chat.js HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(200, raw.status);
		CPPUNIT_ASSERT_EQUAL(std::string(), raw.body);
		CPPUNIT_ASSERT(contains(raw.head, "Content-Length: 19\r\n"));
	}

	void testNotModifiedByEntityTag()
	{
		start();
		const Reply first = get("/css/chat.css");
		const std::string tag = first.head.get("ETag", "");
		CPPUNIT_ASSERT(!tag.empty());
		const Reply again = get("/css/chat.css", {{"If-None-Match", tag}});
		CPPUNIT_ASSERT_EQUAL(304, again.status);
		CPPUNIT_ASSERT_EQUAL(std::string(), again.body);
		CPPUNIT_ASSERT_EQUAL(tag, again.head.get("ETag", ""));
		CPPUNIT_ASSERT_EQUAL(200, get("/css/chat.css", {{"If-None-Match", "\"other\""}}).status);

		// A changed file gets a new tag, and the old one no longer matches.
		writeFile(_root + "/css/chat.css", "body { color: blue; margin: 0; }\n");
		const Reply changed = get("/css/chat.css", {{"If-None-Match", tag}});
		CPPUNIT_ASSERT_EQUAL(200, changed.status);
		CPPUNIT_ASSERT(changed.head.get("ETag") != tag);
	}

	void testNotModifiedBySince()
	{
		start();
		const Reply first = get("/chat.js");
		const std::string lastModified = first.head.get("Last-Modified", "");
		CPPUNIT_ASSERT(contains(lastModified, " GMT"));
		const Reply again = get("/chat.js", {{"If-Modified-Since", lastModified}});
		CPPUNIT_ASSERT_EQUAL(304, again.status);
		CPPUNIT_ASSERT_EQUAL(std::string(), again.body);
		CPPUNIT_ASSERT_EQUAL(200, get("/chat.js", {{"If-Modified-Since", "Thu, 01 Jan 1998 00:00:00 GMT"}}).status);
		CPPUNIT_ASSERT_EQUAL(200, get("/chat.js", {{"If-Modified-Since", "not a date"}}).status);
	}

	void testNotFound()
	{
		start();
		const Reply r = get("/missing.html");
		CPPUNIT_ASSERT_EQUAL(404, r.status);
		CPPUNIT_ASSERT_EQUAL(std::string("404 Not Found\n"), r.body);
		CPPUNIT_ASSERT_EQUAL(404, get("/sub/missing/").status);
		CPPUNIT_ASSERT_EQUAL(404, get("/chat.js/").status);
	}

	void testDirectories()
	{
		start();
		CPPUNIT_ASSERT_EQUAL(std::string("sub index\n"), get("/sub/").body);
		const Reply moved = get("/sub");
		CPPUNIT_ASSERT_EQUAL(301, moved.status);
		CPPUNIT_ASSERT_EQUAL(std::string("/sub/"), moved.head.get("Location", ""));
		CPPUNIT_ASSERT_EQUAL(403, get("/empty/").status);
	}

	void testMethodNotAllowed()
	{
		start();
		for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS", "PATCH"})
		{
			const Reply r = send(method, "/");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method, 405, r.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method, std::string("GET, HEAD"), r.head.get("Allow", ""));
		}
		// A body the handler does not read must not be taken for the next
		// request: the connection closes.
		const RawReply raw = rawRequest("POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 22\r\n\r\nGET /.env HTTP/1.1\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(405, raw.status);
		CPPUNIT_ASSERT(contains(raw.head, "Connection: close\r\n") || contains(raw.head, "Connection: Close\r\n"));
		CPPUNIT_ASSERT(!contains(raw.text, SECRET));
		CPPUNIT_ASSERT_EQUAL(std::string::npos, raw.text.find("HTTP/1.1", 1));
	}

	void testTraversalRefused()
	{
		start();
		const std::map<std::string, int> attempts = {
			{"/../secret.txt", 400},
			{"/../index.html", 400},
			{"/sub/../../secret.txt", 400},
			{"/sub/../index.html", 400},
			{"/./index.html", 400},
			{"/%2e%2e/secret.txt", 400},
			{"/%2E%2E/secret.txt", 400},
			{"/.%2e/secret.txt", 400},
			{"/..%2fsecret.txt", 400},
			{"/%2e%2e%2fsecret.txt", 400},
			{"/..%2Fsecret.txt", 400},
			{"/..%5csecret.txt", 400},
			{"/..%5Csecret.txt", 400},
			{"/..\\secret.txt", 400},
			{"/sub\\..\\..\\secret.txt", 400},
			{"/index.html%00", 400},
			{"/index.html%00.txt", 400},
			{"/%00", 400},
			{"/%zz", 400},
			{"/%", 400},
			{"/%2", 400},
			{"/%u002e%u002e/secret.txt", 400},
			{"//etc/passwd", 400},
			{"//" + _base.substr(1) + "/secret.txt", 400},
			{"/%2f" + _base.substr(1) + "/secret.txt", 400},
			{_base + "/secret.txt", 404},
			{"http://127.0.0.1/../secret.txt", 400},
			{"secret.txt", 400},
			{"/%252e%252e/secret.txt", 404},
			{"/%c0%ae%c0%ae/secret.txt", 404},
		};
		for (const auto& [target, status] : attempts)
		{
			const RawReply r = rawRequest("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(target, status, r.status);
			CPPUNIT_ASSERT_MESSAGE(target, !contains(r.text, SECRET));
		}
		// The server is still fine.
		CPPUNIT_ASSERT_EQUAL(200, get("/").status);
	}

	void testHiddenFilesRefused()
	{
		start();
		for (const char* target : {"/.env", "/.git/config", "/.git/", "/.git", "/%2eenv", "/%2Egit/config", "/sub/.env"})
		{
			const RawReply r = rawRequest(std::string("GET ") + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(target, 404, r.status);
			CPPUNIT_ASSERT_MESSAGE(target, !contains(r.text, SECRET));
		}
	}

	void testSymlinkOutOfRootRefused()
	{
		start();
		for (const char* target : {"/secret.txt", "/outdir/secret.txt", "/outdir/"})
		{
			const Reply r = get(target);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(target, 404, r.status);
			CPPUNIT_ASSERT_MESSAGE(target, !contains(r.body, SECRET));
		}
		// A link inside the root is fine.
		Poco::File(_root + "/chat.js").linkTo(_root + "/alias.js", Poco::File::LINK_SYMBOLIC);
		CPPUNIT_ASSERT_EQUAL(200, get("/alias.js").status);
		// The refusal is worth a warning to the operator.
		CPPUNIT_ASSERT(contains(_server->output(), "outside the root"));
	}

	void testSecurityHeadersOnEveryResponse()
	{
		start({{"chat_port", "9123"}});
		const std::string csp = "default-src 'self'; connect-src 'self' ws://127.0.0.1:9123 wss://127.0.0.1:9123 http://127.0.0.1:9123/rooms https://127.0.0.1:9123/rooms; img-src 'self' data:; "
			"style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'";
		const std::string tag = get("/").head.get("ETag");
		const Reply replies[] = {get("/"), get("/", {{"If-None-Match", tag}}), get("/missing"), send("POST", "/"), get("/a%2Fb"),
			get("/.env"), get("/sub"), get("/empty/"), get("/webchat-config.json"), send(HTTPRequest::HTTP_HEAD, "/")};
		const int statuses[] = {200, 304, 404, 405, 400, 404, 301, 403, 200, 200};
		for (std::size_t i = 0; i < sizeof(statuses) / sizeof(statuses[0]); ++i)
		{
			const Reply& r = replies[i];
			const std::string what = std::to_string(statuses[i]);
			CPPUNIT_ASSERT_EQUAL(statuses[i], r.status);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("nosniff"), r.head.get("X-Content-Type-Options", ""));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("no-referrer"), r.head.get("Referrer-Policy", ""));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, std::string("DENY"), r.head.get("X-Frame-Options", ""));
			CPPUNIT_ASSERT_EQUAL_MESSAGE(what, csp, r.head.get("Content-Security-Policy", ""));
		}
		const Reply ok = replies[0];
		CPPUNIT_ASSERT_EQUAL(std::string("no-cache"), ok.head.get("Cache-Control", ""));
		CPPUNIT_ASSERT(ok.head.has("ETag"));
		CPPUNIT_ASSERT(ok.head.has("Last-Modified"));
	}

	void testQueryStringIgnored()
	{
		start();
		CPPUNIT_ASSERT_EQUAL(INDEX, get("/?v=1").body);
		CPPUNIT_ASSERT_EQUAL(std::string("console.log('hi');\n"), get("/chat.js?v=../../secret.txt").body);
	}

	void testLargeFileStreamed()
	{
		std::string big;
		big.reserve(6 * 1024 * 1024 + 7);
		for (std::size_t i = 0; big.size() < 6 * 1024 * 1024 + 7; ++i) big += static_cast<char>('a' + i % 26);
		writeFile(_root + "/big.bin", big);
		start();
		const Reply r = get("/big.bin");
		CPPUNIT_ASSERT_EQUAL(200, r.status);
		CPPUNIT_ASSERT_EQUAL(std::streamsize(big.size()), r.head.getContentLength64());
		CPPUNIT_ASSERT(!r.head.getChunkedTransferEncoding());
		CPPUNIT_ASSERT(r.body == big);
	}

	void testKeepAliveAcrossRequests()
	{
		start();
		Poco::Net::HTTPClientSession session("127.0.0.1", _port);
		session.setKeepAlive(true);
		for (const char* path : {"/", "/missing", "/chat.js", "/webchat-config.json", "/sub", "/"})
		{
			HTTPRequest request(HTTPRequest::HTTP_GET, path, HTTPRequest::HTTP_1_1);
			request.setKeepAlive(true);
			session.sendRequest(request);
			HTTPResponse response;
			std::istream& in = session.receiveResponse(response);
			std::string body;
			Poco::StreamCopier::copyToString(in, body);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(path, std::streamsize(body.size()), response.getContentLength64());
			CPPUNIT_ASSERT_MESSAGE(path, response.getKeepAlive());
		}
	}

	void testChatConfigForPort()
	{
		start({{"chat_port", "9123"}});
		const Reply r = get("/webchat-config.json", {{"Host", "chat.example:" + std::to_string(_port)}});
		CPPUNIT_ASSERT_EQUAL(200, r.status);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"ws://chat.example:9123/\",\"maxTextBytes\":4096}\n"), r.body);
		CPPUNIT_ASSERT_EQUAL(std::string("application/json"), r.head.getContentType());
		CPPUNIT_ASSERT_EQUAL(std::string("no-store"), r.head.get("Cache-Control", ""));
		CPPUNIT_ASSERT(contains(r.head.get("Content-Security-Policy"), "connect-src 'self' ws://chat.example:9123 wss://chat.example:9123 http://chat.example:9123/rooms https://chat.example:9123/rooms;"));
		// HTTPClientSession sends Host: 127.0.0.1:<port> by default.
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"ws://127.0.0.1:9123/\",\"maxTextBytes\":4096}\n"), get("/webchat-config.json").body);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"ws://[::1]:9123/\",\"maxTextBytes\":4096}\n"), get("/webchat-config.json", {{"Host", "[::1]:80"}}).body);
	}

	void testChatConfigHostValidated()
	{
		start({{"chat_port", "9123"}});
		// A Host that is not host[:port] at all is refused by webchatd
		// before the page sees it (400); one that is, but names no host the
		// page would link to (a ';', a quote, an underscore), falls back to
		// the address the client connected to. The text sent is never echoed.
		const std::vector<std::pair<std::string, int>> hosts = {{"evil.com\"><script>alert(1)</script>", 400}, {"a.com;connect-src=*", 200},
			{"a'b", 200}, {"user@evil.com", 400}, {"evil.com:99999", 400}, {"evil_com", 200}, {"", 400}, {"\xC3\xA9vil.com", 400}};
		for (const auto& [host, status] : hosts)
		{
			const RawReply r = rawRequest("GET /webchat-config.json HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(host, status, r.status);
			if (status == 200) CPPUNIT_ASSERT_EQUAL_MESSAGE(host, std::string("{\"chatUrl\":\"ws://127.0.0.1:9123/\",\"maxTextBytes\":4096}\n"), r.body);
			if (!host.empty()) CPPUNIT_ASSERT_MESSAGE(host, !contains(r.text, host));
		}
		// Two Host headers: refused.
		RawReply r = rawRequest("GET /webchat-config.json HTTP/1.1\r\nHost: a.example\r\nHost: b.example\r\nConnection: close\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(400, r.status);
		// HTTP/1.0 may omit it.
		r = rawRequest("GET /webchat-config.json HTTP/1.0\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"ws://127.0.0.1:9123/\",\"maxTextBytes\":4096}\n"), r.body);
	}

	void testChatConfigForUrl()
	{
		start({{"chat_port", "9123"}, {"chat_url", "wss://Chat.Example.org/ws"}, {"max_text_bytes", "300"}});
		const Reply r = get("/webchat-config.json", {{"Host", "page.example"}});
		CPPUNIT_ASSERT_EQUAL(200, r.status);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"wss://chat.example.org/ws\",\"maxTextBytes\":300}\n"), r.body);
		CPPUNIT_ASSERT_EQUAL(std::string("default-src 'self'; connect-src 'self' wss://chat.example.org/ws https://chat.example.org/ws/rooms; img-src 'self' data:; "
			"style-src 'self'; script-src 'self'; base-uri 'none'; frame-ancestors 'none'"), r.head.get("Content-Security-Policy", ""));
	}

	// Relative to the .ini's folder, whatever the working directory.
	void testRelativeRootFromConfigDirectory()
	{
		_port = webchat::test::freeLoopbackPort();
		const std::string ini = _base + "/webchat.ini";
		Poco::File(config({{"root", "htdocs"}})).copyTo(ini);
		_server = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + ini}, "/");
		CPPUNIT_ASSERT_MESSAGE(_server->output(), _server->waitForPort(_port));
		const Reply r = get("/");
		CPPUNIT_ASSERT_EQUAL(200, r.status);
		CPPUNIT_ASSERT_EQUAL(INDEX, r.body);
	}

	void testMissingRootExits78()
	{
		assertConfigError({{"root", _base + "/no-such-dir"}}, {"root = " + _base + "/no-such-dir", "no such directory"});
		assertConfigError({{"root", ""}}, {"missing configuration key: root"});
	}

	void testRootNotADirectoryExits78()
	{
		assertConfigError({{"root", _root + "/index.html"}}, {"root = " + _root + "/index.html", "not a directory"});
	}

	void testBadChatUrlExits78()
	{
		assertConfigError({{"chat_url", "http://chat.example.org/"}}, {"chat_url = http://chat.example.org/"});
		assertConfigError({{"chat_port", "70000"}}, {"chat_port = 70000"});
	}

	void testShippedConfigServesPage()
	{
		// Every listener of the shipped file on a free loopback port, so the
		// test neither collides with a running server nor listens publicly.
		Poco::AutoPtr<Poco::Util::IniFileConfiguration> shipped = new Poco::Util::IniFileConfiguration(webchat::test::shippedConfig());
		Poco::Util::AbstractConfiguration::Keys listeners;
		shipped->keys("listeners", listeners);
		std::vector<std::string> args{"--config=" + webchat::test::shippedConfig()};
		for (const auto& name : listeners)
		{
			const Poco::UInt16 port = webchat::test::freeLoopbackPort();
			if (name == "page") _port = port;
			args.push_back("--define=listeners." + name + ".port=" + std::to_string(port));
			args.push_back("--define=listeners." + name + ".address=127.0.0.1");
		}
		CPPUNIT_ASSERT_MESSAGE("the shipped config has a page listener", _port != 0);
		_server = std::make_unique<ServerProcess>(args);
		CPPUNIT_ASSERT_MESSAGE(_server->output(), _server->waitForPort(_port));

		const std::string index = webchat::test::htdocsDir() + "/index.html";
		const Reply r = get("/");
		if (Poco::File(index).exists())
		{
			CPPUNIT_ASSERT_EQUAL(200, r.status);
			CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), r.head.getContentType());
			CPPUNIT_ASSERT(r.body == readFile(index));
		}
		else
		{
			// The page is not in the build tree: a clear 404, not a crash.
			CPPUNIT_ASSERT_EQUAL(404, r.status);
		}
		CPPUNIT_ASSERT_EQUAL(200, get("/webchat-config.json").status);
	}

private:
	using Keys = std::vector<std::pair<std::string, std::string>>;

	std::string config(const Keys& overrides)
	{
		std::map<std::string, std::string> keys = {{"root", _root}};
		for (const auto& [key, value] : overrides) keys[key] = value;
		std::string ini =
			"[server]\n"
			"plugin_path = " + webchat::test::pluginDir() + "\n"
			"[listeners.page]\n"
			"address = 127.0.0.1\n"
			"port = " + std::to_string(_port) + "\n"
			"plugin = page\n"
			"class = PagePlugin\n"
			"threads = 4\n";
		for (const auto& [key, value] : keys) ini += key + " = " + value + "\n";
		ini +=
			"[logging.channels.console]\n"
			"class = ConsoleChannel\n"
			"[logging.loggers.root]\n"
			"channel = console\n"
			"level = information\n";
		return webchat::test::writeTempFile(ini);
	}

	void start(const Keys& overrides = {}, const std::string& workingDir = "")
	{
		_port = webchat::test::freeLoopbackPort();
		_server = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + config(overrides)}, workingDir);
		CPPUNIT_ASSERT_MESSAGE(_server->output(), _server->waitForPort(_port));
	}

	void assertConfigError(const Keys& overrides, std::initializer_list<std::string> mentions)
	{
		_port = webchat::test::freeLoopbackPort();
		ServerProcess server({"--config=" + config(overrides)});
		const int code = server.waitForExit(Poco::Timespan(2, 0));
		const std::string output = server.output();
		CPPUNIT_ASSERT_EQUAL_MESSAGE(output, 78, code);
		for (const auto& mention : mentions)
			CPPUNIT_ASSERT_MESSAGE(output + " should mention " + mention, contains(output, mention));
	}

	Reply send(const std::string& method, const std::string& path, const Keys& headers = {})
	{
		Poco::Net::HTTPClientSession session("127.0.0.1", _port);
		session.setTimeout(Poco::Timespan(10, 0));
		HTTPRequest request(method, path, HTTPRequest::HTTP_1_1);
		for (const auto& [name, value] : headers) request.set(name, value);
		if (method == HTTPRequest::HTTP_POST || method == HTTPRequest::HTTP_PUT || method == HTTPRequest::HTTP_PATCH)
		{
			const std::string body = "x=1";
			request.setContentLength(static_cast<std::streamsize>(body.size()));
			session.sendRequest(request) << body;
		}
		else
		{
			session.sendRequest(request);
		}
		Reply reply;
		std::istream& in = session.receiveResponse(reply.head);
		Poco::StreamCopier::copyToString(in, reply.body);
		reply.status = static_cast<int>(reply.head.getStatus());
		return reply;
	}

	Reply get(const std::string& path, const Keys& headers = {})
	{
		return send(HTTPRequest::HTTP_GET, path, headers);
	}

	// Sends text as it is and reads until the server closes the connection
	// (the requests ask for that; a server that does not fails on the
	// receive timeout).
	RawReply rawRequest(const std::string& text)
	{
		Poco::Net::StreamSocket socket(Poco::Net::SocketAddress("127.0.0.1", _port));
		socket.setReceiveTimeout(Poco::Timespan(10, 0));
		socket.sendBytes(text.data(), static_cast<int>(text.size()));
		RawReply reply;
		char buffer[8192];
		for (;;)
		{
			const int n = socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0) break;
			reply.text.append(buffer, static_cast<std::size_t>(n));
		}
		const auto end = reply.text.find("\r\n\r\n");
		reply.head = reply.text.substr(0, end == std::string::npos ? std::string::npos : end + 4);
		reply.body = end == std::string::npos ? std::string() : reply.text.substr(end + 4);
		if (reply.text.compare(0, 9, "HTTP/1.1 ") == 0 || reply.text.compare(0, 9, "HTTP/1.0 ") == 0)
			reply.status = std::stoi(reply.text.substr(9, 3));
		return reply;
	}

	std::string _base;
	std::string _root;
	std::string _outside;
	Poco::UInt16 _port = 0;
	std::unique_ptr<ServerProcess> _server;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PageServerTest);
