// Negotiating permessage-deflate: the strict offer parser (RFC 6455 9.1
// syntax, RFC 7692 7 parameters) and the response that accepts an offer.
#include "webchat/engine/PerMessageDeflate.h"

#include <cppunit/extensions/HelperMacros.h>

using namespace webchat::ws;

namespace {

const std::string Accepted = "permessage-deflate; server_no_context_takeover; client_no_context_takeover";

} // namespace

class PerMessageDeflateTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(PerMessageDeflateTest);
	CPPUNIT_TEST(testBrowserOffers);
	CPPUNIT_TEST(testEveryParameter);
	CPPUNIT_TEST(testQuotedValuesAndWhiteSpace);
	CPPUNIT_TEST(testBadParametersDeclineTheirOfferOnly);
	CPPUNIT_TEST(testBadSyntaxDeclinesEverything);
	CPPUNIT_TEST(testOtherExtensionsAreSkipped);
	CPPUNIT_TEST(testAcceptance);
	CPPUNIT_TEST_SUITE_END();

public:
	void testBrowserOffers()
	{
		// Chromium and Firefox.
		auto offers = parseDeflateOffers("permessage-deflate; client_max_window_bits");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), offers.size());
		CPPUNIT_ASSERT_EQUAL(DeflateOffer::ClientWindowAnySize, offers[0].clientMaxWindowBits);
		CPPUNIT_ASSERT_EQUAL(0, offers[0].serverMaxWindowBits);
		CPPUNIT_ASSERT(!offers[0].serverNoContextTakeover);
		CPPUNIT_ASSERT(!offers[0].clientNoContextTakeover);
		// Safari.
		offers = parseDeflateOffers("permessage-deflate");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), offers.size());
		CPPUNIT_ASSERT_EQUAL(0, offers[0].clientMaxWindowBits);
	}

	void testEveryParameter()
	{
		const auto offers = parseDeflateOffers(
			"permessage-deflate; server_no_context_takeover; client_no_context_takeover; server_max_window_bits=10; client_max_window_bits=8");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), offers.size());
		CPPUNIT_ASSERT(offers[0].serverNoContextTakeover);
		CPPUNIT_ASSERT(offers[0].clientNoContextTakeover);
		CPPUNIT_ASSERT_EQUAL(10, offers[0].serverMaxWindowBits);
		CPPUNIT_ASSERT_EQUAL(8, offers[0].clientMaxWindowBits);
		for (int bits = 8; bits <= 15; ++bits)
		{
			const auto one = parseDeflateOffers("permessage-deflate; server_max_window_bits=" + std::to_string(bits));
			CPPUNIT_ASSERT_EQUAL(std::size_t(1), one.size());
			CPPUNIT_ASSERT_EQUAL(bits, one[0].serverMaxWindowBits);
		}
	}

	void testQuotedValuesAndWhiteSpace()
	{
		const auto offers = parseDeflateOffers("  permessage-deflate ;\tclient_max_window_bits = \"12\" , permessage-deflate;server_max_window_bits=\"15\"  ");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), offers.size());
		CPPUNIT_ASSERT_EQUAL(12, offers[0].clientMaxWindowBits);
		CPPUNIT_ASSERT_EQUAL(15, offers[1].serverMaxWindowBits);
		// Empty list elements are allowed.
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), parseDeflateOffers(", permessage-deflate ,").size());
		// Extension names are tokens, compared without regard to case.
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), parseDeflateOffers("PerMessage-Deflate").size());
	}

	void testBadParametersDeclineTheirOfferOnly()
	{
		const char* const bad[] = {
			"permessage-deflate; unknown_parameter",
			"permessage-deflate; server_no_context_takeover=1",
			"permessage-deflate; client_no_context_takeover=\"x\"",
			"permessage-deflate; server_no_context_takeover; server_no_context_takeover",
			"permessage-deflate; client_max_window_bits; client_max_window_bits=10",
			"permessage-deflate; server_max_window_bits",
			"permessage-deflate; server_max_window_bits=7",
			"permessage-deflate; server_max_window_bits=16",
			"permessage-deflate; server_max_window_bits=010",
			"permessage-deflate; client_max_window_bits=09",
			"permessage-deflate; client_max_window_bits=1x",
			"permessage-deflate; client_max_window_bits=\"\"",
			"permessage-deflate; client_max_window_bits=-9",
		};
		for (const char* offer : bad)
		{
			CPPUNIT_ASSERT_MESSAGE(offer, parseDeflateOffers(offer).empty());
			// The next offer still counts.
			const auto offers = parseDeflateOffers(std::string(offer) + ", permessage-deflate; client_no_context_takeover");
			CPPUNIT_ASSERT_EQUAL_MESSAGE(offer, std::size_t(1), offers.size());
			CPPUNIT_ASSERT_MESSAGE(offer, offers[0].clientNoContextTakeover);
			CPPUNIT_ASSERT_MESSAGE(offer, !acceptDeflate(offer));
		}
	}

	void testBadSyntaxDeclinesEverything()
	{
		const char* const bad[] = {
			"permessage-deflate; client_max_window_bits=\"10",      // unterminated quote
			"permessage-deflate; client_max_window_bits=\"1 0\"",   // quoted value not a token
			"permessage-deflate;",                                    // no parameter after ';'
			"permessage-deflate; =10",
			"permessage-deflate; client_max_window_bits=",
			"permessage-deflate x",                                   // junk after the name
			"permessage-deflate; server_no_context_takeover x, permessage-deflate",
			"; permessage-deflate",
			"permessage-deflate, \"quoted\"",
			"permessage-deflate\x01",
		};
		for (const char* header : bad)
		{
			CPPUNIT_ASSERT_MESSAGE(header, parseDeflateOffers(header).empty());
			CPPUNIT_ASSERT_MESSAGE(header, !acceptDeflate(header));
		}
	}

	void testOtherExtensionsAreSkipped()
	{
		// Parameters of another extension are that extension's business.
		const auto offers = parseDeflateOffers("x-webkit-deflate-frame; no_context_takeover; max_window_bits=99, permessage-deflate");
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), offers.size());
		CPPUNIT_ASSERT(parseDeflateOffers("x-webkit-deflate-frame").empty());
		CPPUNIT_ASSERT(parseDeflateOffers("").empty());
	}

	void testAcceptance()
	{
		CPPUNIT_ASSERT_EQUAL(Accepted, acceptDeflate("permessage-deflate; client_max_window_bits").value());
		CPPUNIT_ASSERT_EQUAL(Accepted, acceptDeflate("permessage-deflate; client_no_context_takeover; server_no_context_takeover").value());
		// The server's 32 KiB window: a smaller limit declines that offer, and
		// the next one is taken.
		CPPUNIT_ASSERT(!acceptDeflate("permessage-deflate; server_max_window_bits=10"));
		CPPUNIT_ASSERT_EQUAL(Accepted, acceptDeflate("permessage-deflate; server_max_window_bits=10, permessage-deflate").value());
		CPPUNIT_ASSERT_EQUAL(Accepted + "; server_max_window_bits=15", acceptDeflate("permessage-deflate; server_max_window_bits=15").value());
		CPPUNIT_ASSERT(!acceptDeflate("x-webkit-deflate-frame"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(PerMessageDeflateTest);
