//
// Speaker.h
//
// Who a chat connection speaks as, beside its nick: the public id others
// see it by, whether a signed identity vouches for it, and the roles that
// identity grants. Set when the connection joins (from its nick token or
// its signed identity) and kept when it renames itself, so "is this the
// same speaker" never depends on a nick.
//

#ifndef WEBCHAT_CHATROOM_SPEAKER_INCLUDED
#define WEBCHAT_CHATROOM_SPEAKER_INCLUDED

#include "auth/TokenVerifier.h"

#include <cstdint>
#include <string>

namespace webchat::chatroom {

struct Speaker
{
	/// The speaker's stable public id, sent as `from` with what it says:
	/// derived from its nick token or its signed identity, never either
	/// of them itself. Empty until the connection joined.
	std::string from;
	/// A signed identity (auth = jwt) vouches for it.
	bool verified = false;
	/// auth::Role flags the identity grants.
	std::uint8_t roles = 0;
	/// The signed identity's subject ("sub"); empty for a nick token.
	std::string subject;

	bool has(auth::Role role) const { return (roles & static_cast<std::uint8_t>(role)) != 0; }
};

} // namespace webchat::chatroom

#endif
