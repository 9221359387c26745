//
// TestFrames.h
//
// WebSocket frames as they go over the wire in the engine's socket tests:
// masked, as a client sends them, and plain, as the server does.
//

#ifndef WEBCHAT_TEST_TESTFRAMES_INCLUDED
#define WEBCHAT_TEST_TESTFRAMES_INCLUDED

#include "webchat/engine/Protocol.h"

#include <string>
#include <string_view>

namespace webchat::test {

inline std::string masked(ws::Opcode opcode, std::string_view payload)
{
	std::string frame;
	ws::appendMaskedFrame(frame, opcode, payload, 0x01020304);
	return frame;
}

inline std::string plain(ws::Opcode opcode, std::string_view payload)
{
	std::string frame;
	ws::appendFrame(frame, opcode, payload);
	return frame;
}

} // namespace webchat::test

#endif
