#include "RequestHead.h"

#include <cppunit/extensions/HelperMacros.h>

#include <optional>
#include <set>
#include <string>
#include <vector>

using namespace std::string_literals;
using webchat::HeadBoundary;
using webchat::HeadError;
using webchat::HeadLimits;
using webchat::HeadParse;
using webchat::RequestHead;

namespace {

// Chromium 120's requests for the chat page and for its WebSocket, as sent.
const std::string chromiumPage =
	"GET / HTTP/1.1\r\n"
	"Host: localhost:8080\r\n"
	"Connection: keep-alive\r\n"
	"sec-ch-ua: \"Not_A Brand\";v=\"8\", \"Chromium\";v=\"120\"\r\n"
	"sec-ch-ua-mobile: ?0\r\n"
	"sec-ch-ua-platform: \"Linux\"\r\n"
	"Upgrade-Insecure-Requests: 1\r\n"
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n"
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
	"application/signed-exchange;v=b3;q=0.7\r\n"
	"Sec-Fetch-Site: none\r\n"
	"Sec-Fetch-Mode: navigate\r\n"
	"Sec-Fetch-User: ?1\r\n"
	"Sec-Fetch-Dest: document\r\n"
	"Accept-Encoding: gzip, deflate, br\r\n"
	"Accept-Language: en-US,en;q=0.9,vi;q=0.8\r\n"
	"\r\n";

const std::string chromiumWebSocket =
	"GET /?room=H%C3%A0%20N%E1%BB%99i HTTP/1.1\r\n"
	"Host: localhost:8000\r\n"
	"Connection: Upgrade\r\n"
	"Pragma: no-cache\r\n"
	"Cache-Control: no-cache\r\n"
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36\r\n"
	"Upgrade: websocket\r\n"
	"Origin: http://localhost:8080\r\n"
	"Sec-WebSocket-Version: 13\r\n"
	"Accept-Encoding: gzip, deflate, br\r\n"
	"Accept-Language: en-US,en;q=0.9\r\n"
	"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	"Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n"
	"\r\n";

// A GET for "/" with the given field lines (each ending in CRLF).
std::string getWith(const std::string& fields)
{
	return "GET / HTTP/1.1\r\n" + fields + "\r\n";
}

std::string fieldLines(std::size_t count)
{
	std::string lines = "Host: a\r\n";
	for (std::size_t i = 1; i < count; ++i) lines += "X-" + std::to_string(i) + ": v\r\n";
	return lines;
}

struct Case
{
	const char* what;
	std::string head;
	std::optional<HeadError> refusal; // none: accepted
};

const std::vector<Case>& cases()
{
	static const std::vector<Case> table{
		// Accepted.
		{"minimal HTTP/1.1", getWith("Host: example.com\r\n"), std::nullopt},
		{"HTTP/1.0 needs no Host", "GET / HTTP/1.0\r\n\r\n", std::nullopt},
		{"OPTIONS *", "OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", std::nullopt},
		{"extension method", "PROPFIND /dav HTTP/1.1\r\nHost: a\r\n\r\n", std::nullopt},
		{"target with query and percent-encodings", "GET /a/b%20c?x=1&y=%7B%7D HTTP/1.1\r\nHost: a\r\n\r\n", std::nullopt},
		{"target with characters browsers leave unencoded in queries", "GET /?q=a|b^{c}`d\" HTTP/1.1\r\nHost: a\r\n\r\n", std::nullopt},
		{"Host IPv4 with port", getWith("Host: 127.0.0.1:8080\r\n"), std::nullopt},
		{"Host IPv6 with port", getWith("Host: [::1]:8000\r\n"), std::nullopt},
		{"Host IPv6 with embedded IPv4", getWith("Host: [::ffff:192.0.2.1]\r\n"), std::nullopt},
		{"Host evil.example:1 is syntactically valid", getWith("Host: evil.example:1\r\n"), std::nullopt},
		{"Host reg-name with sub-delims and a percent-encoding", getWith("Host: ex%41mple.com\r\n"), std::nullopt},
		{"Host port 65535", getWith("Host: a:65535\r\n"), std::nullopt},
		{"lower-case field names", "GET / HTTP/1.1\r\nhost: a\r\ncontent-length: 0\r\n\r\n", std::nullopt},
		{"OWS and HTAB in a value", getWith("Host: a\r\nX-Tab: \t one\ttwo \t\r\n"), std::nullopt},
		{"obs-text (UTF-8) in a value", getWith("Host: a\r\nX-Name: Hà Nội\r\n"), std::nullopt},
		{"empty value", getWith("Host: a\r\nX-Empty:\r\n"), std::nullopt},
		{"Content-Length", "POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n", std::nullopt},
		{"Transfer-Encoding: chunked", "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", std::nullopt},
		{"Transfer-Encoding in any case", "POST /x HTTP/1.1\r\nHost: a\r\ntransfer-encoding: Chunked\r\n\r\n", std::nullopt},
		{"exactly max_fields fields", getWith(fieldLines(100)), std::nullopt},
		{"Chromium's GET /", chromiumPage, std::nullopt},
		{"Chromium's WebSocket upgrade", chromiumWebSocket, std::nullopt},

		// Line endings and size.
		{"bare LF line endings", "GET / HTTP/1.1\nHost: a\n\n", HeadError::BadLineEnding},
		{"one bare LF among CRLFs", "GET / HTTP/1.1\r\nHost: a\nX: b\r\n\r\n", HeadError::BadLineEnding},
		{"max_fields + 1 fields", getWith(fieldLines(101)), HeadError::TooManyHeaders},

		// Request line.
		{"empty request line", "\r\n\r\n", HeadError::BadRequestLine},
		{"leading empty line", "\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"HTAB as separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"method not a token", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"no method", " / HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"HTTP/0.9 style", "GET /\r\n\r\n", HeadError::BadRequestLine},
		{"version in lower case", "GET / http/1.1\r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"version with a suffix", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", HeadError::BadRequestLine},
		{"bare CR in the request line", "GET /\r HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadTarget},
		{"bytes after the head", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nhi", HeadError::BadRequestLine},
		{"no end", "GET / HTTP/1.1\r\nHost: a\r\n", HeadError::BadRequestLine},

		// Version.
		{"HTTP/9.9", "GET / HTTP/9.9\r\nHost: a\r\n\r\n", HeadError::BadVersion},
		{"HTTP/2.0 preface", "PRI * HTTP/2.0\r\n\r\n", HeadError::BadVersion},
		{"HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", HeadError::BadVersion},
		{"HTTP/0.9", "GET / HTTP/0.9\r\n\r\n", HeadError::BadVersion},
		{"HTTP/10.0", "GET / HTTP/10.0\r\n\r\n", HeadError::BadVersion},

		// Target.
		{"absolute-form", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadTarget},
		{"authority-form", "CONNECT a:443 HTTP/1.1\r\nHost: a:443\r\n\r\n", HeadError::BadTarget},
		{"* for GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadTarget},
		{"fragment", "GET /a#b HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadTarget},
		{"broken percent-encoding", "GET /%zz HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadTarget},
		{"truncated percent-encoding", "GET /a%2 HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadTarget},
		{"raw byte above 0x7f", "GET /\xc3\xa0 HTTP/1.1\r\nHost: a\r\n\r\n", HeadError::BadTarget},
		{"NUL in the target", "GET /a\0b HTTP/1.1\r\nHost: a\r\n\r\n"s, HeadError::BadTarget},

		// Host.
		{"HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", HeadError::MissingHost},
		{"two Hosts", getWith("Host: a\r\nHost: b\r\n"), HeadError::DuplicateHost},
		{"two equal Hosts", getWith("Host: a\r\nhost: a\r\n"), HeadError::DuplicateHost},
		{"Host a b<script>", getWith("Host: a b<script>\r\n"), HeadError::BadHost},
		{"Host with userinfo", getWith("Host: user@a\r\n"), HeadError::BadHost},
		{"Host with a path", getWith("Host: a/b\r\n"), HeadError::BadHost},
		{"empty Host", getWith("Host:\r\n"), HeadError::BadHost},
		{"Host with a colon and no port", getWith("Host: a:\r\n"), HeadError::BadHost},
		{"Host port 65536", getWith("Host: a:65536\r\n"), HeadError::BadHost},
		{"Host port with six digits", getWith("Host: a:000080\r\n"), HeadError::BadHost},
		{"Host port not digits", getWith("Host: a:8o\r\n"), HeadError::BadHost},
		{"Host only a port", getWith("Host: :80\r\n"), HeadError::BadHost},
		{"Host unclosed IPv6", getWith("Host: [::1\r\n"), HeadError::BadHost},
		{"Host IPv6 with a zone", getWith("Host: [fe80::1%25eth0]\r\n"), HeadError::BadHost},
		{"Host IPvFuture", getWith("Host: [v1.x]\r\n"), HeadError::BadHost},
		{"Host not an IPv6 address", getWith("Host: [1:2:3:4:5:6:7:8:9]\r\n"), HeadError::BadHost},
		{"Host with broken percent-encoding", getWith("Host: a%g0\r\n"), HeadError::BadHost},

		// Body length.
		{"GET with Transfer-Encoding and Content-Length", getWith("Host: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n"),
			HeadError::ConflictingLength},
		{"two different Content-Lengths", getWith("Host: a\r\nContent-Length: 5\r\nContent-Length: 6\r\n"), HeadError::DuplicateLength},
		{"two equal Content-Lengths", getWith("Host: a\r\nContent-Length: 5\r\nContent-Length: 5\r\n"), HeadError::DuplicateLength},
		{"Content-Length as a list", getWith("Host: a\r\nContent-Length: 5, 5\r\n"), HeadError::BadLength},
		{"Content-Length not digits", getWith("Host: a\r\nContent-Length: abc\r\n"), HeadError::BadLength},
		{"Content-Length negative", getWith("Host: a\r\nContent-Length: -1\r\n"), HeadError::BadLength},
		{"Content-Length with a sign", getWith("Host: a\r\nContent-Length: +5\r\n"), HeadError::BadLength},
		{"Content-Length in hex", getWith("Host: a\r\nContent-Length: 0x10\r\n"), HeadError::BadLength},
		{"Content-Length empty", getWith("Host: a\r\nContent-Length:\r\n"), HeadError::BadLength},
		{"Content-Length beyond 64 bits", getWith("Host: a\r\nContent-Length: 18446744073709551616\r\n"), HeadError::BadLength},
		{"Transfer-Encoding without chunked", getWith("Host: a\r\nTransfer-Encoding: gzip\r\n"), HeadError::BadTransferEncoding},
		{"chunked not last", getWith("Host: a\r\nTransfer-Encoding: chunked, gzip\r\n"), HeadError::BadTransferEncoding},
		{"chunked twice", getWith("Host: a\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), HeadError::BadTransferEncoding},
		{"empty Transfer-Encoding", getWith("Host: a\r\nTransfer-Encoding:\r\n"), HeadError::BadTransferEncoding},
		{"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", HeadError::BadTransferEncoding},
		{"a coding other than chunked", getWith("Host: a\r\nTransfer-Encoding: gzip, chunked\r\n"), HeadError::UnsupportedTransferCoding},

		// Field lines.
		{"obs-fold", getWith("Host: a\r\nX-Long: one\r\n two\r\n"), HeadError::ObsFold},
		{"obs-fold with HTAB", getWith("Host: a\r\nX-Long: one\r\n\ttwo\r\n"), HeadError::ObsFold},
		{"whitespace before the first field", getWith(" Host: a\r\n"), HeadError::ObsFold},
		{"space before the colon", getWith("Host : a\r\n"), HeadError::BadHeaderName},
		{"no colon", getWith("Host: a\r\nNoColon\r\n"), HeadError::BadHeaderName},
		{"empty name", getWith("Host: a\r\n: value\r\n"), HeadError::BadHeaderName},
		{"name not a token", getWith("Host: a\r\nX(y): z\r\n"), HeadError::BadHeaderName},
		{"NUL in a value", getWith("Host: a\r\nX-Nul: a\0b\r\n"s), HeadError::BadHeaderValue},
		{"NUL in the Host value", getWith("Host: a\0.example\r\n"s), HeadError::BadHeaderValue},
		{"bare CR in a value", getWith("Host: a\r\nX-Cr: a\rb\r\n"), HeadError::BadHeaderValue},
		{"DEL in a value", getWith("Host: a\r\nX-Del: a\x7f\r\n"), HeadError::BadHeaderValue},
		{"vertical tab in a value", getWith("Host: a\r\nX-Vt: a\x0b" "b\r\n"), HeadError::BadHeaderValue},
	};
	return table;
}

std::string describe(const std::optional<HeadError>& refusal)
{
	return refusal ? webchat::reasonOf(*refusal) : "accepted";
}

} // namespace

class RequestHeadTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(RequestHeadTest);
	CPPUNIT_TEST(testTable);
	CPPUNIT_TEST(testFindsTheEnd);
	CPPUNIT_TEST(testFindRefusesBareLineFeed);
	CPPUNIT_TEST(testFindRefusesOversizedHeadAsSoonAsLimitPassed);
	CPPUNIT_TEST(testFindResumesWhereItStopped);
	CPPUNIT_TEST(testParseRefusesHeadAboveLimit);
	CPPUNIT_TEST(testFieldLimitIsConfigurable);
	CPPUNIT_TEST(testParsedRequestLine);
	CPPUNIT_TEST(testParsedFieldsAreTrimmedViewsIntoTheHead);
	CPPUNIT_TEST(testHostAndPort);
	CPPUNIT_TEST(testBodyLength);
	CPPUNIT_TEST(testKeepAlive);
	CPPUNIT_TEST(testWebSocketUpgrade);
	CPPUNIT_TEST(testStatusCodes);
	CPPUNIT_TEST(testReasonsAreDistinct);
	CPPUNIT_TEST(testErrorCode);
	CPPUNIT_TEST_SUITE_END();

public:
	void testTable()
	{
		CPPUNIT_ASSERT(cases().size() >= 40);
		for (const Case& c : cases())
		{
			const HeadParse result = RequestHead::parse(c.head, HeadLimits{});
			const std::optional<HeadError> got = result.ok() ? std::nullopt : std::optional<HeadError>(result.error());
			CPPUNIT_ASSERT_MESSAGE(std::string(c.what) + ": expected " + describe(c.refusal) + ", got " + describe(got), got == c.refusal);
		}
	}

	void testFindsTheEnd()
	{
		const std::string bytes = "GET / HTTP/1.1\r\nHost: a\r\n\r\nnext request";
		const HeadBoundary boundary = RequestHead::find(bytes.data(), bytes.size(), HeadLimits{});
		CPPUNIT_ASSERT(boundary.status == HeadBoundary::Status::Complete);
		CPPUNIT_ASSERT_EQUAL(bytes.find("next"), boundary.length);

		for (std::size_t size = 0; size < bytes.find("next"); ++size)
			CPPUNIT_ASSERT(RequestHead::find(bytes.data(), size, HeadLimits{}).status == HeadBoundary::Status::Incomplete);
	}

	void testFindRefusesBareLineFeed()
	{
		for (const std::string bytes : {"GET / HTTP/1.1\n", "\n", "GET / HTTP/1.1\r\nHost: a\n"})
		{
			const HeadBoundary boundary = RequestHead::find(bytes.data(), bytes.size(), HeadLimits{});
			CPPUNIT_ASSERT_MESSAGE(bytes, boundary.status == HeadBoundary::Status::Refused);
			CPPUNIT_ASSERT_MESSAGE(bytes, boundary.error == HeadError::BadLineEnding);
		}
	}

	void testFindRefusesOversizedHeadAsSoonAsLimitPassed()
	{
		HeadLimits limits;
		limits.maxHeadBytes = 64;
		std::string head = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: ";
		head += std::string(64 - head.size() - 4, 'p') + "\r\n\r\n";
		CPPUNIT_ASSERT_EQUAL(std::size_t(64), head.size());

		// Ending exactly at the limit is fine, even with more bytes after it.
		const std::string withBody = head + "body";
		const HeadBoundary atLimit = RequestHead::find(withBody.data(), withBody.size(), limits);
		CPPUNIT_ASSERT(atLimit.status == HeadBoundary::Status::Complete);
		CPPUNIT_ASSERT_EQUAL(std::size_t(64), atLimit.length);
		CPPUNIT_ASSERT(RequestHead::parse(head, limits).ok());

		// One byte more, without an end: refused at byte 65, not later.
		const std::string longer = "GET / HTTP/1.1\r\nHost: a\r\nX-Pad: " + std::string(100, 'p');
		CPPUNIT_ASSERT(RequestHead::find(longer.data(), 64, limits).status == HeadBoundary::Status::Incomplete);
		const HeadBoundary over = RequestHead::find(longer.data(), 65, limits);
		CPPUNIT_ASSERT(over.status == HeadBoundary::Status::Refused);
		CPPUNIT_ASSERT(over.error == HeadError::HeadTooLarge);
		CPPUNIT_ASSERT_EQUAL(431, webchat::httpStatus(over.error));
	}

	// A head received a byte at a time, each call resuming where the last
	// stopped, finds the same end as one call on the whole, wherever the
	// final CRLF CRLF is split.
	void testFindResumesWhereItStopped()
	{
		const std::string bytes = chromiumWebSocket + "tail";
		const HeadBoundary whole = RequestHead::find(bytes.data(), bytes.size(), HeadLimits{});
		CPPUNIT_ASSERT(whole.status == HeadBoundary::Status::Complete);
		for (std::size_t step : {1, 2, 3, 5, 7})
		{
			std::size_t scanned = 0;
			HeadBoundary boundary;
			for (std::size_t size = step; boundary.status == HeadBoundary::Status::Incomplete; size += step)
			{
				boundary = RequestHead::find(bytes.data(), std::min(size, bytes.size()), HeadLimits{}, scanned);
				scanned = std::min(size, bytes.size());
			}
			CPPUNIT_ASSERT(boundary.status == HeadBoundary::Status::Complete);
			CPPUNIT_ASSERT_EQUAL(whole.length, boundary.length);
		}

		// A bare LF in the part scanned last is still seen.
		const std::string bare = "GET / HTTP/1.1\r\nHost: a\r\nX: b\n\r\n";
		CPPUNIT_ASSERT(RequestHead::find(bare.data(), 28, HeadLimits{}).status == HeadBoundary::Status::Incomplete);
		CPPUNIT_ASSERT(RequestHead::find(bare.data(), bare.size(), HeadLimits{}, 28).error == HeadError::BadLineEnding);
	}

	void testParseRefusesHeadAboveLimit()
	{
		HeadLimits limits;
		limits.maxHeadBytes = chromiumPage.size() - 1;
		const HeadParse result = RequestHead::parse(chromiumPage, limits);
		CPPUNIT_ASSERT(!result.ok());
		CPPUNIT_ASSERT(result.error() == HeadError::HeadTooLarge);
	}

	void testFieldLimitIsConfigurable()
	{
		HeadLimits limits;
		limits.maxFields = 3;
		CPPUNIT_ASSERT(RequestHead::parse(getWith(fieldLines(3)), limits).ok());
		const HeadParse result = RequestHead::parse(getWith(fieldLines(4)), limits);
		CPPUNIT_ASSERT(!result.ok());
		CPPUNIT_ASSERT(result.error() == HeadError::TooManyHeaders);
	}

	void testParsedRequestLine()
	{
		const HeadParse result = RequestHead::parse(chromiumWebSocket, HeadLimits{});
		CPPUNIT_ASSERT(result.ok());
		CPPUNIT_ASSERT(result.head().method() == "GET");
		CPPUNIT_ASSERT(result.head().target() == "/?room=H%C3%A0%20N%E1%BB%99i");
		CPPUNIT_ASSERT_EQUAL(1, result.head().minorVersion());

		const HeadParse old = RequestHead::parse("HEAD /x HTTP/1.0\r\n\r\n", HeadLimits{});
		CPPUNIT_ASSERT(old.ok());
		CPPUNIT_ASSERT(old.head().method() == "HEAD");
		CPPUNIT_ASSERT_EQUAL(0, old.head().minorVersion());
		CPPUNIT_ASSERT(old.head().host().empty());
	}

	void testParsedFieldsAreTrimmedViewsIntoTheHead()
	{
		const std::string head = getWith("Host: a\r\nX-Tab: \t one\ttwo \t\r\nX-Empty:\r\nx-tab: second\r\n");
		const HeadParse result = RequestHead::parse(head, HeadLimits{});
		CPPUNIT_ASSERT(result.ok());
		const auto& fields = result.head().fields();
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), fields.size());
		CPPUNIT_ASSERT(fields[1].name == "X-Tab");
		CPPUNIT_ASSERT(fields[1].value == "one\ttwo");
		CPPUNIT_ASSERT(fields[2].value.empty());
		for (const auto& field : fields)
		{
			CPPUNIT_ASSERT(field.name.data() >= head.data() && field.name.data() + field.name.size() <= head.data() + head.size());
			CPPUNIT_ASSERT(field.value.data() >= head.data() && field.value.data() + field.value.size() <= head.data() + head.size());
		}
		// The first of that name, whatever the case.
		CPPUNIT_ASSERT(result.head().field("x-TAB") == std::optional<std::string_view>("one\ttwo"));
		CPPUNIT_ASSERT(!result.head().field("X-Missing"));
	}

	void testHostAndPort()
	{
		// The views point into the head, which must outlive the result.
		const std::string named = getWith("Host: evil.example:1\r\n");
		const HeadParse namedHead = RequestHead::parse(named, HeadLimits{});
		CPPUNIT_ASSERT(namedHead.ok());
		CPPUNIT_ASSERT(namedHead.head().host() == "evil.example");
		CPPUNIT_ASSERT(namedHead.head().port() == std::optional<std::uint16_t>(1));

		const std::string literal = getWith("Host: [2001:db8::7]:8000\r\n");
		const HeadParse literalHead = RequestHead::parse(literal, HeadLimits{});
		CPPUNIT_ASSERT(literalHead.ok());
		CPPUNIT_ASSERT(literalHead.head().host() == "[2001:db8::7]");
		CPPUNIT_ASSERT(literalHead.head().port() == std::optional<std::uint16_t>(8000));

		const std::string bare = getWith("Host: localhost\r\n");
		const HeadParse bareHead = RequestHead::parse(bare, HeadLimits{});
		CPPUNIT_ASSERT(bareHead.ok());
		CPPUNIT_ASSERT(bareHead.head().host() == "localhost");
		CPPUNIT_ASSERT(!bareHead.head().port());
	}

	void testBodyLength()
	{
		const HeadParse none = RequestHead::parse(chromiumPage, HeadLimits{});
		CPPUNIT_ASSERT(none.ok());
		CPPUNIT_ASSERT(!none.head().contentLength());
		CPPUNIT_ASSERT(!none.head().chunked());

		const HeadParse length = RequestHead::parse(getWith("Host: a\r\nContent-Length: 18446744073709551615\r\n"), HeadLimits{});
		CPPUNIT_ASSERT(length.ok());
		CPPUNIT_ASSERT(length.head().contentLength() == std::optional<std::uint64_t>(18446744073709551615u));
		CPPUNIT_ASSERT(!length.head().chunked());

		const HeadParse chunked = RequestHead::parse(getWith("Host: a\r\nTransfer-Encoding: chunked\r\n"), HeadLimits{});
		CPPUNIT_ASSERT(chunked.ok());
		CPPUNIT_ASSERT(chunked.head().chunked());
		CPPUNIT_ASSERT(!chunked.head().contentLength());
	}

	void testKeepAlive()
	{
		const auto keepAlive = [](const std::string& head) {
			const HeadParse result = RequestHead::parse(head, HeadLimits{});
			CPPUNIT_ASSERT_MESSAGE(head, result.ok());
			return result.head().keepAlive();
		};
		CPPUNIT_ASSERT(keepAlive(getWith("Host: a\r\n")));
		CPPUNIT_ASSERT(!keepAlive(getWith("Host: a\r\nConnection: close\r\n")));
		CPPUNIT_ASSERT(!keepAlive(getWith("Host: a\r\nConnection: keep-alive, Close\r\n")));
		CPPUNIT_ASSERT(!keepAlive("GET / HTTP/1.0\r\n\r\n"));
		CPPUNIT_ASSERT(keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
	}

	void testWebSocketUpgrade()
	{
		const HeadParse socket = RequestHead::parse(chromiumWebSocket, HeadLimits{});
		CPPUNIT_ASSERT(socket.ok());
		CPPUNIT_ASSERT(socket.head().upgradeRequested());
		CPPUNIT_ASSERT(socket.head().upgrade() == "websocket");
		CPPUNIT_ASSERT(socket.head().host() == "localhost");

		// Firefox lists keep-alive first.
		const HeadParse firefox = RequestHead::parse(getWith("Host: a\r\nConnection: keep-alive, Upgrade\r\nUpgrade: websocket\r\n"), HeadLimits{});
		CPPUNIT_ASSERT(firefox.ok());
		CPPUNIT_ASSERT(firefox.head().upgradeRequested());

		const HeadParse page = RequestHead::parse(chromiumPage, HeadLimits{});
		CPPUNIT_ASSERT(page.ok());
		CPPUNIT_ASSERT(!page.head().upgradeRequested());
		const HeadParse upgradeOnly = RequestHead::parse(getWith("Host: a\r\nUpgrade: websocket\r\n"), HeadLimits{});
		CPPUNIT_ASSERT(upgradeOnly.ok());
		CPPUNIT_ASSERT(!upgradeOnly.head().upgradeRequested());
	}

	void testStatusCodes()
	{
		CPPUNIT_ASSERT_EQUAL(400, webchat::httpStatus(HeadError::BadLineEnding));
		CPPUNIT_ASSERT_EQUAL(431, webchat::httpStatus(HeadError::HeadTooLarge));
		CPPUNIT_ASSERT_EQUAL(431, webchat::httpStatus(HeadError::TooManyHeaders));
		CPPUNIT_ASSERT_EQUAL(505, webchat::httpStatus(HeadError::BadVersion));
		CPPUNIT_ASSERT_EQUAL(501, webchat::httpStatus(HeadError::UnsupportedTransferCoding));
		for (HeadError error : {HeadError::BadRequestLine, HeadError::BadTarget, HeadError::MissingHost, HeadError::DuplicateHost,
				 HeadError::BadHost, HeadError::ConflictingLength, HeadError::DuplicateLength, HeadError::BadLength,
				 HeadError::BadTransferEncoding, HeadError::ObsFold, HeadError::BadHeaderName, HeadError::BadHeaderValue})
			CPPUNIT_ASSERT_EQUAL(400, webchat::httpStatus(error));
	}

	void testReasonsAreDistinct()
	{
		std::set<std::string> reasons;
		for (int value = static_cast<int>(HeadError::BadLineEnding); value <= static_cast<int>(HeadError::TooManyHeaders); ++value)
			reasons.insert(webchat::reasonOf(static_cast<HeadError>(value)));
		CPPUNIT_ASSERT_EQUAL(std::size_t(17), reasons.size());
		CPPUNIT_ASSERT_EQUAL(std::string("duplicate Content-Length"), std::string(webchat::reasonOf(HeadError::DuplicateLength)));
	}

	void testErrorCode()
	{
		const std::error_code code = HeadError::DuplicateHost;
		CPPUNIT_ASSERT(code);
		CPPUNIT_ASSERT(code == HeadError::DuplicateHost);
		CPPUNIT_ASSERT(code != HeadError::BadHost);
		CPPUNIT_ASSERT_EQUAL(std::string("webchat.http"), std::string(code.category().name()));
		CPPUNIT_ASSERT_EQUAL(std::string("duplicate Host"), code.message());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(RequestHeadTest);
