// The server side of the opening handshake: accept key, client key syntax,
// the checks on an upgrade request and the response they lead to.
#include "webchat/engine/Handshake.h"

#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"

#include <cppunit/extensions/HelperMacros.h>

#include <sstream>

using namespace webchat::ws;
using Poco::Net::HTTPRequest;
using Poco::Net::HTTPResponse;

namespace {

HTTPRequest upgradeRequest()
{
	HTTPRequest request(HTTPRequest::HTTP_GET, "/chat", HTTPRequest::HTTP_1_1);
	request.set("Host", "server.example.com");
	request.set("Upgrade", "websocket");
	request.set("Connection", "Upgrade");
	request.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
	request.set("Origin", "http://example.com");
	request.set("Sec-WebSocket-Version", "13");
	return request;
}

HTTPRequest parse(const std::string& text)
{
	std::istringstream in(text);
	HTTPRequest request;
	request.read(in);
	return request;
}

} // namespace

class HandshakeTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(HandshakeTest);
	CPPUNIT_TEST(testAcceptKeyRfcExample);
	CPPUNIT_TEST(testAcceptKeyOtherKeys);
	CPPUNIT_TEST(testClientKeySyntax);
	CPPUNIT_TEST(testValidRequest);
	CPPUNIT_TEST(testParsedBrowserRequest);
	CPPUNIT_TEST(testMethod);
	CPPUNIT_TEST(testHttpVersion);
	CPPUNIT_TEST(testUpgradeHeader);
	CPPUNIT_TEST(testConnectionHeader);
	CPPUNIT_TEST(testWebSocketVersion);
	CPPUNIT_TEST(testClientKey);
	CPPUNIT_TEST(testBody);
	CPPUNIT_TEST(testSwitchingProtocolsResponse);
	CPPUNIT_TEST(testRefusalResponses);
	CPPUNIT_TEST_SUITE_END();

