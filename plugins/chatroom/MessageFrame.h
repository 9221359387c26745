//
// MessageFrame.h
//
// The plain message frame, {"type":"message","text":"..."}, read without
// Poco::JSON (whose parse costs about 1 µs a message): the two fields in
// either order, JSON white space between any two tokens, the text's escapes
// decoded (\" \\ \/ \b \f \n \r \t and \uXXXX, surrogate pairs included),
// as a browser's JSON.stringify writes it.
//
// Anything else is not read here and goes to the parser: a third field, a
// field given twice, an escape in a key or in "message", another type, a
// lone surrogate, a raw control character, text that would not be UTF-8,
// anything after the closing brace. So both paths give the same command for
// every frame (ClientCommandTest and the fuzz_client_command target compare
// them).
//

#ifndef WEBCHAT_CHATROOM_MESSAGEFRAME_INCLUDED
#define WEBCHAT_CHATROOM_MESSAGEFRAME_INCLUDED

#include <string>
#include <string_view>

namespace webchat::chatroom {

class MessageFrame
{
public:
	enum class Read
	{
		NotPlain, // not the plain shape: the parser decides
		Slice,    // text is a slice of the frame (nothing escaped)
		Decoded   // text is in decoded (it had escapes)
	};

	/// Reads frame as a plain message frame. On Slice, text views frame; on
	/// Decoded, text views decoded (cleared and filled first).
	static Read read(std::string_view frame, std::string_view& text, std::string& decoded);
};

} // namespace webchat::chatroom

#endif
