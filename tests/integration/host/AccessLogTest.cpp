//
// The access log of a real webchatd (probe plugin): at most
// access_log_lines_per_second request lines a second per listener, the
// rest counted in summary lines, nothing at all with 0.
//

#include "HostConfig.h"
#include "HttpGet.h"
#include "ServerProcess.h"

#include "Poco/Net/HTTPClientSession.h"
#include "Poco/Net/HTTPRequest.h"
#include "Poco/Net/HTTPResponse.h"
#include "Poco/NumberParser.h"
#include "Poco/StreamCopier.h"
#include "Poco/Thread.h"
#include "Poco/Timestamp.h"

#include <cppunit/extensions/HelperMacros.h>

#include <cmath>
#include <sstream>

using namespace webchat::test;

namespace {

std::size_t countOf(const std::string& text, const std::string& part)
{
	std::size_t count = 0;
	for (std::size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++count;
	return count;
}

// The requests the summary lines of `listener` say were not logged.
std::uint64_t summarisedRequests(const std::string& output, const std::string& listener, std::size_t& summaries)
{
	const std::string prefix = "webchat." + listener + ".access: access log: ";
	std::uint64_t total = 0;
	summaries = 0;
	std::istringstream lines(output);
	for (std::string line; std::getline(lines, line);)
	{
		const std::size_t at = line.find(prefix);
		if (at == std::string::npos) continue;
		const std::string rest = line.substr(at + prefix.size());
		CPPUNIT_ASSERT_MESSAGE(line, contains(rest, " requests not logged in the last "));
		total += Poco::NumberParser::parseUnsigned64(rest.substr(0, rest.find(' ')));
		++summaries;
	}
	return total;
}

} // namespace

class AccessLogTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AccessLogTest);
	CPPUNIT_TEST(testLinesPerSecondLimitedAndRestCounted);
	CPPUNIT_TEST(testZeroLinesPerSecondLogsNothing);
	CPPUNIT_TEST_SUITE_END();

public:
	void testLinesPerSecondLimitedAndRestCounted()
	{
		const int limit = 20;
		const int requests = 300;
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(probeListener("main", port,
			"access_log_lines_per_second = " + std::to_string(limit))))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));

		const Poco::Timestamp start;
		Poco::Net::HTTPClientSession session("127.0.0.1", port);
		for (int i = 0; i < requests; ++i)
		{
			Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, "/hello", Poco::Net::HTTPMessage::HTTP_1_1);
			session.sendRequest(request);
			Poco::Net::HTTPResponse response;
			std::string body;
			Poco::StreamCopier::copyToString(session.receiveResponse(response), body);
			CPPUNIT_ASSERT_EQUAL(200, static_cast<int>(response.getStatus()));
		}
		// The windows (whole seconds of the server's clock) the burst touched.
		const auto windows = static_cast<int>(std::ceil(static_cast<double>(start.elapsed()) / 1e6)) + 1;

		// The first request of a later second reports the burst's last
		// second; a whole second of margin for the last line's thread.
		Poco::Thread::sleep(2000);
		CPPUNIT_ASSERT_EQUAL(404, httpGet(port, "/last").status);
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForOutput("webchat.main.access: GET /last 404 "));

		const std::string output = server.output();
		const std::size_t logged = countOf(output, "webchat.main.access: GET /hello 200 ");
		std::size_t summaries = 0;
		const std::uint64_t unlogged = summarisedRequests(output, "main", summaries);
		const std::string figures = std::to_string(logged) + " logged, " + std::to_string(unlogged) + " summarised in " +
			std::to_string(summaries) + " lines, " + std::to_string(windows) + " windows";
		CPPUNIT_ASSERT_MESSAGE(figures, logged >= static_cast<std::size_t>(limit));
		CPPUNIT_ASSERT_MESSAGE(figures, logged <= static_cast<std::size_t>(limit * windows));
		CPPUNIT_ASSERT_MESSAGE(figures, summaries >= 1 && summaries <= static_cast<std::size_t>(windows));
		CPPUNIT_ASSERT_EQUAL_MESSAGE(figures, static_cast<std::uint64_t>(requests), logged + unlogged);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}

	void testZeroLinesPerSecondLogsNothing()
	{
		const auto quietPort = freeLoopbackPort();
		const auto loggedPort = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile(config(
			probeListener("quiet", quietPort, "access_log_lines_per_second = 0") + probeListener("logged", loggedPort)))});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(quietPort) && server.waitForPort(loggedPort));
		for (int i = 0; i < 5; ++i) CPPUNIT_ASSERT_EQUAL(200, httpGet(quietPort, "/hello").status);
		CPPUNIT_ASSERT_EQUAL(200, httpGet(loggedPort, "/hello").status);
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForOutput("webchat.logged.access: GET /hello 200 "));
		// A line is written just after its response, on the listener's
		// own threads: the quiet listener's would not be ordered before the
		// logged one's, so allow them a moment to appear.
		Poco::Thread::sleep(200);
		CPPUNIT_ASSERT_MESSAGE(server.output(), !contains(server.output(), "webchat.quiet.access"));
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AccessLogTest);
