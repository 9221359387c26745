#include "SocketPair.h"

#include "webchat/platform/Socket.h"

#include "Poco/Exception.h"
#include "Poco/Net/ServerSocket.h"
#include "Poco/Timespan.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>

namespace platform = webchat::platform;
using platform::IoStatus;
using webchat::test::becomesReadable;
using webchat::test::SocketPair;

namespace {

// What the blocking POCO end receives: size bytes, or fewer at its end.
std::string readExactly(Poco::Net::StreamSocket& socket, std::size_t size)
{
	socket.setReceiveTimeout(Poco::Timespan(5, 0));
	std::string bytes(size, '\0');
	std::size_t got = 0;
	while (got < size)
	{
		const int n = socket.receiveBytes(&bytes[got], static_cast<int>(size - got));
		if (n <= 0) break;
		got += static_cast<std::size_t>(n);
	}
	bytes.resize(got);
	return bytes;
}

} // namespace

class SocketTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SocketTest);
	CPPUNIT_TEST(testBufferSpan);
	CPPUNIT_TEST(testVectoredSendKeepsOrder);
	CPPUNIT_TEST(testReceiveWouldBlockThenData);
	CPPUNIT_TEST(testPeekLeavesTheBytes);
	CPPUNIT_TEST(testEndOfStream);
	CPPUNIT_TEST(testSendWouldBlockWhenThePeerDoesNotRead);
	CPPUNIT_TEST(testDuplicateOutlivesTheOriginal);
	CPPUNIT_TEST(testAcceptConnection);
	CPPUNIT_TEST(testPreparedListenerRefusesASecondBind);
	CPPUNIT_TEST_SUITE_END();

