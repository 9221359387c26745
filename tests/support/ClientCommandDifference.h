//
// ClientCommandDifference.h
//
// What differs between two chat-room client commands (ClientCommand): its
// kind, its argument, its problem, its moderation and history fields. The
// unit tests and the fuzz_client_command target use it to compare
// ClientCommand::parse (with MessageFrame's fast path) with
// ClientCommand::parseGeneral (Poco::JSON for every object).
//

#ifndef WEBCHAT_TESTS_CLIENTCOMMANDDIFFERENCE_INCLUDED
#define WEBCHAT_TESTS_CLIENTCOMMANDDIFFERENCE_INCLUDED

#include "ClientCommand.h"

#include <string>

namespace webchat::tests {

/// Empty when a and b are the same command; otherwise the first field that
/// differs.
inline std::string clientCommandDifference(const chatroom::ClientCommand& a, const chatroom::ClientCommand& b)
{
	if (a.kind() != b.kind()) return "kind " + std::to_string(static_cast<int>(a.kind())) + " against " + std::to_string(static_cast<int>(b.kind()));
	if (a.argument() != b.argument()) return "argument \"" + std::string(a.argument()) + "\" against \"" + std::string(b.argument()) + "\"";
	if (a.kind() == chatroom::ClientCommand::Kind::BadRequest && a.problem() != b.problem()) return "problem \"" + a.problem() + "\" against \"" + b.problem() + "\"";
	const auto& ma = a.moderation();
	const auto& mb = b.moderation();
	if (ma.id != mb.id || ma.nick != mb.nick || ma.address != mb.address || ma.reason != mb.reason || ma.text != mb.text || ma.seconds != mb.seconds)
		return "moderation fields";
	if (a.history().before != b.history().before || a.history().limit != b.history().limit) return "history fields";
	return {};
}

} // namespace webchat::tests

#endif
