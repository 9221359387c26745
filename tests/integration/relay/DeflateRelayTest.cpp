//
// permessage-deflate on the relay, run for real: a client that offers it
// gets it (unless the listener has compression = off), sends and receives
// compressed messages, and shares the room with plain clients, who get the
// same messages uncompressed. A deflate bomb is closed with 1009.
//

#include "RelayServer.h"
#include "WsTestClient.h"

#include "DeflateCodec.h"

#include "webchat/engine/MessageDecoder.h"
#include "webchat/engine/Protocol.h"

#include "Poco/Net/NetException.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Net/StreamSocket.h"
#include "Poco/Timestamp.h"

#include <cppunit/extensions/HelperMacros.h>

#include <deque>

using namespace webchat::test;
namespace ws = webchat::ws;

namespace {

// A client that offers permessage-deflate, compresses what it sends and
// counts the bytes it receives (how a test tells a compressed message).
class DeflateClient: private ws::MessageDecoder::Handler
{
public:
	DeflateClient(std::uint16_t port, const std::string& offer)
	{
		_socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
		_socket.setNoDelay(true);
		const std::string request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n"
			"Sec-WebSocket-Extensions: " + offer + "\r\n\r\n";
		sendRaw(request);
		_socket.setReceiveTimeout(Poco::Timespan(5, 0));
		std::string response;
		char buffer[4096];
		std::size_t end;
		while ((end = response.find("\r\n\r\n")) == std::string::npos)
		{
			const int n = _socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0) throw Poco::Net::WebSocketException("connection closed during handshake", response);
			response.append(buffer, static_cast<std::size_t>(n));
		}
		head = response.substr(0, end);
		CPPUNIT_ASSERT_MESSAGE(head, head.rfind("HTTP/1.1 101", 0) == 0);
		const std::string name = "\r\nSec-WebSocket-Extensions: ";
		const std::size_t at = head.find(name);
		if (at != std::string::npos)
		{
			const std::size_t from = at + name.size();
			extensions = head.substr(from, head.find("\r\n", from) - from);
		}
		ws::MessageDecoder::Handler& handler = *this;
		_decoder = std::make_unique<ws::MessageDecoder>(ws::MessageDecoder::Role::Client, ws::MessageDecoder::Limits{16 << 20}, handler,
			extensions.empty() ? ws::MessageDecoder::Compression::None : ws::MessageDecoder::Compression::PerMessageDeflate);
		std::string leftover = response.substr(end + 4);
		if (!leftover.empty()) _decoder->feed(leftover.data(), leftover.size());
	}

	void sendRaw(const std::string& bytes)
	{
		std::size_t sent = 0;
		while (sent < bytes.size())
			sent += static_cast<std::size_t>(_socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
	}

	void sendCompressed(ws::Opcode opcode, std::string_view payload)
	{
		std::string frame;
		ws::appendMaskedFrame(frame, opcode, _deflater.compress(payload), 0x5eed1e55, true, true);
		sendRaw(frame);
	}

	void sendPlain(ws::Opcode opcode, std::string_view payload)
	{
		std::string frame;
		ws::appendMaskedFrame(frame, opcode, payload, 0x5eed1e55);
		sendRaw(frame);
	}

	// The next message's payload ("close:<code>" for a close, "" at the end
	// of the stream or on time-out) and the bytes read for it.
	std::string next(std::size_t& bytesRead, int timeoutMs = 5000)
	{
		const std::uint64_t before = _bytesRead;
		Poco::Timestamp start;
		char buffer[65536];
		while (_events.empty() && !_ended)
		{
			const Poco::Timestamp::TimeDiff left = Poco::Timestamp::TimeDiff(timeoutMs) * 1000 - start.elapsed();
			if (left <= 0) break;
			_socket.setReceiveTimeout(Poco::Timespan(left));
			try
			{
				const int n = _socket.receiveBytes(buffer, sizeof(buffer));
				if (n <= 0)
				{
					_ended = true;
					break;
				}
				_bytesRead += static_cast<std::uint64_t>(n);
				_decoder->feed(buffer, static_cast<std::size_t>(n));
			}
			catch (const Poco::TimeoutException&)
			{
				break;
			}
			catch (const Poco::Net::ConnectionResetException&)
			{
				_ended = true;
			}
		}
		bytesRead = static_cast<std::size_t>(_bytesRead - before);
		if (_events.empty()) return "";
		std::string event = std::move(_events.front());
		_events.pop_front();
		return event;
	}

	std::string next()
	{
		std::size_t ignored;
		return next(ignored);
	}

	std::string head;
	std::string extensions;

private:
	void onMessage(ws::Opcode, std::string_view payload) override { _events.emplace_back(payload); }
	void onPing(std::string_view) override {}
	void onPong(std::string_view) override {}
	void onClose(std::uint16_t code, std::string_view) override { _events.push_back("close:" + std::to_string(code)); }

	Poco::Net::StreamSocket _socket;
	std::unique_ptr<ws::MessageDecoder> _decoder;
	ws::Deflater _deflater;
	std::deque<std::string> _events;
	std::uint64_t _bytesRead = 0;
	bool _ended = false;
};

std::string chatText(std::size_t size)
{
	std::string text;
	while (text.size() < size) text += "Xin chào, thế giới! message " + std::to_string(text.size()) + "; ";
	text.resize(size);
	while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.pop_back(); // whole characters
	if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.pop_back();
	return text;
}

const std::string Accepted = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

} // namespace

class DeflateRelayTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(DeflateRelayTest);
	CPPUNIT_TEST(testCompressedAndPlainClientsShareTheRoom);
	CPPUNIT_TEST(testDeflateBombIsClosedWith1009);
	CPPUNIT_TEST(testBadOfferIsDeclinedNotRefused);
	CPPUNIT_TEST(testCompressionOff);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCompressedAndPlainClientsShareTheRoom()
	{
		RelayServer server("io_threads = 2");
		DeflateClient compressed(server.port, "permessage-deflate; client_max_window_bits");
		CPPUNIT_ASSERT_EQUAL(Accepted, compressed.extensions);
		DeflateClient compressedToo(server.port, "permessage-deflate");
		WsTestClient plain(server.port);

		// A compressed message from a client: everyone gets it, plain
		// clients uncompressed, compressing clients compressed.
		const std::string text = chatText(4000);
		compressed.sendCompressed(ws::Opcode::Text, text);
		CPPUNIT_ASSERT_EQUAL(text, plain.receiveMessage());
		for (auto* client : {&compressed, &compressedToo})
		{
			std::size_t wire = 0;
			CPPUNIT_ASSERT_EQUAL(text, client->next(wire));
			CPPUNIT_ASSERT_MESSAGE(std::to_string(wire) + " bytes on the wire", wire < text.size() / 4);
		}

		// A plain client's message reaches compressing clients compressed.
		const std::string binary = std::string(3000, 'b') + std::string(1000, '\0');
		plain.send(ws::Opcode::Binary, binary);
		CPPUNIT_ASSERT_EQUAL(binary, plain.receiveMessage());
		for (auto* client : {&compressed, &compressedToo})
		{
			std::size_t wire = 0;
			CPPUNIT_ASSERT(binary == client->next(wire));
			CPPUNIT_ASSERT_MESSAGE(std::to_string(wire) + " bytes on the wire", wire < 200);
		}

		// Below compression_min_bytes (64): sent as it is, frame header and
		// payload.
		const std::string shortText = "short and sweet";
		compressed.sendPlain(ws::Opcode::Text, shortText);
		CPPUNIT_ASSERT_EQUAL(shortText, plain.receiveMessage());
		for (auto* client : {&compressed, &compressedToo})
		{
			std::size_t wire = 0;
			CPPUNIT_ASSERT_EQUAL(shortText, client->next(wire));
			CPPUNIT_ASSERT_EQUAL(2 + shortText.size(), wire);
		}

		// One sender's messages, compressed and not, keep their order.
		for (int i = 0; i < 200; ++i)
		{
			const std::string message = std::to_string(i) + " " + chatText(static_cast<std::size_t>(i * 13));
			if (i % 2)
				compressed.sendCompressed(ws::Opcode::Text, message);
			else
				compressed.sendPlain(ws::Opcode::Text, message);
		}
		for (int i = 0; i < 200; ++i)
		{
			const std::string message = std::to_string(i) + " " + chatText(static_cast<std::size_t>(i * 13));
			CPPUNIT_ASSERT_EQUAL(message, plain.receiveMessage());
			CPPUNIT_ASSERT_EQUAL(message, compressed.next());
			CPPUNIT_ASSERT_EQUAL(message, compressedToo.next());
		}
	}

	// 10 MiB of zeros in a frame of about 10 KiB: closed with 1009 once
	// max_message_bytes (64 KiB) is inflated; the room goes on.
	void testDeflateBombIsClosedWith1009()
	{
		RelayServer server;
		WsTestClient bystander(server.port);
		DeflateClient bomber(server.port, "permessage-deflate");
		CPPUNIT_ASSERT_EQUAL(Accepted, bomber.extensions);
		bomber.sendCompressed(ws::Opcode::Binary, std::string(10 * 1024 * 1024, '\0'));
		CPPUNIT_ASSERT_EQUAL(std::string("close:1009"), bomber.next());
		bystander.sendText("still here");
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), bystander.receiveMessage());
	}

	void testBadOfferIsDeclinedNotRefused()
	{
		RelayServer server;
		DeflateClient client(server.port, "permessage-deflate; server_max_window_bits=16");
		CPPUNIT_ASSERT_EQUAL(std::string(), client.extensions);
		const std::string text = chatText(1000);
		client.sendPlain(ws::Opcode::Text, text);
		std::size_t wire = 0;
		CPPUNIT_ASSERT_EQUAL(text, client.next(wire));
		CPPUNIT_ASSERT_EQUAL(4 + text.size(), wire);
		// Without the extension, RSV1 is a protocol error.
		client.sendCompressed(ws::Opcode::Text, text);
		CPPUNIT_ASSERT_EQUAL(std::string("close:1002"), client.next());
	}

	void testCompressionOff()
	{
		RelayServer server("compression = off");
		DeflateClient client(server.port, "permessage-deflate; client_max_window_bits");
		CPPUNIT_ASSERT_MESSAGE(client.head, client.head.find("Sec-WebSocket-Extensions") == std::string::npos);
		const std::string text = chatText(1000);
		client.sendPlain(ws::Opcode::Text, text);
		std::size_t wire = 0;
		CPPUNIT_ASSERT_EQUAL(text, client.next(wire));
		CPPUNIT_ASSERT_EQUAL(4 + text.size(), wire);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(DeflateRelayTest);
