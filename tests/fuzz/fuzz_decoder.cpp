// libFuzzer target for MessageDecoder (and, through it, Utf8Validator and
// the frame builders).
//
// Input: byte 0 picks the role, the message limit and whether
// permessage-deflate is on (compressed frames: RSV1, inflated within the
// limit), byte 1 seeds the split points, the rest is the wire. Checked,
// beyond the sanitizers:
//   - what the handler sees obeys the protocol (sizes, UTF-8 checked against
//     a separate reference decoder, close codes, nothing after a close);
//   - the same events and error whether the wire comes in one piece, in
//     random pieces or one byte at a time;
//   - the decoded events, framed again by appendFrame/appendMaskedFrame
//     (fragmented at random; with deflate, some compressed by Deflater) and
//     decoded, come out unchanged.
#include "DeflateCodec.h"
#include "ReferenceUtf8.h"
#include "webchat/engine/MessageDecoder.h"
#include "webchat/engine/Protocol.h"
#include "webchat/engine/Utf8Validator.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

using namespace webchat::ws;
using Role = MessageDecoder::Role;

namespace {

void check(bool condition)
{
	if (!condition) std::abort();
}

using webchat::test::referenceUtf8;

struct Event
{
	char kind; // t(ext) b(inary) i (ping) o (pong) c(lose)
	std::uint16_t code;
	std::string payload;

	bool operator==(const Event& other) const
	{
		return kind == other.kind && code == other.code && payload == other.payload;
	}
};

class Recorder final: public MessageDecoder::Handler
{
public:
	explicit Recorder(std::size_t limit): _limit(limit) {}

	void onMessage(Opcode opcode, std::string_view payload) override
	{
		check(!_closed);
		check(opcode == Opcode::Text || opcode == Opcode::Binary);
		check(payload.size() <= _limit);
		if (opcode == Opcode::Text) check(referenceUtf8(payload));
		events.push_back({opcode == Opcode::Text ? 't' : 'b', 0, std::string(payload)});
	}

	void onPing(std::string_view payload) override
	{
		check(!_closed && payload.size() <= MaxControlPayload);
		events.push_back({'i', 0, std::string(payload)});
	}

	void onPong(std::string_view payload) override
	{
		check(!_closed && payload.size() <= MaxControlPayload);
		events.push_back({'o', 0, std::string(payload)});
	}

	void onClose(std::uint16_t code, std::string_view reason) override
	{
		check(!_closed);
		check(code == CloseCode::NoStatus ? reason.empty() : isValidCloseCode(code));
		check(reason.size() <= MaxControlPayload - 2 && referenceUtf8(reason));
		_closed = true;
		events.push_back({'c', code, std::string(reason)});
	}

	std::vector<Event> events;

private:
	std::size_t _limit;
	bool _closed = false;
};

struct Outcome
{
	std::vector<Event> events;
	std::uint16_t error = 0;

