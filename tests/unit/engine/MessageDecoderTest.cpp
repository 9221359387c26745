// The incremental decoder: round trips through the frame builders in both
// roles, input cut at every byte and at random points, fragmentation with
// interleaved control frames, and every protocol error with its close code.
#include "DecoderRecorder.h"

#include "webchat/engine/MessageDecoder.h"
#include "webchat/engine/Protocol.h"

#include <cppunit/extensions/HelperMacros.h>

#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

using namespace webchat::ws;
using Role = MessageDecoder::Role;

namespace {

using Recorder = webchat::test::DecoderRecorder;

MessageDecoder::Limits limit(std::size_t bytes)
{
	MessageDecoder::Limits limits;
	limits.maxMessageBytes = bytes;
	return limits;
}

// A frame as the peer of a decoder in this role sends it: masked from a
// client, unmasked from a server. The key varies so masking offsets matter.
std::string frame(Role role, Opcode opcode, std::string_view payload, bool fin = true)
{
	static std::uint32_t key = 0x12345678;
	std::string out;
	if (role == Role::Server)
	{
		key = key * 1103515245u + 12345u;
		appendMaskedFrame(out, opcode, payload, key, fin);
	}
	else
		appendFrame(out, opcode, payload, fin);
	return out;
}

// A raw frame header with any bits, then the mask key if masked, then the
// (masked) payload.
std::string rawFrame(int b0, int b1, const std::string& extended, bool masked, std::string payload = {})
{
	std::string out;
	out += static_cast<char>(b0);
	out += static_cast<char>(b1 | (masked ? 0x80 : 0));
	out += extended;
	if (masked)
	{
		out += "\x11\x22\x33\x44";
		applyMask(payload.data(), payload.size(), 0x11223344);
	}
	return out + payload;
}

std::string be(std::uint64_t value, int bytes)
{
	std::string out;
	for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>(value >> (8 * i));
	return out;
}

struct Result
{
	std::vector<std::string> events;
	MessageDecoder::Error error;
	bool partialFrame = false;
	bool closed = false;
};

// Feeds wire to a fresh decoder in pieces ending at the given cut points,
// each piece in its own exact-size heap buffer (so the sanitizers see reads
// past it). Keeps the first error.
Result decode(Role role, const std::string& wire, const std::vector<std::size_t>& cuts,
	MessageDecoder::Limits limits = limit(1 << 20))
{
	Recorder recorder;
	MessageDecoder decoder(role, limits, recorder);
	Result result;
	std::size_t start = 0;
	auto feed = [&](std::size_t end) {
		std::unique_ptr<char[]> piece(new char[end - start + 1]);
		std::copy(wire.begin() + static_cast<std::ptrdiff_t>(start), wire.begin() + static_cast<std::ptrdiff_t>(end), piece.get());
		const auto error = decoder.feed(piece.get(), end - start);
		if (error && !result.error) result.error = error;
		start = end;
	};
	for (std::size_t cut: cuts)
		if (cut > start && cut <= wire.size()) feed(cut);
	feed(wire.size());
	result.events = recorder.events;
	result.partialFrame = decoder.hasPartialFrame();
	result.closed = decoder.closed();
	return result;
}

Result decodeWhole(Role role, const std::string& wire, MessageDecoder::Limits limits = limit(1 << 20))
{
	return decode(role, wire, {}, limits);
}

Result decodeBytewise(Role role, const std::string& wire, MessageDecoder::Limits limits = limit(1 << 20))
{
	std::vector<std::size_t> cuts;
	for (std::size_t i = 1; i < wire.size(); ++i) cuts.push_back(i);
	return decode(role, wire, cuts, limits);
}

Result decodeRandomly(Role role, const std::string& wire, std::mt19937& rng, MessageDecoder::Limits limits = limit(1 << 20))
{
	std::vector<std::size_t> cuts;
	std::size_t at = 0;
	while (at < wire.size())
	{
		// Mostly short pieces, sometimes long ones.
		at += rng() % 4 == 0 ? 1 + rng() % 4096 : 1 + rng() % 20;
		cuts.push_back(at);
	}
	return decode(role, wire, cuts, limits);
}

std::string shortened(const std::string& s)
{
	return s.size() <= 80 ? s : s.substr(0, 60) + "...(" + std::to_string(s.size()) + " bytes)";
}

void assertEvents(const std::vector<std::string>& expected, const Result& result, const std::string& what = "")
{
	CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": error " + result.error.reason, std::uint16_t(0), result.error.closeCode);
	CPPUNIT_ASSERT_EQUAL_MESSAGE(what + ": event count", expected.size(), result.events.size());
	for (std::size_t i = 0; i < expected.size(); ++i)
		CPPUNIT_ASSERT_MESSAGE(what + ": event " + std::to_string(i) + " is " + shortened(result.events[i]) +
			", expected " + shortened(expected[i]), expected[i] == result.events[i]);
}

