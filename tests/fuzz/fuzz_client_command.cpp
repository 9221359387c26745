// libFuzzer target for the chat room's reading of a client's text frame
// (ClientCommand): the input is the frame. Beyond the sanitizers, the fast
// path for the plain message frame (MessageFrame) must give exactly the
// command the parser's path gives (ClientCommand::parseGeneral): the same
// kind, argument, problem and fields, for every input.
#include "ClientCommand.h"
#include "ClientCommandDifference.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using webchat::chatroom::ClientCommand;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string frame(reinterpret_cast<const char*>(data), size);
	const ClientCommand fast = ClientCommand::parse(frame);
	const ClientCommand general = ClientCommand::parseGeneral(frame);
	if (!webchat::tests::clientCommandDifference(fast, general).empty()) std::abort();
	return 0;
}
