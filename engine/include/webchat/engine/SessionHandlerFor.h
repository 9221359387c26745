//
// SessionHandlerFor.h
//
// A SessionHandler whose connections each carry a session of one type, the
// way a uWebSockets behaviour has its UserData: the handler makes every
// session (makeSession) and gets it back typed (sessionOf), with no cast in
// the plugin. sessionOf checks the type, so a connection that carries none
// or another type's session (adopted through Engine::adopt by other code) is
// refused with an exception instead of being misread.
//

#ifndef WEBCHAT_ENGINE_SESSIONHANDLERFOR_INCLUDED
#define WEBCHAT_ENGINE_SESSIONHANDLERFOR_INCLUDED

#include "webchat/engine/Connection.h"
#include "webchat/engine/SessionHandler.h"

#include "Poco/Exception.h"

#include <memory>
#include <type_traits>
#include <typeinfo>

namespace webchat::engine {

template <class SessionType>
class SessionHandlerFor: public SessionHandler
{
	// final: the exact type check in sessionOf is then the whole check.
	static_assert(std::is_base_of_v<Session, SessionType> && std::is_final_v<SessionType>,
		"SessionType is a final class derived from Session");

public:
	/// On the HTTP thread, as createSession: the new connection's session.
	/// Never null: a null fails the upgrade (logged, the socket dropped).
	virtual std::unique_ptr<SessionType> makeSession(const Poco::Net::HTTPServerRequest& request) = 0;

	std::unique_ptr<Session> createSession(const Poco::Net::HTTPServerRequest& request) final
	{
		auto session = makeSession(request);
		if (!session) throw Poco::IllegalStateException("no session for this connection");
		return session;
	}

protected:
	/// The session makeSession gave connection. Throws Poco::BadCastException
	/// for a connection without one (a programming error, like a failed
	/// dynamic_cast to a reference, at the cost of one type comparison).
	static SessionType& sessionOf(Connection& connection)
	{
		Session* session = connection.session();
		if (!session || typeid(*session) != typeid(SessionType))
			throw Poco::BadCastException("the connection from " + connection.peerAddress() + " has no session of this handler");
		return static_cast<SessionType&>(*session);
	}
};

} // namespace webchat::engine

#endif
