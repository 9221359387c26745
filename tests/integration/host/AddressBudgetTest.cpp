//
// Per-address budgets through the real webchatd: WebSocket handshakes are
// limited per client address across connections (429 with Retry-After),
// while other addresses are served.
//

#include "HostConfig.h"
#include "ServerProcess.h"
#include "TestPaths.h"

#include "Poco/Net/NetException.h"

#include <cppunit/extensions/HelperMacros.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace webchat::test;

namespace {

struct Answer
{
	int status = 0;
	std::string head;
};

// One WebSocket upgrade from source (a loopback address) to 127.0.0.1:port:
// the status of the answer and its head. The connection is closed after.
Answer upgradeFrom(const std::string& source, Poco::UInt16 port)
{
	const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CPPUNIT_ASSERT(fd >= 0);
	sockaddr_in from{};
	from.sin_family = AF_INET;
	::inet_pton(AF_INET, source.c_str(), &from.sin_addr);
	sockaddr_in to{};
	to.sin_family = AF_INET;
	to.sin_port = htons(port);
	::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
	timeval timeout{5, 0};
	::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
	const bool connected = ::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
		::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0;
	Answer answer;
	if (connected)
	{
		const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n";
		::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
		char buffer[4096];
		while (answer.head.find("\r\n\r\n") == std::string::npos)
		{
			const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
			if (n <= 0) break;
			answer.head.append(buffer, static_cast<std::size_t>(n));
		}
		if (answer.head.compare(0, 9, "HTTP/1.1 ") == 0) answer.status = std::stoi(answer.head.substr(9, 3));
	}
	::close(fd);
	return answer;
}

} // namespace

class AddressBudgetTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(AddressBudgetTest);
	CPPUNIT_TEST(testHandshakesPerAddress);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHandshakesPerAddress()
	{
		const auto port = freeLoopbackPort();
		ServerProcess server({"--config=" + writeTempFile("[server]\nplugin_path = " + pluginDir() +
			"\n[listeners.chat]\naddress = 127.0.0.1\nport = " + std::to_string(port) +
			"\nplugin = relay\nclass = RelayPlugin\nhandshakes_per_ip_per_second = 0.5\nhandshakes_per_ip_burst = 3\n")});
		CPPUNIT_ASSERT_MESSAGE(server.output(), server.waitForPort(port));
		// The burst, each connection closed again at once: a budget of
		// handshakes, not of open connections.
		for (int i = 0; i < 3; ++i) CPPUNIT_ASSERT_EQUAL(101, upgradeFrom("127.0.0.2", port).status);
		const Answer refused = upgradeFrom("127.0.0.2", port);
		CPPUNIT_ASSERT_EQUAL_MESSAGE(refused.head, 429, refused.status);
		// One token every 2 s: the wait is said in whole seconds.
		CPPUNIT_ASSERT_MESSAGE(refused.head, contains(refused.head, "Retry-After: 2\r\n") || contains(refused.head, "Retry-After: 1\r\n"));
		// Another address has a budget of its own.
		CPPUNIT_ASSERT_EQUAL(101, upgradeFrom("127.0.0.3", port).status);
		CPPUNIT_ASSERT_EQUAL(0, server.stop());
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(AddressBudgetTest);
