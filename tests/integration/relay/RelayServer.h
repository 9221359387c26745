//
// RelayServer.h
//
// webchatd with one relay listener on a free loopback port, for the relay's
// integration tests; extraKeys go into the listener's section.
//

#ifndef WEBCHAT_RELAYSERVER_INCLUDED
#define WEBCHAT_RELAYSERVER_INCLUDED

#include "SingleListenerServer.h"

#include <string>

namespace webchat::test {

class RelayServer: public SingleListenerServer
{
public:
	explicit RelayServer(const std::string& extraKeys = ""):
		SingleListenerServer("relay", "RelayPlugin", extraKeys)
	{
	}
};

} // namespace webchat::test

#endif