// The error code, however the input is cut.
void assertError(std::uint16_t code, Role role, const std::string& wire, MessageDecoder::Limits limits = limit(1 << 20))
{
	const Result whole = decodeWhole(role, wire, limits);
	CPPUNIT_ASSERT_EQUAL_MESSAGE("whole: " + whole.error.reason, code, whole.error.closeCode);
	CPPUNIT_ASSERT(!whole.error.reason.empty());
	CPPUNIT_ASSERT(whole.error.reason.size() <= 123);
	const Result bytewise = decodeBytewise(role, wire, limits);
	CPPUNIT_ASSERT_EQUAL_MESSAGE("bytewise: " + bytewise.error.reason, code, bytewise.error.closeCode);
	CPPUNIT_ASSERT(whole.events == bytewise.events);
}

const Role Roles[] = {Role::Server, Role::Client};

std::string roleName(Role role)
{
	return role == Role::Server ? "server" : "client";
}

} // namespace

class MessageDecoderTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(MessageDecoderTest);
	CPPUNIT_TEST(testRoundTripLengths);
	CPPUNIT_TEST(testSeveralFramesInOneFeed);
	CPPUNIT_TEST(testOneByteAtATime);
	CPPUNIT_TEST(testRandomSplits);
	CPPUNIT_TEST(testFragmentationWithInterleavedControl);
	CPPUNIT_TEST(testEmptyFragments);
	CPPUNIT_TEST(testCodePointSplitAcrossFragments);
	CPPUNIT_TEST(testControlFrames);
	CPPUNIT_TEST(testWholeMessageIsNotCopied);
	CPPUNIT_TEST(testPartialFrameState);
	CPPUNIT_TEST(testMaskingRequiredByRole);
	CPPUNIT_TEST(testReservedBits);
	CPPUNIT_TEST(testUnknownOpcodes);
	CPPUNIT_TEST(testBadControlFrames);
	CPPUNIT_TEST(testBadFragmentSequences);
	CPPUNIT_TEST(testInvalidUtf8);
	CPPUNIT_TEST(testInvalidUtf8FailsBeforeMessageCompletes);
	CPPUNIT_TEST(testMessageTooBig);
	CPPUNIT_TEST(testTooBigNeedsOnlyTheHeader);
	CPPUNIT_TEST(testLengthEncodingErrors);
	CPPUNIT_TEST(testCloseFrames);
	CPPUNIT_TEST(testInvalidCloseFrames);
	CPPUNIT_TEST(testInputAfterCloseIgnored);
	CPPUNIT_TEST(testErrorIsSticky);
	CPPUNIT_TEST(testStopFromHandler);
	CPPUNIT_TEST(testBufferGrowsOnlyWithReceivedBytes);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRoundTripLengths()
	{
		for (Role role: Roles)
		{
			for (std::size_t size: {0, 1, 125, 126, 127, 65535, 65536, 100000})
			{
				std::string text;
				for (std::size_t i = 0; i < size; ++i) text += static_cast<char>('a' + i % 26);
				std::string binary;
				for (std::size_t i = 0; i < size; ++i) binary += static_cast<char>(i * 31 + (i >> 8));
				const std::string wire = frame(role, Opcode::Text, text) + frame(role, Opcode::Binary, binary);
				const std::vector<std::string> expected{"text:" + text, "binary:" + binary};
				const std::string what = roleName(role) + " " + std::to_string(size);
				assertEvents(expected, decodeWhole(role, wire), what + " whole");
				if (size <= 65536) assertEvents(expected, decodeBytewise(role, wire), what + " bytewise");
				// Cut inside the header and inside the payload.
				for (std::size_t cut: {1, 2, 3, 5, 9, 11})
					assertEvents(expected, decode(role, wire, {cut}), what + " cut " + std::to_string(cut));
			}
		}
	}

	void testSeveralFramesInOneFeed()
	{
		for (Role role: Roles)
		{
			std::string wire;
			std::vector<std::string> expected;
			for (int i = 0; i < 100; ++i)
			{
				const std::string text = "message " + std::to_string(i);
				wire += frame(role, i % 2 ? Opcode::Text : Opcode::Binary, text);
				expected.push_back((i % 2 ? "text:" : "binary:") + text);
			}
			wire += frame(role, Opcode::Ping, "p");
			wire += frame(role, Opcode::Close, closePayload(CloseCode::Normal, "done"));
			expected.push_back("ping:p");
			expected.push_back("close:1000:done");
			const Result result = decodeWhole(role, wire);
			assertEvents(expected, result, roleName(role));
			CPPUNIT_ASSERT(result.closed);
			CPPUNIT_ASSERT(!result.partialFrame);
		}
	}

	void testOneByteAtATime()
	{
		for (Role role: Roles)
		{
			const std::string wire = mixedStream(role);
			assertEvents(mixedEvents(), decodeBytewise(role, wire), roleName(role));
		}
	}

	void testRandomSplits()
	{
		std::mt19937 rng(6455);
		for (Role role: Roles)
		{
			const std::string wire = mixedStream(role);
			for (int round = 0; round < 300; ++round)
				assertEvents(mixedEvents(), decodeRandomly(role, wire, rng), roleName(role) + " round " + std::to_string(round));
		}
	}

	void testFragmentationWithInterleavedControl()
	{
		for (Role role: Roles)
		{
			const std::string wire =
				frame(role, Opcode::Text, "Hel", false) +
				frame(role, Opcode::Ping, "are you there") +
				frame(role, Opcode::Continuation, "lo, ", false) +
				frame(role, Opcode::Pong, "") +
				frame(role, Opcode::Continuation, "world") +
				frame(role, Opcode::Binary, std::string(300, 'b'), false) +
				frame(role, Opcode::Ping, std::string(125, 'p')) +
				frame(role, Opcode::Continuation, std::string(70000, 'c'), false) +
				frame(role, Opcode::Continuation, "!");
			const std::vector<std::string> expected{"ping:are you there", "pong:", "text:Hello, world",
				"ping:" + std::string(125, 'p'), "binary:" + std::string(300, 'b') + std::string(70000, 'c') + "!"};
			assertEvents(expected, decodeWhole(role, wire), roleName(role));
			assertEvents(expected, decodeBytewise(role, wire), roleName(role) + " bytewise");
			// A close between fragments ends it all; the message is dropped.
			const std::string closing = frame(role, Opcode::Text, "unfinished", false) +
				frame(role, Opcode::Close, closePayload(CloseCode::GoingAway));
			assertEvents({"close:1001:"}, decodeWhole(role, closing), roleName(role) + " close");
			// Cut across feeds, a control payload is collected after the
			// message's bytes and taken off again: neither is disturbed.
			const std::string closingWithReason = frame(role, Opcode::Text, "unfinished", false) +
				frame(role, Opcode::Close, closePayload(CloseCode::GoingAway, "bye"));
			assertEvents({"close:1001:bye"}, decodeBytewise(role, closingWithReason), roleName(role) + " close bytewise");
		}
	}

	void testEmptyFragments()
	{
		for (Role role: Roles)
		{
			const std::string wire =
				frame(role, Opcode::Text, "", false) + frame(role, Opcode::Continuation, "", false) +
				frame(role, Opcode::Continuation, "") +
				frame(role, Opcode::Binary, "", false) + frame(role, Opcode::Continuation, "x") +
				frame(role, Opcode::Text, "") + frame(role, Opcode::Binary, "");
			assertEvents({"text:", "binary:x", "text:", "binary:"}, decodeWhole(role, wire), roleName(role));
			assertEvents({"text:", "binary:x", "text:", "binary:"}, decodeBytewise(role, wire), roleName(role));
		}
	}

	void testCodePointSplitAcrossFragments()
	{
		// "€" (E2 82 AC) and an emoji cut across frames.
		for (Role role: Roles)
		{
			const std::string wire = frame(role, Opcode::Text, "a\xe2", false) +
				frame(role, Opcode::Continuation, "\x82", false) + frame(role, Opcode::Ping, "") +
				frame(role, Opcode::Continuation, "\xac\xf0\x9f", false) + frame(role, Opcode::Continuation, "\x98\x80");
			assertEvents({"ping:", "text:a\xe2\x82\xac\xf0\x9f\x98\x80"}, decodeWhole(role, wire), roleName(role));
		}
	}

	void testControlFrames()
	{
		for (Role role: Roles)
		{
			const std::string wire = frame(role, Opcode::Ping, "") + frame(role, Opcode::Pong, "pong") +
				frame(role, Opcode::Ping, std::string(125, '\xff')); // control payloads need not be UTF-8
			const std::vector<std::string> expected{"ping:", "pong:pong", "ping:" + std::string(125, '\xff')};
			assertEvents(expected, decodeWhole(role, wire), roleName(role));
			assertEvents(expected, decodeBytewise(role, wire), roleName(role));
		}
	}

	void testWholeMessageIsNotCopied()
	{
		// A message that arrives whole in one feed is delivered from the
		// caller's buffer, unmasked in place.
		Recorder recorder;
		MessageDecoder decoder(Role::Server, {}, recorder);
		std::string wire = frame(Role::Server, Opcode::Text, "zero copy") + frame(Role::Server, Opcode::Binary, std::string(1000, 'z'));
		CPPUNIT_ASSERT(!decoder.feed(wire.data(), wire.size()));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), recorder.events.size());
		CPPUNIT_ASSERT(recorder.lastPayload.data() >= wire.data() && recorder.lastPayload.data() + 1000 <= wire.data() + wire.size());
		CPPUNIT_ASSERT_EQUAL(std::string("text:zero copy"), recorder.events[0]);
		CPPUNIT_ASSERT(wire.find("zero copy") != std::string::npos);
	}

	void testPartialFrameState()
	{
		for (Role role: Roles)
		{
			Recorder recorder;
			MessageDecoder decoder(role, {}, recorder);
			std::string wire = frame(role, Opcode::Text, "abc", false) + frame(role, Opcode::Continuation, std::string(200, 'd'));
			const std::size_t first = frameHeaderSize(3, role == Role::Server) + 3;
			CPPUNIT_ASSERT(!decoder.hasPartialFrame());
			CPPUNIT_ASSERT(!decoder.hasPartialMessage());
			decoder.feed(wire.data(), 1); // half a header
			CPPUNIT_ASSERT(decoder.hasPartialFrame());
			decoder.feed(wire.data() + 1, first - 2); // header, part of the payload
			CPPUNIT_ASSERT(decoder.hasPartialFrame());
			decoder.feed(wire.data() + first - 1, 1); // first fragment complete
			CPPUNIT_ASSERT(!decoder.hasPartialFrame());
			CPPUNIT_ASSERT(decoder.hasPartialMessage());
			decoder.feed(wire.data() + first, 3); // part of the second header
			CPPUNIT_ASSERT(decoder.hasPartialFrame());
			decoder.feed(wire.data() + first + 3, wire.size() - first - 3);
			CPPUNIT_ASSERT(!decoder.hasPartialFrame());
			CPPUNIT_ASSERT(!decoder.hasPartialMessage());
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), recorder.events.size());
			CPPUNIT_ASSERT_EQUAL("text:abc" + std::string(200, 'd'), recorder.events[0]);
		}
	}

	void testMaskingRequiredByRole()
	{
		assertError(CloseCode::ProtocolError, Role::Server, frame(Role::Client, Opcode::Text, "unmasked"));
		assertError(CloseCode::ProtocolError, Role::Client, frame(Role::Server, Opcode::Text, "masked"));
		// Control frames too, and a later frame in a stream.
		assertError(CloseCode::ProtocolError, Role::Server, frame(Role::Client, Opcode::Ping, ""));
		const Result r = decodeWhole(Role::Server, frame(Role::Server, Opcode::Text, "ok") + frame(Role::Client, Opcode::Text, "bad"));
		CPPUNIT_ASSERT_EQUAL(CloseCode::ProtocolError, r.error.closeCode);
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), r.events.size());
	}

	void testReservedBits()
	{
		for (Role role: Roles)
			for (int rsv: {0x40, 0x20, 0x10, 0x70})
			{
				assertError(CloseCode::ProtocolError, role, rawFrame(0x81 | rsv, 2, "", role == Role::Server, "hi"));
				assertError(CloseCode::ProtocolError, role, rawFrame(0x89 | rsv, 0, "", role == Role::Server));
			}
	}

	void testUnknownOpcodes()
	{
		for (Role role: Roles)
			for (int opcode: {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
			{
				assertError(CloseCode::ProtocolError, role, rawFrame(0x80 | opcode, 0, "", role == Role::Server));
				assertError(CloseCode::ProtocolError, role, rawFrame(0x80 | opcode, 3, "", role == Role::Server, "abc"));
			}
	}

	void testBadControlFrames()
	{
		for (Role role: Roles)
		{
			const bool masked = role == Role::Server;
			// Over 125 bytes, however the length is encoded.
			assertError(CloseCode::ProtocolError, role, rawFrame(0x89, 126, be(126, 2), masked, std::string(126, 'p')));
			assertError(CloseCode::ProtocolError, role, rawFrame(0x8A, 127, be(65536, 8), masked));
			assertError(CloseCode::ProtocolError, role, rawFrame(0x88, 126, be(200, 2), masked, closePayload(1000) + std::string(198, 'r')));
			// Fragmented.
			for (int opcode: {0x8, 0x9, 0xA})
				assertError(CloseCode::ProtocolError, role, rawFrame(opcode, 0, "", masked));
			// Even inside a fragmented message.
			assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Text, "a", false) + rawFrame(0x09, 0, "", masked));
			// 125 is fine.
			assertEvents({"ping:" + std::string(125, 'p')}, decodeWhole(role, rawFrame(0x89, 125, "", masked, std::string(125, 'p'))));
		}
	}

	void testBadFragmentSequences()
	{
		for (Role role: Roles)
		{
			// Continuation without a message, also right after one ended.
			assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Continuation, "x"));
			assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Continuation, "x", false));
			assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Text, "a") + frame(role, Opcode::Continuation, "b"));
			assertError(CloseCode::ProtocolError, role,
				frame(role, Opcode::Text, "a", false) + frame(role, Opcode::Continuation, "b") + frame(role, Opcode::Continuation, "c"));
			// A new message while one is in progress.
			assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Text, "a", false) + frame(role, Opcode::Text, "b"));
			assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Binary, "a", false) + frame(role, Opcode::Text, "b"));
			assertError(CloseCode::ProtocolError, role,
				frame(role, Opcode::Text, "a", false) + frame(role, Opcode::Ping, "") + frame(role, Opcode::Binary, "b", false));
		}
	}

	void testInvalidUtf8()
	{
		for (Role role: Roles)
		{
			for (const char* bad: {"\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80", "abc\x80", "\xe2\x82"})
			{
				assertError(CloseCode::InvalidPayload, role, frame(role, Opcode::Text, bad));
				assertError(CloseCode::InvalidPayload, role,
					frame(role, Opcode::Text, "ok", false) + frame(role, Opcode::Continuation, bad));
			}
			// Ending a message inside a code point, even if it was valid so far.
			assertError(CloseCode::InvalidPayload, role,
				frame(role, Opcode::Text, "a\xf0\x9f", false) + frame(role, Opcode::Continuation, "\x98"));
			// Binary is not checked.
			assertEvents({"binary:\xff\xc0"}, decodeWhole(role, frame(role, Opcode::Binary, "\xff\xc0")));
		}
	}

	void testInvalidUtf8FailsBeforeMessageCompletes()
	{
		for (Role role: Roles)
		{
			// A first fragment with a bad byte fails before the rest arrives.
			const Result fragment = decodeWhole(role, frame(role, Opcode::Text, "good\xff", false));
			CPPUNIT_ASSERT_EQUAL(CloseCode::InvalidPayload, fragment.error.closeCode);
			// So does a single frame whose bad byte arrived but the rest did not.
			std::string wire = frame(role, Opcode::Text, "abc\xc0" + std::string(5000, 'x'));
			wire.resize(frameHeaderSize(5004, role == Role::Server) + 10);
			const Result partial = decodeWhole(role, wire);
			CPPUNIT_ASSERT_EQUAL(CloseCode::InvalidPayload, partial.error.closeCode);
		}
	}

	void testMessageTooBig()
	{
		for (Role role: Roles)
		{
			// Exactly the limit passes, one more fails.
			assertEvents({"binary:" + std::string(100, 'x')}, decodeWhole(role, frame(role, Opcode::Binary, std::string(100, 'x')), limit(100)));
			assertError(CloseCode::MessageTooBig, role, frame(role, Opcode::Binary, std::string(101, 'x')), limit(100));
			assertError(CloseCode::MessageTooBig, role, frame(role, Opcode::Text, std::string(101, 'x')), limit(100));
			// The running total of fragments counts.
			const std::string fragments = frame(role, Opcode::Text, std::string(60, 'a'), false) +
				frame(role, Opcode::Continuation, std::string(40, 'b'), false) + frame(role, Opcode::Continuation, "");
			assertEvents({"text:" + std::string(60, 'a') + std::string(40, 'b')}, decodeWhole(role, fragments, limit(100)));
			assertError(CloseCode::MessageTooBig, role,
				frame(role, Opcode::Text, std::string(60, 'a'), false) + frame(role, Opcode::Continuation, std::string(41, 'b')), limit(100));
			// Control frames do not count; each message starts from zero.
			assertEvents({"ping:" + std::string(125, 'p'), "text:" + std::string(100, 'a'), "text:" + std::string(100, 'c')},
				decodeWhole(role, frame(role, Opcode::Text, std::string(50, 'a'), false) + frame(role, Opcode::Ping, std::string(125, 'p')) +
					frame(role, Opcode::Continuation, std::string(50, 'a')) + frame(role, Opcode::Text, std::string(100, 'c')), limit(100)));
			// A zero limit still allows empty messages.
			assertEvents({"text:"}, decodeWhole(role, frame(role, Opcode::Text, ""), limit(0)));
			assertError(CloseCode::MessageTooBig, role, frame(role, Opcode::Text, "x"), limit(0));
			// The default limit is 64 KiB.
			assertEvents({"binary:" + std::string(65536, 'd')}, decodeWhole(role, frame(role, Opcode::Binary, std::string(65536, 'd')), {}));
			assertError(CloseCode::MessageTooBig, role, frame(role, Opcode::Binary, std::string(65537, 'd')), {});
		}
	}

	void testTooBigNeedsOnlyTheHeader()
	{
		for (Role role: Roles)
		{
			// The header alone announces 1 GiB: refused before any payload.
			const std::string header = rawFrame(0x82, 127, be(1ull << 30, 8), role == Role::Server);
			Recorder recorder;
			MessageDecoder decoder(role, {}, recorder);
			std::string copy = header;
			const auto error = decoder.feed(copy.data(), copy.size());
			CPPUNIT_ASSERT_EQUAL(CloseCode::MessageTooBig, error.closeCode);
			CPPUNIT_ASSERT(decoder.bufferCapacity() < 64);
			// The second fragment's header is enough too.
			std::string fragments = frame(role, Opcode::Text, std::string(1000, 'a'), false) +
				rawFrame(0x00, 126, be(65000, 2), role == Role::Server);
			Recorder recorder2;
			MessageDecoder decoder2(role, {}, recorder2);
			CPPUNIT_ASSERT_EQUAL(CloseCode::MessageTooBig, decoder2.feed(fragments.data(), fragments.size()).closeCode);
		}
	}

	void testLengthEncodingErrors()
	{
		for (Role role: Roles)
		{
			const bool masked = role == Role::Server;
			// Non-minimal: 16-bit for < 126, 64-bit for < 65536.
			for (std::uint64_t size: {0, 1, 125})
				assertError(CloseCode::ProtocolError, role, rawFrame(0x82, 126, be(size, 2), masked, std::string(size, 'x')));
			for (std::uint64_t size: {0, 125, 126, 65535})
				assertError(CloseCode::ProtocolError, role, rawFrame(0x82, 127, be(size, 8), masked, std::string(size, 'x')));
			// Minimal encodings at the edges pass.
			assertEvents({"binary:" + std::string(126, 'x')}, decodeWhole(role, rawFrame(0x82, 126, be(126, 2), masked, std::string(126, 'x'))));
			assertEvents({"binary:" + std::string(65536, 'x')}, decodeWhole(role, rawFrame(0x82, 127, be(65536, 8), masked, std::string(65536, 'x'))));
			// The top bit of a 64-bit length is a protocol error, not "too big",
			// whatever the limit.
			assertError(CloseCode::ProtocolError, role, rawFrame(0x82, 127, be(1ull << 63, 8), masked), limit(10));
			assertError(CloseCode::ProtocolError, role, rawFrame(0x82, 127, be(~0ull, 8), masked), limit(~std::size_t(0)));
			// Below the top bit, a huge length is just too big.
			assertError(CloseCode::MessageTooBig, role, rawFrame(0x82, 127, be((1ull << 63) - 1, 8), masked), limit(10));
		}
	}

	void testCloseFrames()
	{
		for (Role role: Roles)
		{
			const std::pair<std::string, std::string> cases[] = {
				{"", "close:1005:"},
				{closePayload(1000), "close:1000:"},
				{closePayload(1001, "going away"), "close:1001:going away"},
				{closePayload(1011, "\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"), "close:1011:\xce\xba\xe1\xbd\xb9\xcf\x83\xce\xbc\xce\xb5"},
				{closePayload(3000), "close:3000:"},
				{closePayload(4999, std::string(123, 'r')), "close:4999:" + std::string(123, 'r')},
			};
			for (const auto& c: cases)
			{
				const Result whole = decodeWhole(role, frame(role, Opcode::Close, c.first));
				assertEvents({c.second}, whole, roleName(role) + " " + c.second);
				CPPUNIT_ASSERT(whole.closed);
				assertEvents({c.second}, decodeBytewise(role, frame(role, Opcode::Close, c.first)));
			}
			for (int code: {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
				assertEvents({"close:" + std::to_string(code) + ":"},
					decodeWhole(role, frame(role, Opcode::Close, closePayload(static_cast<std::uint16_t>(code)))));
		}
	}

	void testInvalidCloseFrames()
	{
		for (Role role: Roles)
		{
			assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Close, "\x03"));
			for (int code: {0, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
				assertError(CloseCode::ProtocolError, role, frame(role, Opcode::Close, be(static_cast<std::uint64_t>(code), 2) + "reason"));
			assertError(CloseCode::InvalidPayload, role, frame(role, Opcode::Close, be(1000, 2) + "bad\xff"));
			assertError(CloseCode::InvalidPayload, role, frame(role, Opcode::Close, be(1000, 2) + "\xe2\x82"));
			assertError(CloseCode::InvalidPayload, role, frame(role, Opcode::Close, be(1000, 2) + "\xed\xa0\x80"));
		}
	}

	void testInputAfterCloseIgnored()
	{
		for (Role role: Roles)
		{
			const std::string wire = frame(role, Opcode::Close, closePayload(1000)) + frame(role, Opcode::Text, "late") +
				"\xff\xff garbage";
			const Result whole = decodeWhole(role, wire);
			assertEvents({"close:1000:"}, whole);
			assertEvents({"close:1000:"}, decodeBytewise(role, wire));
			CPPUNIT_ASSERT(whole.closed);
		}
	}

	void testErrorIsSticky()
	{
		Recorder recorder;
		MessageDecoder decoder(Role::Server, {}, recorder);
		std::string bad = frame(Role::Client, Opcode::Text, "unmasked") + frame(Role::Server, Opcode::Text, "after");
		const auto error = decoder.feed(bad.data(), bad.size());
		CPPUNIT_ASSERT_EQUAL(CloseCode::ProtocolError, error.closeCode);
		CPPUNIT_ASSERT(decoder.failed());
		std::string good = frame(Role::Server, Opcode::Text, "ignored");
		const auto again = decoder.feed(good.data(), good.size());
		CPPUNIT_ASSERT_EQUAL(CloseCode::ProtocolError, again.closeCode);
		CPPUNIT_ASSERT_EQUAL(error.reason, again.reason);
		CPPUNIT_ASSERT(recorder.events.empty());
		CPPUNIT_ASSERT(!decoder.closed());
	}

	void testStopFromHandler()
	{
		Recorder recorder;
		MessageDecoder decoder(Role::Client, {}, recorder);
		recorder.afterEvent = [&] {
			if (recorder.events.size() == 2) decoder.stop();
		};
		std::string wire;
		for (int i = 0; i < 5; ++i) wire += frame(Role::Client, Opcode::Text, std::to_string(i));
		CPPUNIT_ASSERT(!decoder.feed(wire.data(), wire.size()));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), recorder.events.size());
		CPPUNIT_ASSERT(!decoder.feed(wire.data(), wire.size()));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), recorder.events.size());
	}

	void testBufferGrowsOnlyWithReceivedBytes()
	{
		for (Role role: Roles)
		{
			// A 1 MiB frame announced, 100 bytes sent: only those are held.
			Recorder recorder;
			MessageDecoder decoder(role, limit(2 << 20), recorder);
			std::string wire = frame(role, Opcode::Binary, std::string(1 << 20, 'x'));
			const std::size_t header = frameHeaderSize(1 << 20, role == Role::Server);
			CPPUNIT_ASSERT(!decoder.feed(wire.data(), header + 100));
			CPPUNIT_ASSERT(decoder.bufferCapacity() < 1000);
			CPPUNIT_ASSERT(!decoder.feed(wire.data() + header + 100, wire.size() - header - 100));
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), recorder.events.size());
			// A large reassembly buffer is released once the message is out.
			CPPUNIT_ASSERT(decoder.bufferCapacity() <= 4096);
		}
	}

