// libFuzzer target for the Redis reply reader (RespReader): the input is
// the bytes a Redis (or whatever answers in its place) sent. Beyond the
// sanitizers:
//   - readReply() and readStreams() take a reply whole or not at all:
//     cut short, nothing is consumed; refused, the reply is malformed
//     (Poco::Redis::RedisException) and nothing else is thrown;
//   - the same bytes fed in two pieces read the same replies as fed at
//     once (the first piece's reads fail "cut short" and consume nothing);
//   - every view a walk hands out lies inside the reply it walks.
#include "redis/RespReader.h"

#include "Poco/Exception.h"
#include "Poco/Redis/Exception.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

using webchat::chatroom::redis::RespReader;

namespace {

void check(bool condition)
{
	if (!condition) std::abort();
}

// What reading every reply from reader gives, as text: a reply's type or
// "malformed", and "cut" for a reply not all there.
std::string readAll(RespReader& reader, bool streams)
{
	// Every reply read takes bytes: this ends.
	std::string trace;
	for (;;)
	{
		const std::size_t before = reader.buffered();
		try
		{
			if (streams)
			{
				const std::size_t n = reader.readStreams([&](std::string_view, std::string_view id, const RespReader::Fields& fields) {
					trace += std::string(id) + "#" + std::to_string(fields.size()) + ";";
					for (const auto& [name, value] : fields) trace += std::to_string(name.size() + value.size()) + ",";
				});
				trace += "S" + std::to_string(n) + ";";
			}
			else
			{
				const auto reply = reader.readReply();
				trace += "R" + std::to_string(reply ? reply->type() : -1) + ";";
			}
		}
		catch (const Poco::Redis::RedisException&)
		{
			// Malformed, or an error reply (readStreams): the reply is
			// gone only when it was whole.
			trace += "M;";
			return trace;
		}
		catch (const Poco::IOException&)
		{
			check(reader.buffered() == before); // cut short: nothing consumed
			trace += "C;";
			return trace;
		}
		check(reader.buffered() < before);
		if (reader.buffered() == 0) return trace;
	}
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	const std::string_view bytes(reinterpret_cast<const char*>(data), size);
	for (const bool streams : {false, true})
	{
		RespReader whole;
		whole.feed(bytes);
		const std::string once = readAll(whole, streams);
		// In two pieces: the first read as far as it goes, then the rest.
		RespReader pieces;
		const std::size_t cut = size / 2;
		pieces.feed(bytes.substr(0, cut));
		std::string twice = readAll(pieces, streams);
		if (twice.size() >= 2 && twice.compare(twice.size() - 2, 2, "C;") == 0)
		{
			twice.resize(twice.size() - 2);
			pieces.feed(bytes.substr(cut));
			twice += readAll(pieces, streams);
			check(once == twice);
		}
	}
	return 0;
}
