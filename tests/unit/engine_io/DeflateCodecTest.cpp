// permessage-deflate on the wire: zlib through Deflater and Inflater, the
// decoder inflating compressed messages (whole, fragmented, cut at every
// byte) within max_message_bytes, its close codes, its idle memory, and a
// topic batch's compressed framing.
#include "DecoderRecorder.h"
#include "DeflateCodec.h"

#include "webchat/engine/MessageDecoder.h"
#include "webchat/engine/OutboundQueue.h"
#include "webchat/engine/Protocol.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>
#include <vector>

using namespace webchat;
using namespace webchat::ws;
using Role = MessageDecoder::Role;

namespace {

using Recorder = test::DecoderRecorder;

MessageDecoder::Limits limit(std::size_t bytes)
{
	MessageDecoder::Limits limits;
	limits.maxMessageBytes = bytes;
	return limits;
}

// A client's compressed message in one frame.
std::string compressedFrame(Deflater& deflater, Opcode opcode, std::string_view payload)
{
	std::string out;
	appendMaskedFrame(out, opcode, deflater.compress(payload), 0x0badf00d, true, true);
	return out;
}

std::string chatText(std::size_t size)
{
	std::string text;
	while (text.size() < size) text += "{\"type\":\"message\",\"room\":\"lobby\",\"text\":\"hello " + std::to_string(text.size()) + "\"}";
	text.resize(size);
	return text;
}

struct Decoded
{
	std::vector<std::string> messages;
	std::uint16_t error = 0;
};

Decoded decode(const std::string& wire, std::size_t maxMessage = 1 << 20, std::size_t pieceSize = 0,
	Role role = MessageDecoder::Role::Server)
{
	Recorder recorder;
	MessageDecoder decoder(role, limit(maxMessage), recorder, MessageDecoder::Compression::PerMessageDeflate);
	std::string copy = wire;
	const std::size_t step = pieceSize == 0 ? copy.size() : pieceSize;
	Decoded result;
	for (std::size_t at = 0; at < copy.size() && result.error == 0; at += step)
		result.error = decoder.feed(copy.data() + at, std::min(step, copy.size() - at)).closeCode;
	result.messages = recorder.events;
	return result;
}

} // namespace

class DeflateCodecTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(DeflateCodecTest);
	CPPUNIT_TEST(testCompressesAndRoundTrips);
	CPPUNIT_TEST(testDecoderInflatesWholeAndCutAtEveryByte);
	CPPUNIT_TEST(testFragmentedCompressedMessage);
	CPPUNIT_TEST(testBombIsRefusedAtTheLimit);
	CPPUNIT_TEST(testReservedBitRules);
	CPPUNIT_TEST(testCorruptStreamAndInvalidText);
	CPPUNIT_TEST(testInvalidTextBeforeTheLimitIsInvalidHoweverCut);
	CPPUNIT_TEST(testInflateStateIsReleasedWhenIdle);
	CPPUNIT_TEST(testBatchFramingCompressesOnlyWhatPays);
	CPPUNIT_TEST(testSealedBatchCompressesOnce);
	CPPUNIT_TEST_SUITE_END();

