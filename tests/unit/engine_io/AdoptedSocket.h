//
// AdoptedSocket.h
//
// A connection for engine tests without a listener: one end of a socket
// pair handed to Engine::adopt (as the upgrade handler hands over an
// upgraded socket), the other end kept here to read what the engine writes.
// AdoptedSocket.cpp: socketpair(AF_UNIX); WindowsAdoptedSocket.cpp: a
// loopback TCP pair.
//

#ifndef WEBCHAT_TEST_ADOPTEDSOCKET_INCLUDED
#define WEBCHAT_TEST_ADOPTEDSOCKET_INCLUDED

#include "webchat/engine/Engine.h"
#include "webchat/platform/Socket.h"

#include <memory>
#include <string>
#include <string_view>

namespace webchat::test {

class AdoptedSocket
{
public:
	/// Adopts one end into engine (started) with response as the bytes it
	/// writes after onOpen and session as the connection's session.
	AdoptedSocket(engine::Engine& engine, const std::string& response, std::unique_ptr<engine::Session> session = nullptr);
	~AdoptedSocket();
	AdoptedSocket(const AdoptedSocket&) = delete;
	AdoptedSocket& operator=(const AdoptedSocket&) = delete;

	/// Reads until size bytes have arrived or timeoutMs passed without any
	/// (then fewer), and returns them.
	std::string read(std::size_t size, int timeoutMs);

	/// Writes what the socket takes now, without waiting; the bytes taken.
	std::size_t writeSome(std::string_view bytes);

private:
	platform::SocketHandle _fd = platform::invalidSocket;
};

} // namespace webchat::test

#endif
