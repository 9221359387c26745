//
// Utf8Validator.h
//
// Incremental UTF-8 validation (RFC 3629) for text messages that arrive in
// pieces: a code point may be split across fragments or reads.
//

#ifndef WEBCHAT_ENGINE_UTF8VALIDATOR_INCLUDED
#define WEBCHAT_ENGINE_UTF8VALIDATOR_INCLUDED

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace webchat::ws {

class Utf8Validator
{
public:
	/// Validates the next piece. Returns false as soon as the input seen so
	/// far cannot be the start of valid UTF-8: overlong forms, surrogates
	/// (U+D800-U+DFFF), code points above U+10FFFF, stray continuation bytes
	/// and bytes C0, C1, F5-FF are refused at the first byte that proves them
	/// invalid. Once false, it stays false until reset().
	bool feed(const char* data, std::size_t size);

	/// True when everything fed so far is valid and no code point is cut off
	/// at the end.
	bool complete() const { return _state == 0; }

	/// False once feed() has refused the input.
	bool valid() const { return _state != Reject; }

	void reset() { _state = 0; }

private:
	// The DFA's states are bit offsets into its transition rows (see
	// Utf8Validator.cpp): 0 accepts, Reject is the sink.
	static constexpr std::uint8_t Reject = 6;

	std::uint8_t _state = 0;
};

/// True when the whole of text is valid UTF-8.
bool isValidUtf8(std::string_view text);

} // namespace webchat::ws

#endif // WEBCHAT_ENGINE_UTF8VALIDATOR_INCLUDED
