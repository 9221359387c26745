//
// WsTestClient.h
//
// A blocking WebSocket client for integration tests: raw socket, our own
// codec in the client role, so a test can send any bytes (broken frames
// included) and see exactly what the server answers.
//

#ifndef WEBCHAT_WSTESTCLIENT_INCLUDED
#define WEBCHAT_WSTESTCLIENT_INCLUDED

#include "webchat/engine/MessageDecoder.h"

#include "Poco/Net/NameValueCollection.h"
#include "Poco/Net/StreamSocket.h"

#include <cstdint>
#include <deque>
#include <string>

namespace webchat::test {

class WsTestClient: private ws::MessageDecoder::Handler
{
public:
	struct Event
	{
		enum Kind { Message, Ping, Pong, Close, EndOfStream, Timeout } kind = Timeout;
		ws::Opcode opcode = ws::Opcode::Text;
		std::string payload;
		std::uint16_t closeCode = 0;
	};

	/// Connects to 127.0.0.1:port and upgrades; throws Poco::Exception
	/// (with the status line) unless the server answers 101 with the right
	/// Sec-WebSocket-Accept.
	explicit WsTestClient(std::uint16_t port, const std::string& path = "/", const Poco::Net::NameValueCollection& headers = {});

	/// Upgrades on a socket that is already connected: a
	/// Poco::Net::SecureStreamSocket for wss (its reads and writes go
	/// through TLS; everything else is as above).
	explicit WsTestClient(const Poco::Net::StreamSocket& connected, const std::string& path = "/", const Poco::Net::NameValueCollection& headers = {});

	/// The status code a handshake gets (101 on success), for refusal tests.
	static int handshakeStatus(std::uint16_t port, const std::string& path, const Poco::Net::NameValueCollection& headers);

	void sendRaw(const std::string& bytes);
	void send(ws::Opcode opcode, std::string_view payload, bool fin = true);
	void sendText(std::string_view text) { send(ws::Opcode::Text, text); }
	void sendClose(std::uint16_t code);

	/// The next thing the server sends, waiting up to timeoutMs.
	Event next(int timeoutMs = 5000);

	/// The next data message's payload; fails the test on anything else.
	std::string receiveMessage(int timeoutMs = 5000);

	/// Skips data messages until the server's close frame; its code, or 0
	/// if the stream ended or the time ran out first.
	std::uint16_t waitForClose(int timeoutMs = 5000);

	/// True once the server closed the TCP connection (reads return 0 or reset).
	bool waitForEndOfStream(int timeoutMs = 5000);

	Poco::Net::StreamSocket& socket() { return _socket; }

private:
	void onMessage(ws::Opcode opcode, std::string_view payload) override;
	void onPing(std::string_view payload) override;
	void onPong(std::string_view payload) override;
	void onClose(std::uint16_t code, std::string_view reason) override;

	void upgrade(const std::string& path, const Poco::Net::NameValueCollection& headers);
	static std::string handshake(Poco::Net::StreamSocket& socket, const std::string& path,
		const Poco::Net::NameValueCollection& headers, int& status, std::string& leftover);

	Poco::Net::StreamSocket _socket;
	ws::MessageDecoder _decoder;
	std::deque<Event> _events;
	bool _endOfStream = false;
};

} // namespace webchat::test

#endif