public:
	void testBufferSpan()
	{
		const std::string text = "hello";
		platform::IoBuffer buffer;
		platform::setBuffer(buffer, text.data() + 1, 3);
		CPPUNIT_ASSERT(platform::bufferData(buffer) == text.data() + 1);
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), platform::bufferSize(buffer));
	}

	void testVectoredSendKeepsOrder()
	{
		SocketPair pair;
		platform::setNonBlocking(pair.serverHandle(), true);
		const std::string parts[] = {"abc", "", "defg", "hi"};
		platform::IoBuffer buffers[4];
		for (int i = 0; i < 4; ++i) platform::setBuffer(buffers[i], parts[i].data(), parts[i].size());
		std::size_t sent = 0;
		CPPUNIT_ASSERT(platform::sendBuffers(pair.serverHandle(), buffers, 4, sent) == IoStatus::Progress);
		CPPUNIT_ASSERT_EQUAL(std::size_t(9), sent);
		CPPUNIT_ASSERT_EQUAL(std::string("abcdefghi"), readExactly(pair.client, 9));
	}

	void testReceiveWouldBlockThenData()
	{
		SocketPair pair;
		platform::setNonBlocking(pair.serverHandle(), true);
		char buffer[16];
		std::size_t n = 0;
		CPPUNIT_ASSERT(platform::receive(pair.serverHandle(), buffer, sizeof buffer, n) == IoStatus::WouldBlock);
		pair.client.sendBytes("hi", 2);
		CPPUNIT_ASSERT(becomesReadable(pair.serverHandle(), 5000));
		CPPUNIT_ASSERT(platform::receive(pair.serverHandle(), buffer, sizeof buffer, n) == IoStatus::Progress);
		CPPUNIT_ASSERT_EQUAL(std::string("hi"), std::string(buffer, n));
	}

	void testPeekLeavesTheBytes()
	{
		SocketPair pair;
		platform::setNonBlocking(pair.serverHandle(), true);
		pair.client.sendBytes("GET /", 5);
		CPPUNIT_ASSERT(becomesReadable(pair.serverHandle(), 5000));
		char buffer[16];
		std::size_t n = 0;
		CPPUNIT_ASSERT(platform::peek(pair.serverHandle(), buffer, 3, n) == IoStatus::Progress);
		CPPUNIT_ASSERT_EQUAL(std::string("GET"), std::string(buffer, n));
		CPPUNIT_ASSERT(platform::receive(pair.serverHandle(), buffer, sizeof buffer, n) == IoStatus::Progress);
		CPPUNIT_ASSERT_EQUAL(std::string("GET /"), std::string(buffer, n));
	}

	void testEndOfStream()
	{
		SocketPair pair;
		platform::setNonBlocking(pair.serverHandle(), true);
		platform::shutdownSending(pair.clientHandle());
		CPPUNIT_ASSERT(becomesReadable(pair.serverHandle(), 5000));
		char buffer[16];
		std::size_t n = 0;
		CPPUNIT_ASSERT(platform::peek(pair.serverHandle(), buffer, sizeof buffer, n) == IoStatus::EndOfStream);
		CPPUNIT_ASSERT(platform::receive(pair.serverHandle(), buffer, sizeof buffer, n) == IoStatus::EndOfStream);
	}

	void testSendWouldBlockWhenThePeerDoesNotRead()
	{
		SocketPair pair;
		platform::setNonBlocking(pair.serverHandle(), true);
		platform::setSendBufferSize(pair.serverHandle(), 16 * 1024);
		const std::string block(64 * 1024, 'x');
		platform::IoBuffer buffer;
		platform::setBuffer(buffer, block.data(), block.size());
		IoStatus status = IoStatus::Progress;
		std::size_t total = 0;
		// Kernel buffers on both sides fill long before 256 MB.
		while (status == IoStatus::Progress && total < 256u * 1024 * 1024)
		{
			std::size_t sent = 0;
			status = platform::sendBuffers(pair.serverHandle(), &buffer, 1, sent);
			if (status == IoStatus::Progress) total += sent;
		}
		CPPUNIT_ASSERT(status == IoStatus::WouldBlock);
		CPPUNIT_ASSERT(total > 0);
	}

	void testDuplicateOutlivesTheOriginal()
	{
		SocketPair pair;
		const platform::SocketHandle copy = platform::duplicateSocket(pair.serverHandle());
		CPPUNIT_ASSERT(copy != platform::invalidSocket);
		CPPUNIT_ASSERT(copy != pair.serverHandle());
		pair.server.close();
		platform::IoBuffer buffer;
		platform::setBuffer(buffer, "still here", 10);
		std::size_t sent = 0;
		CPPUNIT_ASSERT(platform::sendBuffers(copy, &buffer, 1, sent) == IoStatus::Progress);
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), readExactly(pair.client, 10));
		platform::closeSocket(copy);
		// The last handle closed: the peer sees the end.
		CPPUNIT_ASSERT_EQUAL(std::string(), readExactly(pair.client, 1));
	}

	void testAcceptConnection()
	{
		Poco::Net::ServerSocket listener(Poco::Net::SocketAddress("127.0.0.1", 0));
		const platform::SocketHandle listening = listener.impl()->sockfd();
		platform::setNonBlocking(listening, true);
		sockaddr_storage address{};
		poco_socklen_t length = sizeof address;
		platform::SocketHandle accepted = platform::invalidSocket;
		CPPUNIT_ASSERT(platform::acceptConnection(listening, accepted, address, length) == IoStatus::WouldBlock);

		Poco::Net::StreamSocket client(listener.address());
		CPPUNIT_ASSERT(becomesReadable(listening, 5000));
		length = sizeof address;
		CPPUNIT_ASSERT(platform::acceptConnection(listening, accepted, address, length) == IoStatus::Progress);
		const Poco::Net::SocketAddress peer(reinterpret_cast<const sockaddr*>(&address), length);
		CPPUNIT_ASSERT_EQUAL(client.address().port(), peer.port());
		// Non-blocking from the start.
		char byte;
		std::size_t n = 0;
		CPPUNIT_ASSERT(platform::receive(accepted, &byte, 1, n) == IoStatus::WouldBlock);
		platform::closeSocket(accepted);
	}

	void testPreparedListenerRefusesASecondBind()
	{
		const Poco::Net::SocketAddress any("127.0.0.1", 0);
		Poco::Net::ServerSocket first;
		first.init(any.af());
		platform::prepareListening(first.impl()->sockfd());
		first.bind(any, false, false);
		first.listen();
		Poco::Net::ServerSocket second;
		second.init(any.af());
		platform::prepareListening(second.impl()->sockfd());
		CPPUNIT_ASSERT_THROW(second.bind(first.address(), false, false), Poco::Exception);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SocketTest);
