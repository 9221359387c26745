// libFuzzer target for the chat room's name rules (NameRules): the input is
// a room name or nick as a client sent it. Beyond the sanitizers:
//   - checkNick and checkRoom refuse with a sentence naming what is refused,
//     and agree with each other except on '/' and the length limit;
//   - a name that passes passes again in its display form (NFC), and has
//     at most the allowed number of characters in either form;
//   - a name that passes has a comparison key, the same as its display
//     form's, and so does any other valid UTF-8 (refused names included).
#include "NameRules.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

using webchat::chatroom::NameRules;

namespace {

void check(bool condition)
{
	if (!condition) std::abort();
}

bool startsWith(const std::string& text, std::string_view prefix)
{
	return text.compare(0, prefix.size(), prefix) == 0;
}

// What a refusal says after its subject ("a nick must not ..."): "" for none.
std::string withoutSubject(const std::string& problem, std::string_view subject)
{
	return problem.empty() ? problem : problem.substr(subject.size());
}

void checkPassingName(const std::string& name, std::size_t maxLength, std::string (*rule)(std::string_view))
{
	const std::string shown = NameRules::displayForm(name);
	check(rule(shown).empty());
	check(NameRules::length(name) <= maxLength);
	check(NameRules::length(shown) <= maxLength);
	check(NameRules::displayForm(shown) == shown);
	const std::string key = NameRules::comparisonKey(name);
	check(!key.empty());
	check(NameRules::comparisonKey(shown) == key);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string name(reinterpret_cast<const char*>(data), size);
	const std::string nickProblem = NameRules::checkNick(name);
	const std::string roomProblem = NameRules::checkRoom(name);
	check(nickProblem.empty() || startsWith(nickProblem, "a nick must "));
	check(roomProblem.empty() || startsWith(roomProblem, "a room name must "));

	const bool hasSlash = name.find('/') != std::string::npos;
	const bool validUtf8 = nickProblem != "a nick must be valid UTF-8";
	const bool shortEnough = validUtf8 && NameRules::length(name) <= NameRules::MaxNickLength && NameRules::length(NameRules::displayForm(name)) <= NameRules::MaxNickLength;
	if (!hasSlash && shortEnough)
	{
		// Below both limits and without '/', the two rules are one.
		check(withoutSubject(nickProblem, "a nick") == withoutSubject(roomProblem, "a room name"));
	}
	if (nickProblem.empty()) checkPassingName(name, NameRules::MaxNickLength, &NameRules::checkNick);
	if (roomProblem.empty()) checkPassingName(name, NameRules::MaxRoomLength, &NameRules::checkRoom);
	if (validUtf8) NameRules::comparisonKey(name);
	return 0;
}
