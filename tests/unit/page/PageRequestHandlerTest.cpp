// PageRequestHandler against an in-memory request and response: how an
// answer is carried out, and that nothing escapes the handler.
#include "PageRequestHandler.h"

#include "TempFiles.h"

#include "Poco/Exception.h"
#include "Poco/File.h"
#include "Poco/FileStream.h"
#include "Poco/Logger.h"
#include "Poco/Net/HTTPServerParams.h"
#include "Poco/Net/SocketAddress.h"

#include <cppunit/extensions/HelperMacros.h>

#include <sstream>

using webchat::page::ChatEndpoint;
using webchat::page::DocumentRoot;
using webchat::page::PageRequestHandler;
using webchat::page::PageSite;
using Poco::Net::HTTPResponse;

namespace {

class FakeResponse: public Poco::Net::HTTPServerResponse
{
public:
	void sendContinue() override {}

	std::ostream& send() override
	{
		++sendCalls;
		if (failSends > 0)
		{
			--failSends;
			throw Poco::IOException("simulated failure");
		}
		_sent = true;
		return body;
	}

	void sendFile(const std::string&, const std::string&) override { throw Poco::NotImplementedException(); }
	void sendBuffer(const void*, std::size_t) override { throw Poco::NotImplementedException(); }
	void redirect(const std::string&, HTTPStatus) override { throw Poco::NotImplementedException(); }
	void requireAuthentication(const std::string&) override { throw Poco::NotImplementedException(); }
	bool sent() const override { return _sent; }

	std::ostringstream body;
	int sendCalls = 0;
	int failSends = 0;

private:
	bool _sent = false;
};

class FakeRequest: public Poco::Net::HTTPServerRequest
{
public:
	FakeRequest(FakeResponse& response, const std::string& method, const std::string& uri):
		_response(response),
		_client("127.0.0.1", 50000),
		_server("127.0.0.1", 8080),
		_params(new Poco::Net::HTTPServerParams)
	{
		setMethod(method);
		setURI(uri);
		setVersion(HTTP_1_1);
		setHost("page.example", 8080);
	}

	std::istream& stream() override { return _body; }
	const Poco::Net::SocketAddress& clientAddress() const override { return _client; }
	const Poco::Net::SocketAddress& serverAddress() const override { return _server; }
	const Poco::Net::HTTPServerParams& serverParams() const override { return *_params; }
	Poco::Net::HTTPServerResponse& response() const override { return _response; }
	bool secure() const override { return false; }

	void setServerAddress(const Poco::Net::SocketAddress& address) { _server = address; }

private:
	FakeResponse& _response;
	std::istringstream _body;
	Poco::Net::SocketAddress _client;
	Poco::Net::SocketAddress _server;
	Poco::Net::HTTPServerParams::Ptr _params;
};

} // namespace

class PageRequestHandlerTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PageRequestHandlerTest);
	CPPUNIT_TEST(testGetSendsFile);
	CPPUNIT_TEST(testHeadSendsNoBody);
	CPPUNIT_TEST(testFileStreamedWhole);
	CPPUNIT_TEST(testGeneratedBody);
	CPPUNIT_TEST(testUnexpectedExceptionBecomes500);
	CPPUNIT_TEST(testFailingErrorReplyDoesNotEscape);
	CPPUNIT_TEST(testUnreadBodyClosesConnection);
	CPPUNIT_TEST(testDescribe);
	CPPUNIT_TEST(testUrlHost);
	CPPUNIT_TEST(testFactoryCreatesHandlers);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		_base = webchat::test::makeTempDir();
		writeFile(_base + "/index.html", "<h1>hello</h1>");
		_site = std::make_shared<const PageSite>(DocumentRoot(_base), ChatEndpoint::onPort(8000), 4096);
	}

	void tearDown() override
	{
		Poco::File(_base).remove(true);
	}

	void testGetSendsFile()
	{
		FakeResponse response;
		handle("GET", "/", response);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_OK, response.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("<h1>hello</h1>"), response.body.str());
		CPPUNIT_ASSERT_EQUAL(std::streamsize(14), response.getContentLength64());
		CPPUNIT_ASSERT_EQUAL(std::string("text/html; charset=utf-8"), response.getContentType());
		CPPUNIT_ASSERT_EQUAL(std::string("nosniff"), response.get("X-Content-Type-Options"));
		CPPUNIT_ASSERT(response.has("ETag"));
		CPPUNIT_ASSERT_EQUAL(1, response.sendCalls);
	}

	void testHeadSendsNoBody()
	{
		FakeResponse response;
		handle("HEAD", "/", response);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_OK, response.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string(), response.body.str());
		CPPUNIT_ASSERT_EQUAL(std::streamsize(14), response.getContentLength64());
	}

	void testFileStreamedWhole()
	{
		// Several copy buffers' worth, not a multiple of the buffer size.
		std::string big;
		for (std::size_t i = 0; big.size() < 3 * 65536 + 17; ++i) big += static_cast<char>(i % 251);
		writeFile(_base + "/big.bin", big);
		FakeResponse response;
		handle("GET", "/big.bin", response);
		CPPUNIT_ASSERT_EQUAL(std::streamsize(big.size()), response.getContentLength64());
		CPPUNIT_ASSERT(response.body.str() == big);
	}

	void testGeneratedBody()
	{
		FakeResponse response;
		handle("GET", "/webchat-config.json", response);
		CPPUNIT_ASSERT_EQUAL(std::string("{\"chatUrl\":\"ws://page.example:8000/\",\"maxTextBytes\":4096}\n"), response.body.str());
	}

	void testUnexpectedExceptionBecomes500()
	{
		FakeResponse response;
		response.failSends = 1;
		handle("GET", "/", response);
		CPPUNIT_ASSERT_EQUAL(2, response.sendCalls);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_INTERNAL_SERVER_ERROR, response.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("500 Internal Server Error\n"), response.body.str());
		CPPUNIT_ASSERT_EQUAL(std::string("nosniff"), response.get("X-Content-Type-Options"));
		CPPUNIT_ASSERT(!response.getKeepAlive());
	}

	void testFailingErrorReplyDoesNotEscape()
	{
		FakeResponse response;
		response.failSends = 2;
		handle("GET", "/", response);
		CPPUNIT_ASSERT_EQUAL(2, response.sendCalls);
		CPPUNIT_ASSERT(!response.sent());
	}

	void testUnreadBodyClosesConnection()
	{
		FakeResponse response;
		FakeRequest request(response, "POST", "/");
		request.setContentLength(5);
		request.setKeepAlive(true);
		response.setKeepAlive(true);
		PageRequestHandler(_site, logger()).handleRequest(request, response);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, response.getStatus());
		CPPUNIT_ASSERT(!response.getKeepAlive());

		FakeResponse plain;
		FakeRequest get(plain, "GET", "/");
		plain.setKeepAlive(true);
		PageRequestHandler(_site, logger()).handleRequest(get, plain);
		CPPUNIT_ASSERT(plain.getKeepAlive());
	}

	void testDescribe()
	{
		FakeResponse response;
		FakeRequest request(response, "GET", "/a?b");
		request.add("If-None-Match", "\"a\"");
		request.add("If-None-Match", "\"b\"");
		request.set("If-Modified-Since", "Sun, 06 Nov 1994 08:49:37 GMT");
		webchat::page::PageRequest info = PageRequestHandler::describe(request);
		CPPUNIT_ASSERT_EQUAL(std::string("GET"), info.method);
		CPPUNIT_ASSERT_EQUAL(std::string("/a?b"), info.target);
		CPPUNIT_ASSERT_EQUAL(std::string("page.example:8080"), info.host.value_or("(none)"));
		CPPUNIT_ASSERT_EQUAL(std::string("\"a\", \"b\""), info.ifNoneMatch.value_or("(none)"));
		CPPUNIT_ASSERT_EQUAL(std::string("Sun, 06 Nov 1994 08:49:37 GMT"), info.ifModifiedSince.value_or("(none)"));
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1"), info.localHost);
		CPPUNIT_ASSERT_EQUAL(std::string("127.0.0.1:50000"), info.client);

		// Repeated single-value fields count as absent.
		request.add("Host", "other.example");
		request.add("If-Modified-Since", "Mon, 07 Nov 1994 08:49:37 GMT");
		info = PageRequestHandler::describe(request);
		CPPUNIT_ASSERT(!info.host);
		CPPUNIT_ASSERT(!info.ifModifiedSince);
	}

	void testUrlHost()
	{
		CPPUNIT_ASSERT_EQUAL(std::string("10.1.2.3"), PageRequestHandler::urlHost(Poco::Net::IPAddress("10.1.2.3")));
		CPPUNIT_ASSERT_EQUAL(std::string("[::1]"), PageRequestHandler::urlHost(Poco::Net::IPAddress("::1")));
		CPPUNIT_ASSERT_EQUAL(std::string("[::ffff:127.0.0.1]"), PageRequestHandler::urlHost(Poco::Net::IPAddress("::ffff:127.0.0.1")));
		CPPUNIT_ASSERT_EQUAL(std::string(), PageRequestHandler::urlHost(
			Poco::Net::IPAddress(Poco::Net::IPAddress("fe80::1").addr(), sizeof(in6_addr), 1)));
	}

	void testFactoryCreatesHandlers()
	{
		webchat::page::PageRequestHandlerFactory factory(_site, logger());
		FakeResponse response;
		FakeRequest request(response, "GET", "/");
		std::unique_ptr<Poco::Net::HTTPRequestHandler> handler(factory.createRequestHandler(request));
		CPPUNIT_ASSERT(dynamic_cast<PageRequestHandler*>(handler.get()) != nullptr);
	}

private:
	static void writeFile(const std::string& path, const std::string& text)
	{
		Poco::FileOutputStream out(path, std::ios::binary);
		out << text;
	}

	static Poco::Logger& logger()
	{
		return Poco::Logger::get("test.page");
	}

	void handle(const std::string& method, const std::string& uri, FakeResponse& response)
	{
		FakeRequest request(response, method, uri);
		PageRequestHandler handler(_site, logger());
		handler.handleRequest(request, response);
	}

	std::string _base;
	std::shared_ptr<const PageSite> _site;
};

CPPUNIT_TEST_SUITE_REGISTRATION(PageRequestHandlerTest);
