//
// DecoderRecorder.h
//
// A MessageDecoder::Handler for tests: every event as a line of text
// ("text:<payload>", "binary:<payload>", "ping:<payload>",
// "pong:<payload>", "close:<code>:<reason>"), in order.
//

#ifndef WEBCHAT_TEST_DECODERRECORDER_INCLUDED
#define WEBCHAT_TEST_DECODERRECORDER_INCLUDED

#include "webchat/engine/MessageDecoder.h"

#include <cppunit/TestAssert.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace webchat::test {

class DecoderRecorder final: public ws::MessageDecoder::Handler
{
public:
	void onMessage(ws::Opcode opcode, std::string_view payload) override
	{
		CPPUNIT_ASSERT(opcode == ws::Opcode::Text || opcode == ws::Opcode::Binary);
		record((opcode == ws::Opcode::Text ? "text:" : "binary:") + std::string(payload), payload);
	}
	void onPing(std::string_view payload) override { record("ping:" + std::string(payload), payload); }
	void onPong(std::string_view payload) override { record("pong:" + std::string(payload), payload); }
	void onClose(std::uint16_t code, std::string_view reason) override
	{
		record("close:" + std::to_string(code) + ":" + std::string(reason), reason);
	}

	std::vector<std::string> events;
	std::string_view lastPayload;   // valid only during the event
	std::function<void()> afterEvent; // called after each event, inside the decoder's feed()

private:
	void record(std::string event, std::string_view payload)
	{
		events.push_back(std::move(event));
		lastPayload = payload;
		if (afterEvent) afterEvent();
	}
};

} // namespace webchat::test

#endif
