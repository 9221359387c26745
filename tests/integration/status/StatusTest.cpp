//
// The status plugin beside page and relay listeners, run for real: traffic
// on the other listeners moves the numbers /metrics reports, /healthz says
// the server is up, and the host writes access log lines.
//

#include "HttpGet.h"
#include "ServerProcess.h"
#include "TestPaths.h"
#include "WsTestClient.h"

#include "Poco/NumberParser.h"
#include "Poco/Thread.h"
#include "Poco/Timestamp.h"

#include <cppunit/extensions/HelperMacros.h>

#include <memory>
#include <sstream>

using namespace webchat::test;

namespace {

class ThreeListenerServer
{
public:
	explicit ThreeListenerServer(const std::string& chatPlugin = "plugin = relay\nclass = RelayPlugin\n"):
		pagePort(freeLoopbackPort()),
		chatPort(freeLoopbackPort()),
		statusPort(freeLoopbackPort())
	{
		const std::string config = writeTempFile("[server]\nplugin_path = " + pluginDir() + "\n"
			"[listeners.page]\naddress = 127.0.0.1\nport = " + std::to_string(pagePort) + "\n"
			"plugin = page\nclass = PagePlugin\nroot = " + htdocsDir() + "\nchat_port = " + std::to_string(chatPort) + "\n"
			"[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(chatPort) + "\n"
			+ chatPlugin +
			"[listeners.status]\naddress = 127.0.0.1\nport = " + std::to_string(statusPort) + "\n"
			"plugin = status\nclass = StatusPlugin\n");
		process = std::make_unique<ServerProcess>(std::vector<std::string>{"--config=" + config});
		for (const auto port : {pagePort, chatPort, statusPort})
		{
			if (!process->waitForPort(port)) CPPUNIT_FAIL("webchatd did not start: " + process->output());
		}
	}

	std::string metrics()
	{
		const auto reply = httpGet(statusPort, "/metrics");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("text/plain; version=0.0.4; charset=utf-8"), reply.response.getContentType());
		return reply.body;
	}

	/// The value of the sample line starting with series + " " (-1 if none).
	double value(const std::string& series)
	{
		std::istringstream lines(metrics());
		std::string line;
		while (std::getline(lines, line))
		{
			if (line.compare(0, series.size() + 1, series + " ") == 0)
				return Poco::NumberParser::parseFloat(line.substr(series.size() + 1));
		}
		return -1;
	}

	/// Engine counters move on the I/O threads: wait for the expected value.
	void expect(const std::string& series, double expected)
	{
		const Poco::Timestamp start;
		double actual = value(series);
		while (actual != expected && !start.isElapsed(5000000))
		{
			Poco::Thread::sleep(20);
			actual = value(series);
		}
		CPPUNIT_ASSERT_EQUAL_MESSAGE(series + "\n" + metrics(), expected, actual);
	}

	Poco::UInt16 pagePort;
	Poco::UInt16 chatPort;
	Poco::UInt16 statusPort;
	std::unique_ptr<ServerProcess> process;
};

} // namespace

class StatusTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(StatusTest);
	CPPUNIT_TEST(testHealthz);
	CPPUNIT_TEST(testMetricsFollowTraffic);
	CPPUNIT_TEST(testChatRoomsAndUsers);
	CPPUNIT_TEST(testHistoryBacklogShown);
	CPPUNIT_TEST(testFormat);
	CPPUNIT_TEST(testAccessLog);
	CPPUNIT_TEST(testUnknownPath);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHealthz()
	{
		ThreeListenerServer server;
		const auto reply = httpGet(server.statusPort, "/healthz");
		CPPUNIT_ASSERT_EQUAL(200, reply.status);
		CPPUNIT_ASSERT_EQUAL(std::string("ok\n"), reply.body);
	}

	void testMetricsFollowTraffic()
	{
		ThreeListenerServer server;
		server.expect("webchat_connections_open{listener=\"chat\"}", 0);
		server.expect("webchat_http_requests_total{listener=\"page\"}", 0);

		CPPUNIT_ASSERT_EQUAL(200, httpGet(server.pagePort, "/").status);
		CPPUNIT_ASSERT_EQUAL(200, httpGet(server.pagePort, "/webchat-config.json").status);
		server.expect("webchat_http_requests_total{listener=\"page\"}", 2);
		server.expect("webchat_http_request_duration_seconds_count{listener=\"page\"}", 2);
		server.expect("webchat_http_request_duration_seconds_bucket{listener=\"page\",le=\"+Inf\"}", 2);

		{
			WsTestClient a(server.chatPort), b(server.chatPort);
			a.sendText("one");
			b.sendText("two");
			for (auto* client : {&a, &b})
			{
				client->receiveMessage();
				client->receiveMessage();
			}
			server.expect("webchat_connections_open{listener=\"chat\"}", 2);
			server.expect("webchat_connections_total{listener=\"chat\"}", 2);
			server.expect("webchat_messages_in_total{listener=\"chat\"}", 2);
			CPPUNIT_ASSERT(server.value("webchat_bytes_out_total{listener=\"chat\"}") >= 4 * 5); // 4 frames of 3 bytes + header
			CPPUNIT_ASSERT(server.value("webchat_bytes_in_total{listener=\"chat\"}") >= 2 * 9);
		}
		server.expect("webchat_connections_open{listener=\"chat\"}", 0);

		Poco::Net::NameValueCollection foreign;
		foreign.set("Origin", "http://elsewhere.example");
		CPPUNIT_ASSERT_EQUAL(403, WsTestClient::handshakeStatus(server.chatPort, "/", foreign));
		server.expect("webchat_handshakes_refused_total{listener=\"chat\",reason=\"origin\"}", 1);
		server.expect("webchat_handshakes_refused_total{listener=\"chat\",reason=\"invalid\"}", 0);

		{
			// An unmasked frame from a client: 1002.
			WsTestClient rude(server.chatPort);
			rude.sendRaw(std::string("\x81\x02hi", 4));
			CPPUNIT_ASSERT_EQUAL(std::uint16_t(1002), rude.waitForClose());
		}
		server.expect("webchat_protocol_errors_total{listener=\"chat\",code=\"1002\"}", 1);
		server.expect("webchat_protocol_errors_total{listener=\"chat\",code=\"1009\"}", 0);
		server.expect("webchat_connections_total{listener=\"chat\"}", 3);
		// Handshakes are the chat listener's requests: two clients, the
		// refused origin and the rude client.
		server.expect("webchat_http_requests_total{listener=\"chat\"}", 4);
		server.expect("webchat_http_request_duration_seconds_count{listener=\"chat\"}", 4);
	}

	void testHistoryBacklogShown()
	{
		ThreeListenerServer server("plugin = chatroom\nclass = ChatroomPlugin\nbackend = sqlite\ndatabase = " + makeTempDir() + "/chat.db\n");
		server.expect("webchat_history_pending_messages{listener=\"chat\"}", 0);
		server.expect("webchat_history_pending_bytes{listener=\"chat\"}", 0);
		server.expect("webchat_history_not_kept_total{listener=\"chat\"}", 0);
	}

	void testChatRoomsAndUsers()
	{
		// Members who leave are gone at once (no leave_grace_ms).
		ThreeListenerServer server("plugin = chatroom\nclass = ChatroomPlugin\nbackend = memory\nleave_grace_ms = 0\n");
		server.expect("webchat_rooms{listener=\"chat\"}", 0);
		{
			WsTestClient ann(server.chatPort, "/lobby?nick=ann"), bob(server.chatPort, "/lobby?nick=bob"), eve(server.chatPort, "/cellar?nick=eve");
			ann.receiveMessage();
			server.expect("webchat_rooms{listener=\"chat\"}", 2);
			server.expect("webchat_users{listener=\"chat\"}", 3);
			server.expect("webchat_connections_open{listener=\"chat\"}", 3);
		}
		server.expect("webchat_users{listener=\"chat\"}", 0);
		server.expect("webchat_rooms{listener=\"chat\"}", 0);
	}

	void testFormat()
	{
		ThreeListenerServer server;
		const std::string text = server.metrics();
		// One HELP and TYPE per family, whatever the number of listeners.
		CPPUNIT_ASSERT_EQUAL(std::string::size_type(1), count(text, "# TYPE webchat_http_requests_total counter\n"));
		CPPUNIT_ASSERT_EQUAL(std::string::size_type(1), count(text, "# HELP webchat_http_requests_total "));
		CPPUNIT_ASSERT_EQUAL(std::string::size_type(1), count(text, "# TYPE webchat_http_request_duration_seconds histogram\n"));
		CPPUNIT_ASSERT_EQUAL(std::string::size_type(1), count(text, "# TYPE webchat_connections_open gauge\n"));
		for (const char* listener : {"page", "chat", "status"})
		{
			CPPUNIT_ASSERT_MESSAGE(text, text.find(std::string("webchat_http_requests_total{listener=\"") + listener + "\"} ") != std::string::npos);
		}
		CPPUNIT_ASSERT_EQUAL('\n', text.back());
	}

	void testAccessLog()
	{
		ThreeListenerServer server;
		CPPUNIT_ASSERT_EQUAL(200, httpGet(server.pagePort, "/webchat-config.json?x=1").status);
		const Poco::Timestamp start;
		while (server.process->output().find("GET /webchat-config.json?x=1 200") == std::string::npos && !start.isElapsed(5000000))
			Poco::Thread::sleep(20);
		const std::string output = server.process->output();
		CPPUNIT_ASSERT_MESSAGE(output, output.find("webchat.page.access: GET /webchat-config.json?x=1 200 ") != std::string::npos);
		CPPUNIT_ASSERT_MESSAGE(output, output.find("127.0.0.1:") != std::string::npos);
	}

	void testUnknownPath()
	{
		ThreeListenerServer server;
		CPPUNIT_ASSERT_EQUAL(404, httpGet(server.statusPort, "/").status);
		CPPUNIT_ASSERT_EQUAL(405, httpRequest(server.statusPort, "POST", "/metrics").status);
	}

private:
	static std::string::size_type count(const std::string& text, const std::string& what)
	{
		std::string::size_type n = 0;
		for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
		return n;
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(StatusTest);
