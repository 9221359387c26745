#include "WsTestClient.h"

#include "webchat/engine/Handshake.h"
#include "webchat/engine/Protocol.h"

#include "Poco/Base64Encoder.h"
#include "Poco/Exception.h"
#include "Poco/Net/NetException.h"
#include "Poco/Net/SocketAddress.h"
#include "Poco/Random.h"
#include "Poco/Timestamp.h"

#include <cppunit/TestAssert.h>

#include <sstream>

namespace webchat::test {

namespace {

const std::size_t maxTestMessage = 16 * 1024 * 1024;

std::string randomKey()
{
	Poco::Random random;
	random.seed();
	std::string bytes(16, '\0');
	for (char& c : bytes) c = static_cast<char>(random.nextChar());
	std::ostringstream out;
	Poco::Base64Encoder encoder(out);
	encoder << bytes;
	encoder.close();
	return out.str();
}

} // namespace

WsTestClient::WsTestClient(std::uint16_t port, const std::string& path, const Poco::Net::NameValueCollection& headers):
	_decoder(ws::MessageDecoder::Role::Client, ws::MessageDecoder::Limits{maxTestMessage}, *this)
{
	_socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
	// Tests alternate small writes and reads; Nagle plus delayed ACKs would
	// add 40 ms to many of those round trips.
	_socket.setNoDelay(true);
	upgrade(path, headers);
}

WsTestClient::WsTestClient(const Poco::Net::StreamSocket& connected, const std::string& path, const Poco::Net::NameValueCollection& headers):
	_socket(connected),
	_decoder(ws::MessageDecoder::Role::Client, ws::MessageDecoder::Limits{maxTestMessage}, *this)
{
	_socket.setNoDelay(true);
	upgrade(path, headers);
}

void WsTestClient::upgrade(const std::string& path, const Poco::Net::NameValueCollection& headers)
{
	int status = 0;
	std::string leftover;
	const std::string statusLine = handshake(_socket, path, headers, status, leftover);
	if (status != 101) throw Poco::Net::WebSocketException("handshake refused", statusLine);
	if (!leftover.empty()) _decoder.feed(leftover.data(), leftover.size());
}

int WsTestClient::handshakeStatus(std::uint16_t port, const std::string& path, const Poco::Net::NameValueCollection& headers)
{
	Poco::Net::StreamSocket socket;
	socket.connect(Poco::Net::SocketAddress("127.0.0.1", port), Poco::Timespan(5, 0));
	int status = 0;
	std::string leftover;
	handshake(socket, path, headers, status, leftover);
	return status;
}

std::string WsTestClient::handshake(Poco::Net::StreamSocket& socket, const std::string& path,
	const Poco::Net::NameValueCollection& headers, int& status, std::string& leftover)
{
	const std::string key = randomKey();
	Poco::Net::NameValueCollection all;
	all.set("Host", "127.0.0.1");
	all.set("Upgrade", "websocket");
	all.set("Connection", "Upgrade");
	all.set("Sec-WebSocket-Version", "13");
	all.set("Sec-WebSocket-Key", key);
	for (const auto& header : headers)
	{
		if (header.second.empty())
			all.erase(header.first);
		else
			all.set(header.first, header.second);
	}
	std::string request = "GET " + path + " HTTP/1.1\r\n";
	for (const auto& header : all) request += header.first + ": " + header.second + "\r\n";
	request += "\r\n";
	socket.sendBytes(request.data(), static_cast<int>(request.size()));

	socket.setReceiveTimeout(Poco::Timespan(5, 0));
	std::string response;
	char buffer[4096];
	std::size_t end;
	while ((end = response.find("\r\n\r\n")) == std::string::npos)
	{
		const int n = socket.receiveBytes(buffer, sizeof(buffer));
		if (n <= 0) throw Poco::Net::WebSocketException("connection closed during handshake", response);
		response.append(buffer, static_cast<std::size_t>(n));
	}
	leftover = response.substr(end + 4);
	const std::string statusLine = response.substr(0, response.find("\r\n"));
	status = std::atoi(statusLine.substr(statusLine.find(' ') + 1, 3).c_str());
	if (status == 101 && response.find("Sec-WebSocket-Accept: " + ws::computeAcceptKey(key) + "\r\n") == std::string::npos)
		throw Poco::Net::WebSocketException("wrong or missing Sec-WebSocket-Accept", response);
	return response.substr(0, end);
}

void WsTestClient::sendRaw(const std::string& bytes)
{
	std::size_t sent = 0;
	while (sent < bytes.size())
		sent += static_cast<std::size_t>(_socket.sendBytes(bytes.data() + sent, static_cast<int>(bytes.size() - sent)));
}

void WsTestClient::send(ws::Opcode opcode, std::string_view payload, bool fin)
{
	std::string frame;
	ws::appendMaskedFrame(frame, opcode, payload, 0x37fa213d, fin);
	sendRaw(frame);
}

void WsTestClient::sendClose(std::uint16_t code)
{
	send(ws::Opcode::Close, ws::closePayload(code));
}

WsTestClient::Event WsTestClient::next(int timeoutMs)
{
	Poco::Timestamp start;
	char buffer[65536];
	while (_events.empty())
	{
		if (_endOfStream)
		{
			Event event;
			event.kind = Event::EndOfStream;
			return event;
		}
		const Poco::Timestamp::TimeDiff left = Poco::Timestamp::TimeDiff(timeoutMs) * 1000 - start.elapsed();
		if (left <= 0) return Event{};
		_socket.setReceiveTimeout(Poco::Timespan(left));
		try
		{
			const int n = _socket.receiveBytes(buffer, sizeof(buffer));
			if (n <= 0)
				_endOfStream = true;
			else
				_decoder.feed(buffer, static_cast<std::size_t>(n));
		}
		catch (const Poco::TimeoutException&)
		{
			return Event{};
		}
		catch (const Poco::Net::ConnectionResetException&)
		{
			_endOfStream = true;
		}
	}
	Event event = std::move(_events.front());
	_events.pop_front();
	return event;
}

std::string WsTestClient::receiveMessage(int timeoutMs)
{
	const Event event = next(timeoutMs);
	CPPUNIT_ASSERT_EQUAL_MESSAGE("expected a data message", int(Event::Message), int(event.kind));
	return event.payload;
}

std::uint16_t WsTestClient::waitForClose(int timeoutMs)
{
	Poco::Timestamp start;
	while (!start.isElapsed(Poco::Timestamp::TimeDiff(timeoutMs) * 1000))
	{
		const Event event = next(timeoutMs);
		if (event.kind == Event::Close) return event.closeCode;
		if (event.kind == Event::EndOfStream || event.kind == Event::Timeout) return 0;
	}
	return 0;
}

bool WsTestClient::waitForEndOfStream(int timeoutMs)
{
	Poco::Timestamp start;
	while (!start.isElapsed(Poco::Timestamp::TimeDiff(timeoutMs) * 1000))
	{
		const Event event = next(timeoutMs);
		if (event.kind == Event::EndOfStream) return true;
		if (event.kind == Event::Timeout) return false;
	}
	return false;
}

void WsTestClient::onMessage(ws::Opcode opcode, std::string_view payload)
{
	_events.push_back(Event{Event::Message, opcode, std::string(payload), 0});
}

void WsTestClient::onPing(std::string_view payload)
{
	_events.push_back(Event{Event::Ping, ws::Opcode::Ping, std::string(payload), 0});
}

void WsTestClient::onPong(std::string_view payload)
{
	_events.push_back(Event{Event::Pong, ws::Opcode::Pong, std::string(payload), 0});
}

void WsTestClient::onClose(std::uint16_t code, std::string_view reason)
{
	_events.push_back(Event{Event::Close, ws::Opcode::Close, std::string(reason), code});
}

} // namespace webchat::test
