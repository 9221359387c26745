//
// SessionHandler.h
//
// What a chat plugin implements to use the engine: it decides what a
// connection's messages mean. Everything here runs on the connection's I/O
// thread, so a connection's events arrive one at a time, in order.
//

#ifndef WEBCHAT_ENGINE_SESSIONHANDLER_INCLUDED
#define WEBCHAT_ENGINE_SESSIONHANDLER_INCLUDED

#include "webchat/engine/Protocol.h"

#include <cstdint>
#include <memory>
#include <string_view>

namespace Poco::Net {
class HTTPServerRequest;
}

namespace webchat::engine {

class Connection;

/// Per-connection state of a plugin (nickname, room...), owned by the
/// connection and destroyed with it.
class Session
{
public:
	virtual ~Session() = default;
};

class SessionHandler
{
public:
	virtual ~SessionHandler() = default;

	/// Called on the HTTP thread for an upgrade request that passed the
	/// protocol, origin and admission checks: the session to attach (may be
	/// null). Throw Poco::Net::HTTPException-free: return normally; refusals
	/// with a reason are sent over the socket in onOpen.
	virtual std::unique_ptr<Session> createSession(const Poco::Net::HTTPServerRequest&) { return nullptr; }

	virtual void onOpen(Connection& connection) = 0;

	/// A whole, validated message (Text is valid UTF-8).
	virtual void onMessage(Connection& connection, ws::Opcode opcode, std::string_view payload) = 0;

	/// The deadline set with Connection::setDeadline() has passed (it is
	/// cleared before the call). Default: nothing.
	virtual void onDeadline(Connection&) {}

	/// The connection left the open state: closed by either side, a
	/// protocol error, a slow consumer, a dead peer or shutdown. It is already
	/// unsubscribed and receives nothing more.
	virtual void onClose(Connection& connection, std::uint16_t code) = 0;
};

} // namespace webchat::engine

#endif