public:
	void testCompressesAndRoundTrips()
	{
		Deflater deflater;
		const std::string text = chatText(5000);
		const std::string compressed(deflater.compress(text));
		CPPUNIT_ASSERT(compressed.size() < text.size() / 4);
		Inflater inflater;
		std::string out;
		CPPUNIT_ASSERT(Inflater::Result::Ok == inflater.inflate(compressed.data(), compressed.size(), out, text.size()));
		CPPUNIT_ASSERT(Inflater::Result::Ok == inflater.finish(out, text.size()));
		CPPUNIT_ASSERT(out == text);
		// No context carried over: the same message compresses to the same bytes.
		CPPUNIT_ASSERT(compressed == std::string(deflater.compress(text)));
		// An empty message is one empty block.
		CPPUNIT_ASSERT(!deflater.compress("").empty());
	}

	void testDecoderInflatesWholeAndCutAtEveryByte()
	{
		Deflater deflater;
		const std::string big = chatText(3000);
		const std::string wire = compressedFrame(deflater, Opcode::Text, "héllo wörld, héllo wörld") +
			compressedFrame(deflater, Opcode::Binary, std::string(200, '\0')) + compressedFrame(deflater, Opcode::Text, big) +
			compressedFrame(deflater, Opcode::Text, "");
		// An uncompressed message between compressed ones.
		std::string plain;
		appendMaskedFrame(plain, Opcode::Text, "plain", 0x01020304);
		const std::vector<std::string> expected = {"text:héllo wörld, héllo wörld", "binary:" + std::string(200, '\0'), "text:" + big, "text:",
			"text:plain"};
		for (std::size_t piece : {std::size_t(0), std::size_t(1), std::size_t(7), std::size_t(1000)})
		{
			const Decoded decoded = decode(wire + plain, 1 << 20, piece);
			CPPUNIT_ASSERT_EQUAL_MESSAGE("piece " + std::to_string(piece), 0, int(decoded.error));
			CPPUNIT_ASSERT_MESSAGE("piece " + std::to_string(piece), expected == decoded.messages);
		}
	}

	void testFragmentedCompressedMessage()
	{
		Deflater deflater;
		const std::string text = chatText(2000);
		const std::string compressed(deflater.compress(text));
		const std::size_t third = compressed.size() / 3;
		std::string wire;
		appendMaskedFrame(wire, Opcode::Text, compressed.substr(0, third), 1, false, true);
		appendMaskedFrame(wire, Opcode::Ping, "", 2);
		appendMaskedFrame(wire, Opcode::Continuation, compressed.substr(third, third), 3, false);
		appendMaskedFrame(wire, Opcode::Continuation, compressed.substr(2 * third), 4, true);
		const Decoded decoded = decode(wire);
		CPPUNIT_ASSERT_EQUAL(0, int(decoded.error));
		CPPUNIT_ASSERT(std::vector<std::string>({"ping:", "text:" + text}) == decoded.messages);
	}

	// 10 MiB of zeros deflate to about 10 KiB; with a 64 KiB limit the
	// decoder fails 1009 and never holds more than the limit and a step.
	void testBombIsRefusedAtTheLimit()
	{
		Deflater deflater;
		const std::string zeros(10 * 1024 * 1024, '\0');
		const std::string bomb(deflater.compress(zeros));
		CPPUNIT_ASSERT(bomb.size() < 11 * 1024);
		std::string wire;
		appendMaskedFrame(wire, Opcode::Binary, bomb, 5, true, true);
		const Decoded decoded = decode(wire, 64 * 1024);
		CPPUNIT_ASSERT_EQUAL(int(CloseCode::MessageTooBig), int(decoded.error));
		CPPUNIT_ASSERT(decoded.messages.empty());

		Inflater inflater;
		std::string out;
		CPPUNIT_ASSERT(Inflater::Result::TooBig == inflater.inflate(bomb.data(), bomb.size(), out, 64 * 1024));
		CPPUNIT_ASSERT_EQUAL(std::size_t(64 * 1024 + 1), out.size());
		// Exactly at the limit is fine.
		const std::string exact(deflater.compress(std::string(64 * 1024, 'z')));
		Inflater fresh;
		out.clear();
		CPPUNIT_ASSERT(Inflater::Result::Ok == fresh.inflate(exact.data(), exact.size(), out, 64 * 1024));
		CPPUNIT_ASSERT(Inflater::Result::Ok == fresh.finish(out, 64 * 1024));
		CPPUNIT_ASSERT_EQUAL(std::size_t(64 * 1024), out.size());
	}

	void testReservedBitRules()
	{
		Deflater deflater;
		const std::string compressed = compressedFrame(deflater, Opcode::Text, "hello hello hello");
		// Without the extension RSV1 is a protocol error.
		{
			Recorder recorder;
			MessageDecoder plain(MessageDecoder::Role::Server, limit(1024), recorder);
			std::string copy = compressed;
			CPPUNIT_ASSERT_EQUAL(int(CloseCode::ProtocolError), int(plain.feed(copy.data(), copy.size()).closeCode));
		}
		std::string ping;
		appendMaskedFrame(ping, Opcode::Ping, "", 1, true, true);
		CPPUNIT_ASSERT_EQUAL(int(CloseCode::ProtocolError), int(decode(ping).error));
		std::string continuation;
		appendMaskedFrame(continuation, Opcode::Text, "a", 1, false);
		appendMaskedFrame(continuation, Opcode::Continuation, "b", 1, true, true);
		CPPUNIT_ASSERT_EQUAL(int(CloseCode::ProtocolError), int(decode(continuation).error));
		std::string rsv2 = compressed;
		rsv2[0] = static_cast<char>(rsv2[0] | 0x20);
		CPPUNIT_ASSERT_EQUAL(int(CloseCode::ProtocolError), int(decode(rsv2).error));
	}

	void testCorruptStreamAndInvalidText()
	{
		std::string corrupt;
		appendMaskedFrame(corrupt, Opcode::Binary, "\xff\xff\xff\xff garbage", 1, true, true);
		CPPUNIT_ASSERT_EQUAL(int(CloseCode::InvalidPayload), int(decode(corrupt).error));
		Deflater deflater;
		CPPUNIT_ASSERT_EQUAL(int(CloseCode::InvalidPayload), int(decode(compressedFrame(deflater, Opcode::Text, "bad \xc3\x28 text")).error));
		CPPUNIT_ASSERT_EQUAL(int(CloseCode::InvalidPayload), int(decode(compressedFrame(deflater, Opcode::Text, "cut \xe1\xba")).error));
	}

	void testInvalidTextBeforeTheLimitIsInvalidHoweverCut()
	{
		// Inflated, the text is invalid at its first byte and longer than
		// the limit: invalid (1007), whether its frame comes whole (one
		// inflate overshoots the limit) or a byte at a time (the invalid
		// byte is seen first).
		Deflater deflater;
		const std::string wire = compressedFrame(deflater, Opcode::Text, "\xff" + std::string(300, 'x'));
		for (const std::size_t piece : {std::size_t(0), std::size_t(1), std::size_t(3)})
			CPPUNIT_ASSERT_EQUAL_MESSAGE("piece " + std::to_string(piece), CloseCode::InvalidPayload, decode(wire, 125, piece).error);
		// Valid up to the limit: too big, however cut.
		const std::string valid = compressedFrame(deflater, Opcode::Text, std::string(300, 'x') + "\xff");
		for (const std::size_t piece : {std::size_t(0), std::size_t(1), std::size_t(3)})
			CPPUNIT_ASSERT_EQUAL_MESSAGE("piece " + std::to_string(piece), CloseCode::MessageTooBig, decode(valid, 125, piece).error);
	}

	void testInflateStateIsReleasedWhenIdle()
	{
		Deflater deflater;
		Recorder recorder;
		MessageDecoder decoder(MessageDecoder::Role::Server, limit(1 << 20), recorder, MessageDecoder::Compression::PerMessageDeflate);
		CPPUNIT_ASSERT(!decoder.holdsInflateState());
		std::string wire = compressedFrame(deflater, Opcode::Text, chatText(500));
		decoder.feed(wire.data(), wire.size());
		CPPUNIT_ASSERT(decoder.holdsInflateState());
		decoder.releaseIdleMemory();
		CPPUNIT_ASSERT(!decoder.holdsInflateState());
		// Mid-message the state is kept.
		wire = compressedFrame(deflater, Opcode::Text, chatText(500));
		decoder.feed(wire.data(), wire.size() - 10);
		decoder.releaseIdleMemory();
		CPPUNIT_ASSERT(decoder.holdsInflateState());
		decoder.feed(wire.data() + wire.size() - 10, 10);
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), recorder.events.size());
		CPPUNIT_ASSERT(recorder.events[1] == "text:" + chatText(500));
	}

	void testBatchFramingCompressesOnlyWhatPays()
	{
		std::string batch;
		appendFrame(batch, Opcode::Text, "short");
		appendFrame(batch, Opcode::Text, chatText(1000));
		appendFrame(batch, Opcode::Ping, "p");
		std::string random;
		for (int i = 0; i < 400; ++i) random.push_back(static_cast<char>((i * 7919) ^ (i >> 3) * 131));
		appendFrame(batch, Opcode::Binary, random);
		appendFrame(batch, Opcode::Text, "frag", false);
		appendFrame(batch, Opcode::Continuation, chatText(300), true);

		Deflater deflater;
		std::string deflated;
		appendDeflatedFrames(deflated, batch, deflater, 64);
		CPPUNIT_ASSERT(deflated.size() < batch.size() - 500);
		// Short: as it was, no RSV1. The long text: RSV1.
		CPPUNIT_ASSERT_EQUAL(batch.substr(0, 7), deflated.substr(0, 7));
		CPPUNIT_ASSERT_EQUAL(0xC1, int(static_cast<unsigned char>(deflated[7])));
		// Decoded as a client does, both framings give the same messages.
		const Decoded plain = decode(batch, 1 << 20, 0, MessageDecoder::Role::Client);
		const Decoded compressed = decode(deflated, 1 << 20, 0, MessageDecoder::Role::Client);
		CPPUNIT_ASSERT_EQUAL(0, int(plain.error));
		CPPUNIT_ASSERT_EQUAL(0, int(compressed.error));
		CPPUNIT_ASSERT_EQUAL(std::size_t(5), compressed.messages.size());
		CPPUNIT_ASSERT(plain.messages == compressed.messages);
		// A minimum above every message leaves the batch as it was.
		std::string unchanged;
		appendDeflatedFrames(unchanged, batch, deflater, 1 << 20);
		CPPUNIT_ASSERT(unchanged == batch);
	}

	void testSealedBatchCompressesOnce()
	{
		std::string frames;
		appendFrame(frames, Opcode::Text, chatText(500));
		const engine::SealedBatch batch(frames);
		Deflater deflater;
		const std::string& first = batch.deflatedFrames(deflater, 64);
		const std::string& second = batch.deflatedFrames(deflater, 64);
		CPPUNIT_ASSERT(&first == &second);
		CPPUNIT_ASSERT(first.size() < frames.size());
		CPPUNIT_ASSERT(batch.frames() == frames);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(DeflateCodecTest);