private:
	// Every kind of frame, every length class, fragments, controls, close.
	static std::string mixedStream(Role role)
	{
		return frame(role, Opcode::Text, "Hello") +
			frame(role, Opcode::Binary, "") +
			frame(role, Opcode::Text, std::string(125, 't')) +
			frame(role, Opcode::Binary, std::string(126, 'b')) +
			frame(role, Opcode::Text, "frag", false) +
			frame(role, Opcode::Ping, "ping") +
			frame(role, Opcode::Continuation, "men", false) +
			frame(role, Opcode::Pong, "") +
			frame(role, Opcode::Continuation, "ted \xe2\x82", false) +
			frame(role, Opcode::Continuation, "\xac") +
			frame(role, Opcode::Binary, std::string(65535, '\x80')) +
			frame(role, Opcode::Text, std::string(65536, 'L')) +
			frame(role, Opcode::Ping, std::string(125, '\0')) +
			frame(role, Opcode::Close, closePayload(CloseCode::GoingAway, "bye"));
	}

	static std::vector<std::string> mixedEvents()
	{
		return {"text:Hello", "binary:", "text:" + std::string(125, 't'), "binary:" + std::string(126, 'b'),
			"ping:ping", "pong:", "text:fragmented \xe2\x82\xac", "binary:" + std::string(65535, '\x80'),
			"text:" + std::string(65536, 'L'), "ping:" + std::string(125, '\0'), "close:1001:bye"};
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(MessageDecoderTest);