public:
	void testAcceptKeyRfcExample()
	{
		// RFC 6455 1.3 (the same digest is spelled out byte by byte there).
		CPPUNIT_ASSERT_EQUAL(std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), computeAcceptKey("dGhlIHNhbXBsZSBub25jZQ=="));
	}

	void testAcceptKeyOtherKeys()
	{
		// The widely quoted example key (MDN, Wikipedia); the empty key is
		// the hash of the GUID alone.
		CPPUNIT_ASSERT_EQUAL(std::string("HSmrc0sMlYUkAGmm5OPpG2HaGWk="), computeAcceptKey("x3JJHMbDL1EzLkh9GBhXDw=="));
		CPPUNIT_ASSERT_EQUAL(std::string("Kfh9QIsMVZcl6xEPYxPHzW8SZ8w="), computeAcceptKey(""));
	}

	void testClientKeySyntax()
	{
		CPPUNIT_ASSERT(isValidClientKey("dGhlIHNhbXBsZSBub25jZQ=="));
		CPPUNIT_ASSERT(isValidClientKey("x3JJHMbDL1EzLkh9GBhXDw=="));
		CPPUNIT_ASSERT(isValidClientKey("AAAAAAAAAAAAAAAAAAAAAA=="));
		CPPUNIT_ASSERT(isValidClientKey("+/+/+/+/+/+/+/+/+/+/+w=="));
		CPPUNIT_ASSERT(!isValidClientKey(""));
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSBub25jZQ"));   // no padding
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSBub25jZQ="));  // 23 characters
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSBub25jZQ===")); // 25
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSBub25jZ===")); // 15 bytes
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSBub25jZTEyMw==")); // 19 bytes
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSBub25jZTE=")); // 17 bytes
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSB*b25jZQ==")); // not base64
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSB b25jZQ=="));
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbXBsZSBub25jZQ-_"));
		CPPUNIT_ASSERT(!isValidClientKey("dGhlIHNhbX=sZSBub25jZQ=="));
		CPPUNIT_ASSERT(!isValidClientKey(std::string_view("dGhlIHNhbXBsZSBub25\0ZQ==", 24)));
	}

	void testValidRequest()
	{
		const UpgradeCheck check = checkUpgradeRequest(upgradeRequest());
		CPPUNIT_ASSERT_EQUAL(101, check.status);
		CPPUNIT_ASSERT(check.reason.empty());
	}

	void testParsedBrowserRequest()
	{
		const HTTPRequest request = parse(
			"GET /chat?room=lobby HTTP/1.1\r\n"
			"Host: localhost:8000\r\n"
			"User-Agent: Mozilla/5.0\r\n"
			"Accept: */*\r\n"
			"Sec-WebSocket-Version: 13\r\n"
			"Origin: http://localhost:8080\r\n"
			"Sec-WebSocket-Extensions: permessage-deflate\r\n"
			"Sec-WebSocket-Key: x3JJHMbDL1EzLkh9GBhXDw==\r\n"
			"Connection: keep-alive, Upgrade\r\n"
			"Pragma: no-cache\r\n"
			"Upgrade: websocket\r\n"
			"\r\n");
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(request).status);
		// Header names and tokens are case-insensitive; whitespace is not significant.
		const HTTPRequest shouting = parse(
			"GET / HTTP/1.1\r\n"
			"HOST: localhost\r\n"
			"UPGRADE: WebSocket\r\n"
			"CONNECTION: UPGRADE\r\n"
			"SEC-WEBSOCKET-VERSION:   13  \r\n"
			"SEC-WEBSOCKET-KEY:   dGhlIHNhbXBsZSBub25jZQ==  \r\n"
			"\r\n");
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(shouting).status);
	}

	void testMethod()
	{
		for (const std::string& method: {HTTPRequest::HTTP_POST, HTTPRequest::HTTP_HEAD, HTTPRequest::HTTP_PUT,
			HTTPRequest::HTTP_OPTIONS, std::string("get")})
		{
			HTTPRequest request = upgradeRequest();
			request.setMethod(method);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(method, 405, checkUpgradeRequest(request).status);
		}
	}

	void testHttpVersion()
	{
		HTTPRequest request = upgradeRequest();
		request.setVersion(HTTPRequest::HTTP_1_0);
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.setVersion("HTTP/2.0");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
	}

	void testUpgradeHeader()
	{
		HTTPRequest request = upgradeRequest();
		request.erase("Upgrade");
		CPPUNIT_ASSERT_EQUAL(426, checkUpgradeRequest(request).status);
		request.set("Upgrade", "h2c");
		CPPUNIT_ASSERT_EQUAL(426, checkUpgradeRequest(request).status);
		request.set("Upgrade", "websockets");
		CPPUNIT_ASSERT_EQUAL(426, checkUpgradeRequest(request).status);
		request.set("Upgrade", "");
		CPPUNIT_ASSERT_EQUAL(426, checkUpgradeRequest(request).status);
		request.set("Upgrade", "WEBSOCKET");
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(request).status);
		request.set("Upgrade", "h2c, websocket");
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(request).status);
		// A plain page request to the WebSocket endpoint.
		HTTPRequest plain(HTTPRequest::HTTP_GET, "/chat", HTTPRequest::HTTP_1_1);
		plain.set("Host", "localhost");
		CPPUNIT_ASSERT_EQUAL(426, checkUpgradeRequest(plain).status);
	}

	void testConnectionHeader()
	{
		HTTPRequest request = upgradeRequest();
		request.erase("Connection");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.set("Connection", "keep-alive");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.set("Connection", "upgrades");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.set("Connection", "keep-alive,upgrade");
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(request).status);
		request.set("Connection", " keep-alive ,\tUpGrAdE , close");
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(request).status);
		// Split over two header lines.
		request.set("Connection", "keep-alive");
		request.add("Connection", "Upgrade");
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(request).status);
	}

	void testWebSocketVersion()
	{
		HTTPRequest request = upgradeRequest();
		request.erase("Sec-WebSocket-Version");
		UpgradeCheck check = checkUpgradeRequest(request);
		CPPUNIT_ASSERT_EQUAL(426, check.status);
		CPPUNIT_ASSERT(!check.reason.empty());
		for (const char* version: {"8", "12", "14", "13, 8", "", "thirteen"})
		{
			request.set("Sec-WebSocket-Version", version);
			CPPUNIT_ASSERT_EQUAL_MESSAGE(version, 426, checkUpgradeRequest(request).status);
		}
		request.set("Sec-WebSocket-Version", "13");
		request.add("Sec-WebSocket-Version", "13");
		CPPUNIT_ASSERT_EQUAL(426, checkUpgradeRequest(request).status);
	}

	void testClientKey()
	{
		HTTPRequest request = upgradeRequest();
		request.erase("Sec-WebSocket-Key");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.set("Sec-WebSocket-Key", "");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.set("Sec-WebSocket-Key", "short==");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZTEyMw==");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.set("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
		request.add("Sec-WebSocket-Key", "x3JJHMbDL1EzLkh9GBhXDw==");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
	}

	void testBody()
	{
		HTTPRequest request = upgradeRequest();
		request.setContentLength(5);
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		request.setContentLength(0);
		CPPUNIT_ASSERT_EQUAL(101, checkUpgradeRequest(request).status);
		request.setContentLength(HTTPRequest::UNKNOWN_CONTENT_LENGTH);
		request.setChunkedTransferEncoding(true);
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(request).status);
		const HTTPRequest parsed = parse(
			"GET / HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nContent-Length: x\r\n\r\n");
		CPPUNIT_ASSERT_EQUAL(400, checkUpgradeRequest(parsed).status);
	}

	void testSwitchingProtocolsResponse()
	{
		const HTTPRequest request = upgradeRequest();
		HTTPResponse response;
		prepareUpgradeResponse(request, checkUpgradeRequest(request), response);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_SWITCHING_PROTOCOLS, response.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("websocket"), response.get("Upgrade"));
		CPPUNIT_ASSERT_EQUAL(std::string("Upgrade"), response.get("Connection"));
		CPPUNIT_ASSERT_EQUAL(std::string("s3pPLMBiTxaQ9kYGzzhZRbK+xOo="), response.get("Sec-WebSocket-Accept"));
		CPPUNIT_ASSERT(!response.hasContentLength());
	}

	void testRefusalResponses()
	{
		HTTPRequest request = upgradeRequest();
		request.setMethod(HTTPRequest::HTTP_POST);
		UpgradeCheck check = checkUpgradeRequest(request);
		HTTPResponse methodResponse;
		prepareUpgradeResponse(request, check, methodResponse);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_METHOD_NOT_ALLOWED, methodResponse.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("GET"), methodResponse.get("Allow"));
		CPPUNIT_ASSERT_EQUAL(static_cast<std::streamsize>(check.reason.size()), methodResponse.getContentLength());
		CPPUNIT_ASSERT(!methodResponse.has("Sec-WebSocket-Accept"));

		request = upgradeRequest();
		request.set("Sec-WebSocket-Version", "8");
		check = checkUpgradeRequest(request);
		HTTPResponse versionResponse;
		prepareUpgradeResponse(request, check, versionResponse);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_UPGRADE_REQUIRED, versionResponse.getStatus());
		CPPUNIT_ASSERT_EQUAL(std::string("13"), versionResponse.get("Sec-WebSocket-Version"));
		CPPUNIT_ASSERT_EQUAL(std::string("websocket"), versionResponse.get("Upgrade"));

		request = upgradeRequest();
		request.erase("Sec-WebSocket-Key");
		check = checkUpgradeRequest(request);
		HTTPResponse badResponse;
		prepareUpgradeResponse(request, check, badResponse);
		CPPUNIT_ASSERT_EQUAL(HTTPResponse::HTTP_BAD_REQUEST, badResponse.getStatus());
		CPPUNIT_ASSERT(!badResponse.has("Sec-WebSocket-Accept"));
		CPPUNIT_ASSERT(badResponse.getContentType().find("text/plain") == 0);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(HandshakeTest);
