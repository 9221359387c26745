//
// WebSocket.h
//
// The whole RFC 6455 protocol layer of the engine in one include.
//

#ifndef WEBCHAT_ENGINE_WEBSOCKET_INCLUDED
#define WEBCHAT_ENGINE_WEBSOCKET_INCLUDED

#include "webchat/engine/Handshake.h"
#include "webchat/engine/MessageDecoder.h"
#include "webchat/engine/Protocol.h"
#include "webchat/engine/Utf8Validator.h"

#endif // WEBCHAT_ENGINE_WEBSOCKET_INCLUDED