	bool operator==(const Outcome& other) const { return events == other.events && error == other.error; }
};

// A tiny deterministic generator for split points and fragment sizes.
struct Random
{
	std::uint32_t state;
	std::uint32_t next()
	{
		state = state * 1664525u + 1013904223u;
		return state >> 8;
	}
};

// Feeds wire in pieces ending at cuts (each in its own exact-size buffer, so
// ASan sees any read past it).
Outcome decode(Role role, std::size_t limit, MessageDecoder::Compression compression, const std::string& wire,
	const std::vector<std::size_t>& cuts)
{
	Recorder recorder(limit);
	MessageDecoder::Limits limits;
	limits.maxMessageBytes = limit;
	MessageDecoder decoder(role, limits, recorder, compression);
	Outcome outcome;
	std::size_t start = 0;
	auto feed = [&](std::size_t end) {
		const std::size_t size = end - start;
		std::unique_ptr<char[]> piece(new char[size ? size : 1]);
		if (size) std::memcpy(piece.get(), wire.data() + start, size);
		const auto error = decoder.feed(piece.get(), size);
		if (error)
		{
			check(error.closeCode == CloseCode::ProtocolError || error.closeCode == CloseCode::InvalidPayload ||
				error.closeCode == CloseCode::MessageTooBig);
			check(!error.reason.empty() && error.reason.size() <= MaxControlPayload - 2);
			check(decoder.failed());
			if (!outcome.error) outcome.error = error.closeCode;
			check(outcome.error == error.closeCode); // sticky
		}
		start = end;
	};
	for (std::size_t cut: cuts)
	{
		if (cut > start && cut < wire.size()) feed(cut);
		// Releasing idle memory between reads, as the loop's tick does,
		// changes nothing.
		if (cut % 3 == 0) decoder.releaseIdleMemory();
	}
	feed(wire.size());
	if (decoder.closed()) check(!recorder.events.empty() && recorder.events.back().kind == 'c');
	outcome.events = std::move(recorder.events);
	return outcome;
}

// The events as a peer in this role would send them, messages fragmented at
// random, with control frames sometimes between the fragments.
std::string reencode(Role role, MessageDecoder::Compression compression, const std::vector<Event>& events, Random& random)
{
	std::string wire;
	auto put = [&](Opcode opcode, std::string_view payload, bool fin, bool compressed = false) {
		if (role == Role::Server)
			appendMaskedFrame(wire, opcode, payload, random.next() * 2654435761u, fin, compressed);
		else
			appendFrame(wire, opcode, payload, fin, compressed);
	};
	Deflater deflater;
	for (const Event& e: events)
	{
		switch (e.kind)
		{
		case 'i': put(Opcode::Ping, e.payload, true); break;
		case 'o': put(Opcode::Pong, e.payload, true); break;
		case 'c': put(Opcode::Close, closePayload(e.code, e.payload), true); break;
		default:
		{
			const Opcode opcode = e.kind == 't' ? Opcode::Text : Opcode::Binary;
			// With deflate, half the messages go compressed (RSV1 on the first
			// frame, the compressed bytes fragmented like any payload), when
			// that makes them smaller, as the server does: the frame headers
			// must stay within the limit too.
			std::string payload = e.payload;
			bool compressed = false;
			if (compression == MessageDecoder::Compression::PerMessageDeflate && random.next() % 2 == 0)
			{
				const std::string_view deflated = deflater.compress(e.payload);
				compressed = deflated.size() < e.payload.size();
				if (compressed) payload = std::string(deflated);
			}
			if (random.next() % 2 == 0)
			{
				put(opcode, payload, true, compressed);
				break;
			}
			std::size_t at = 0;
			bool first = true;
			do
			{
				const std::size_t n = std::min<std::size_t>(payload.size() - at, random.next() % 300);
				const bool fin = at + n == payload.size() && random.next() % 4 != 0;
				put(first ? opcode : Opcode::Continuation, std::string_view(payload).substr(at, n), fin, first && compressed);
				if (random.next() % 8 == 0) put(Opcode::Pong, "interleaved", true);
				at += n;
				first = false;
				if (fin) break;
			} while (true);
			break;
		}
		}
	}
	return wire;
}

std::vector<std::size_t> randomCuts(std::size_t size, Random& random)
{
	std::vector<std::size_t> cuts;
	for (std::size_t at = 0; at < size;)
	{
		at += 1 + random.next() % (random.next() % 4 == 0 ? 512 : 16);
		cuts.push_back(at);
	}
	return cuts;
}

const std::size_t Limits[] = {0, 125, 1000, 70000};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
	if (size < 2) return 0;
	const Role role = data[0] & 1 ? Role::Client : Role::Server;
	const std::size_t limit = Limits[(data[0] >> 1) & 3];
	const auto compression = data[0] & 8 ? MessageDecoder::Compression::PerMessageDeflate : MessageDecoder::Compression::None;
	Random random{data[1] * 2654435761u + static_cast<std::uint32_t>(size)};
	const std::string wire(reinterpret_cast<const char*>(data) + 2, size - 2);

	// The validator against the reference on the raw bytes, for free.
	check(isValidUtf8(wire) == referenceUtf8(wire));

	const Outcome whole = decode(role, limit, compression, wire, {});
	check(decode(role, limit, compression, wire, randomCuts(wire.size(), random)) == whole);
	if (wire.size() <= 512)
	{
		std::vector<std::size_t> every;
		for (std::size_t i = 1; i < wire.size(); ++i) every.push_back(i);
		check(decode(role, limit, compression, wire, every) == whole);
	}

	// Round trip through the encoder. The decoded events are valid by now,
	// so framing them again must decode without error to the same events.
	const std::string again = reencode(role, compression, whole.events, random);
	const Outcome roundTrip = decode(role, limit, compression, again, randomCuts(again.size(), random));
	check(roundTrip.error == 0);
	check(roundTrip.events.size() >= whole.events.size());
	std::vector<Event> withoutInterleaved;
	for (const Event& e: roundTrip.events)
		if (!(e.kind == 'o' && e.payload == "interleaved")) withoutInterleaved.push_back(e);
	// A pong of the input that happens to read "interleaved" is dropped
	// from both sides alike.
	std::vector<Event> expected;
	for (const Event& e: whole.events)
		if (!(e.kind == 'o' && e.payload == "interleaved")) expected.push_back(e);
	check(withoutInterleaved == expected);
	return 0;
}
