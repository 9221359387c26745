// libFuzzer target for the host's request-head parser (RequestHead): the
// input is the bytes a client sent. Beyond the sanitizers:
//   - find() answers what a plain byte-by-byte reference answers, and the
//     same when the bytes arrive in pieces (each call resuming);
//   - parse() of the head find() delimits keeps every view inside it and
//     every rule it promises (tokens, trimmed values, one body length);
//   - parse() of the whole input succeeds only when find() says the whole
//     input is one head, and refuses with find()'s error when find() does;
//   - every refusal has a documented status and a reason.
#include "RequestHead.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

using webchat::HeadBoundary;
using webchat::HeadError;
using webchat::HeadLimits;
using webchat::HeadParse;
using webchat::RequestHead;

namespace {

void check(bool condition)
{
	if (!condition) std::abort();
}

// Small enough that the fuzzer reaches both limits.
HeadLimits limits()
{
	HeadLimits l;
	l.maxHeadBytes = 2048;
	l.maxFields = 32;
	return l;
}

// find() written the obvious way: the first LF decides, within the limit.
HeadBoundary referenceFind(const char* data, std::size_t size, const HeadLimits& l)
{
	HeadBoundary boundary;
	for (std::size_t i = 0; i < std::min(size, l.maxHeadBytes); ++i)
	{
		if (data[i] != '\n') continue;
		if (i == 0 || data[i - 1] != '\r')
		{
			boundary.status = HeadBoundary::Status::Refused;
			boundary.error = HeadError::BadLineEnding;
			return boundary;
		}
		if (i >= 3 && std::memcmp(data + i - 3, "\r\n\r\n", 4) == 0)
		{
			boundary.status = HeadBoundary::Status::Complete;
			boundary.length = i + 1;
			return boundary;
		}
	}
	if (size > l.maxHeadBytes)
	{
		boundary.status = HeadBoundary::Status::Refused;
		boundary.error = HeadError::HeadTooLarge;
	}
	return boundary;
}

bool same(const HeadBoundary& a, const HeadBoundary& b)
{
	if (a.status != b.status) return false;
	if (a.status == HeadBoundary::Status::Complete) return a.length == b.length;
	if (a.status == HeadBoundary::Status::Refused) return a.error == b.error;
	return true;
}

bool inside(std::string_view part, std::string_view whole)
{
	return part.data() >= whole.data() && part.data() + part.size() <= whole.data() + whole.size();
}

bool isWhitespace(char c)
{
	return c == ' ' || c == '\t';
}

void checkRefusal(HeadError error)
{
	const int status = webchat::httpStatus(error);
	check(status == 400 || status == 431 || status == 501 || status == 505);
	check(std::strlen(webchat::reasonOf(error)) > 0);
	check(std::error_code(error).message() == webchat::reasonOf(error));
}

void checkParsed(const RequestHead& head, std::string_view text, const HeadLimits& l)
{
	check(!head.method().empty() && inside(head.method(), text));
	check(!head.target().empty() && inside(head.target(), text));
	check(head.target().front() == '/' || (head.target() == "*" && head.method() == "OPTIONS"));
	check(head.minorVersion() == 0 || head.minorVersion() == 1);
	check(head.fields().size() <= l.maxFields);
	for (const auto& field : head.fields())
	{
		check(!field.name.empty() && inside(field.name, text));
		check(field.name.find_first_of(": \t\r\n") == std::string_view::npos);
		check(field.value.empty() || inside(field.value, text));
		check(field.value.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos);
		check(field.value.empty() || (!isWhitespace(field.value.front()) && !isWhitespace(field.value.back())));
	}
	check(head.minorVersion() == 0 || !head.host().empty());
	check(head.host().empty() || inside(head.host(), text));
	check(!(head.chunked() && head.contentLength()));
	check(!head.chunked() || head.minorVersion() == 1);
	check(!head.upgradeRequested() || !head.upgrade().empty());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* bytes, std::size_t size)
{
	const char* data = reinterpret_cast<const char*>(bytes);
	const HeadLimits l = limits();

	const HeadBoundary whole = RequestHead::find(data, size, l);
	check(same(whole, referenceFind(data, size, l)));
	if (whole.status == HeadBoundary::Status::Refused) checkRefusal(whole.error);

	// The same bytes arriving in pieces: the first answer that is not
	// Incomplete is the whole input's answer.
	const std::size_t step = size == 0 ? 1 : 1 + bytes[0] % 13;
	std::size_t scanned = 0;
	HeadBoundary piecewise;
	for (std::size_t received = std::min(step, size);; received = std::min(received + step, size))
	{
		piecewise = RequestHead::find(data, received, l, scanned);
		scanned = received;
		if (piecewise.status != HeadBoundary::Status::Incomplete || received == size) break;
	}
	check(same(piecewise, whole));

	if (whole.status == HeadBoundary::Status::Complete)
	{
		const std::string_view head(data, whole.length);
		const HeadParse parsed = RequestHead::parse(head, l);
		if (parsed.ok())
			checkParsed(parsed.head(), head, l);
		else
			checkRefusal(parsed.error());
	}

	// parse() on the whole input agrees with find().
	const HeadParse all = RequestHead::parse(std::string_view(data, size), l);
	if (all.ok()) check(whole.status == HeadBoundary::Status::Complete && whole.length == size);
	if (whole.status == HeadBoundary::Status::Refused) check(!all.ok() && all.error() == whole.error);
	if (!all.ok()) checkRefusal(all.error());
	return 0;
}
