// Frame building, masking, close codes and close payloads, checked byte for
// byte against RFC 6455 5.2-5.7.
#include "webchat/engine/Protocol.h"
#include "webchat/engine/Utf8Validator.h"

#include <cppunit/extensions/HelperMacros.h>

#include <string>

using namespace webchat::ws;

namespace {

std::string bytes(std::initializer_list<int> list)
{
	std::string out;
	for (int b: list) out += static_cast<char>(b);
	return out;
}

} // namespace

class ProtocolTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ProtocolTest);
	CPPUNIT_TEST(testRfcExamples);
	CPPUNIT_TEST(testLengthEncodings);
	CPPUNIT_TEST(testFrameHeaderSize);
	CPPUNIT_TEST(testAppendsToExistingOutput);
	CPPUNIT_TEST(testMaskedPayload);
	CPPUNIT_TEST(testApplyMaskPiecewise);
	CPPUNIT_TEST(testControlOpcodes);
	CPPUNIT_TEST(testValidCloseCodes);
	CPPUNIT_TEST(testClosePayload);
	CPPUNIT_TEST(testClosePayloadTruncation);
	CPPUNIT_TEST_SUITE_END();

public:
	void testRfcExamples()
	{
		// RFC 6455 5.7.
		std::string out;
		appendFrame(out, Opcode::Text, "Hello");
		CPPUNIT_ASSERT_EQUAL(bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), out);

		out.clear();
		appendMaskedFrame(out, Opcode::Text, "Hello", 0x37fa213d);
		CPPUNIT_ASSERT_EQUAL(bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}), out);

		out.clear();
		appendFrame(out, Opcode::Text, "Hel", false);
		appendFrame(out, Opcode::Continuation, "lo");
		CPPUNIT_ASSERT_EQUAL(bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}), out);

		out.clear();
		appendFrame(out, Opcode::Ping, "Hello");
		CPPUNIT_ASSERT_EQUAL(bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), out);

		out.clear();
		appendMaskedFrame(out, Opcode::Pong, "Hello", 0x37fa213d);
		CPPUNIT_ASSERT_EQUAL(bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}), out);

		out.clear();
		appendFrame(out, Opcode::Binary, std::string(256, 'x'));
		CPPUNIT_ASSERT_EQUAL(bytes({0x82, 0x7E, 0x01, 0x00}), out.substr(0, 4));
		CPPUNIT_ASSERT_EQUAL(std::size_t(4 + 256), out.size());

		out.clear();
		appendFrame(out, Opcode::Binary, std::string(65536, 'x'));
		CPPUNIT_ASSERT_EQUAL(bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0, 0}), out.substr(0, 10));
		CPPUNIT_ASSERT_EQUAL(std::size_t(10 + 65536), out.size());
	}

	void testLengthEncodings()
	{
		struct Case { std::size_t size; std::string header; };
		const Case cases[] = {
			{0, bytes({0x82, 0x00})},
			{1, bytes({0x82, 0x01})},
			{125, bytes({0x82, 0x7D})},
			{126, bytes({0x82, 0x7E, 0x00, 0x7E})},
			{127, bytes({0x82, 0x7E, 0x00, 0x7F})},
			{65535, bytes({0x82, 0x7E, 0xFF, 0xFF})},
			{65536, bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x00, 0x00})},
			{100000, bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 0x01, 0x86, 0xA0})},
		};
		for (const auto& c: cases)
		{
			const std::string payload(c.size, 'p');
			std::string out;
			appendFrame(out, Opcode::Binary, payload);
			CPPUNIT_ASSERT_EQUAL(c.header, out.substr(0, c.header.size()));
			CPPUNIT_ASSERT(out.compare(c.header.size(), std::string::npos, payload) == 0);

			out.clear();
			appendMaskedFrame(out, Opcode::Binary, payload, 0x01020304);
			std::string masked = c.header;
			masked[1] = static_cast<char>(masked[1] | 0x80);
			CPPUNIT_ASSERT_EQUAL(masked + bytes({1, 2, 3, 4}), out.substr(0, c.header.size() + 4));
			CPPUNIT_ASSERT_EQUAL(c.header.size() + 4 + c.size, out.size());
		}
	}

	void testFrameHeaderSize()
	{
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), frameHeaderSize(0, false));
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), frameHeaderSize(125, false));
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), frameHeaderSize(126, false));
		CPPUNIT_ASSERT_EQUAL(std::size_t(4), frameHeaderSize(65535, false));
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), frameHeaderSize(65536, false));
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), frameHeaderSize(0, true));
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), frameHeaderSize(125, true));
		CPPUNIT_ASSERT_EQUAL(std::size_t(8), frameHeaderSize(126, true));
		CPPUNIT_ASSERT_EQUAL(std::size_t(8), frameHeaderSize(65535, true));
		CPPUNIT_ASSERT_EQUAL(std::size_t(14), frameHeaderSize(65536, true));
		for (std::size_t size: {0, 125, 126, 65535, 65536})
		{
			std::string out;
			appendFrame(out, Opcode::Text, std::string(size, 'a'));
			CPPUNIT_ASSERT_EQUAL(frameHeaderSize(size, false) + size, out.size());
			out.clear();
			appendMaskedFrame(out, Opcode::Text, std::string(size, 'a'), 7);
			CPPUNIT_ASSERT_EQUAL(frameHeaderSize(size, true) + size, out.size());
		}
	}

	void testAppendsToExistingOutput()
	{
		std::string out = "prefix";
		appendFrame(out, Opcode::Text, "a");
		appendMaskedFrame(out, Opcode::Text, "b", 0);
		CPPUNIT_ASSERT_EQUAL(std::string("prefix") + bytes({0x81, 0x01, 'a', 0x81, 0x81, 0, 0, 0, 0, 'b'}), out);
	}

	void testMaskedPayload()
	{
		// Every payload byte i is XORed with key byte i % 4, most
		// significant key byte first; lengths cover the 16-byte steps and tails.
		for (std::size_t size = 0; size < 70; ++size)
		{
			std::string payload;
			for (std::size_t i = 0; i < size; ++i) payload += static_cast<char>(i * 7 + 3);
			std::string out;
			appendMaskedFrame(out, Opcode::Binary, payload, 0xA1B2C3D4);
			const unsigned char key[4] = {0xA1, 0xB2, 0xC3, 0xD4};
			const std::size_t header = frameHeaderSize(size, true);
			for (std::size_t i = 0; i < size; ++i)
				CPPUNIT_ASSERT_EQUAL(static_cast<unsigned char>(payload[i] ^ key[i % 4]),
					static_cast<unsigned char>(out[header + i]));
		}
	}

	void testApplyMaskPiecewise()
	{
		std::string data;
		for (int i = 0; i < 100; ++i) data += static_cast<char>(i);
		std::string whole = data;
		applyMask(whole.data(), whole.size(), 0xDEADBEEF);
		for (std::size_t cut = 0; cut <= data.size(); ++cut)
		{
			std::string pieces = data;
			applyMask(pieces.data(), cut, 0xDEADBEEF, 0);
			applyMask(pieces.data() + cut, pieces.size() - cut, 0xDEADBEEF, cut);
			CPPUNIT_ASSERT(pieces == whole);
			applyMask(pieces.data(), pieces.size(), 0xDEADBEEF);
			CPPUNIT_ASSERT(pieces == data);
		}
	}

	void testControlOpcodes()
	{
		CPPUNIT_ASSERT(isControl(Opcode::Close));
		CPPUNIT_ASSERT(isControl(Opcode::Ping));
		CPPUNIT_ASSERT(isControl(Opcode::Pong));
		CPPUNIT_ASSERT(!isControl(Opcode::Text));
		CPPUNIT_ASSERT(!isControl(Opcode::Binary));
		CPPUNIT_ASSERT(!isControl(Opcode::Continuation));
	}

	void testValidCloseCodes()
	{
		for (int code: {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999})
			CPPUNIT_ASSERT_MESSAGE(std::to_string(code), isValidCloseCode(static_cast<std::uint16_t>(code)));
		for (int code: {0, 1, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535})
			CPPUNIT_ASSERT_MESSAGE(std::to_string(code), !isValidCloseCode(static_cast<std::uint16_t>(code)));
	}

	void testClosePayload()
	{
		CPPUNIT_ASSERT_EQUAL(bytes({0x03, 0xE8}), closePayload(CloseCode::Normal));
		CPPUNIT_ASSERT_EQUAL(bytes({0x03, 0xE9}) + "bye", closePayload(CloseCode::GoingAway, "bye"));
		CPPUNIT_ASSERT_EQUAL(bytes({0x0F, 0xA0}), closePayload(4000));
		// Codes that must not be sent give a body-less close frame.
		CPPUNIT_ASSERT_EQUAL(std::string(), closePayload(CloseCode::NoStatus, "ignored"));
		CPPUNIT_ASSERT_EQUAL(std::string(), closePayload(CloseCode::Abnormal));
		CPPUNIT_ASSERT_EQUAL(std::string(), closePayload(1015));
	}

	void testClosePayloadTruncation()
	{
		// ASCII: cut at 123 bytes of reason.
		std::string p = closePayload(CloseCode::PolicyViolation, std::string(200, 'r'));
		CPPUNIT_ASSERT_EQUAL(std::size_t(125), p.size());
		CPPUNIT_ASSERT_EQUAL(std::string(123, 'r'), p.substr(2));
		// Exactly 123 fits.
		CPPUNIT_ASSERT_EQUAL(std::size_t(125), closePayload(1000, std::string(123, 'r')).size());
		// A 2-byte character that would straddle the limit is dropped whole.
		p = closePayload(1000, std::string(122, 'r') + "\xc3\xa9");
		CPPUNIT_ASSERT_EQUAL(std::string(122, 'r'), p.substr(2));
		p = closePayload(1000, std::string(121, 'r') + "\xc3\xa9" + "tail");
		CPPUNIT_ASSERT_EQUAL(std::string(121, 'r') + "\xc3\xa9", p.substr(2));
		// 4-byte characters at every alignment.
		std::string emoji;
		for (int i = 0; i < 40; ++i) emoji += "\xf0\x9f\x98\x80";
		for (std::size_t lead = 0; lead < 4; ++lead)
		{
			p = closePayload(1000, std::string(lead, 'x') + emoji);
			CPPUNIT_ASSERT(p.size() <= 125);
			CPPUNIT_ASSERT(p.size() >= 122);
			CPPUNIT_ASSERT(isValidUtf8(p.substr(2)));
		}
		// An invalid reason is cut before its first bad byte.
		CPPUNIT_ASSERT_EQUAL(std::string("ok"), closePayload(1000, "ok\xff" "rest").substr(2));
		CPPUNIT_ASSERT_EQUAL(std::string("ok"), closePayload(1000, "ok\xe2\x82").substr(2));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(ProtocolTest);
