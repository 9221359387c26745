//
// Signed identities (auth = jwt) on the real webchatd, with keys made at
// test time and tokens signed by OpenSSL (TestTokens.h), independently of
// the server's verifier: HS256 and RS256 tokens that join verified, with
// their name and roles; tokens refused with 4401 (expired, wrong
// signature, wrong audience, alg none, an HMAC forged with the RSA public
// key); allow_guests = false (no token, a nick token, a late or missing
// auth frame); the auth frame (first frame, a guest becoming verified, a
// refresh, a refresh for another subject); expiry mid-connection, then a
// refresh or the close after auth_grace_ms.
//

#include "ChatTestSupport.h"

#include "../../unit/chatroom/TestTokens.h"

#include "Poco/Path.h"

#include <thread>

using namespace webchat::test;
using namespace webchat::test::chatroom;

namespace {

const std::string Secret = "an-integration-test-secret-of-40-bytes!!";
const std::string Issuer = "https://id.example";
const std::string Audience = "webchat";
const std::string Hs256Header = R"({"alg":"HS256","typ":"JWT"})";
const std::string Rs256Header = R"({"alg":"RS256","typ":"JWT"})";
constexpr std::uint16_t Unauthorized = 4401;

std::int64_t nowSeconds()
{
	return wallClockMs() / 1000;
}

// The claims of a token for subject, valid for lifetimeSeconds from now;
// extra is more JSON members (",\"name\":\"An\"").
std::string claims(const std::string& subject, std::int64_t lifetimeSeconds, const std::string& extra = "", const std::string& audience = Audience)
{
	return "{\"sub\":" + jsonString(subject) + ",\"iss\":" + jsonString(Issuer) + ",\"aud\":" + jsonString(audience) +
		",\"exp\":" + std::to_string(nowSeconds() + lifetimeSeconds) + extra + "}";
}

std::string hs256(const std::string& payload, const std::string& secret = Secret)
{
	return signHs256(Hs256Header, payload, secret);
}

std::string authFrame(const std::string& token)
{
	return "{\"type\":\"auth\",\"token\":" + jsonString(token) + "}";
}

std::string keyFile(const std::string& content)
{
	return writeTempFile(content, ".key");
}

const KeyPair& rsaKey()
{
	static const KeyPair key = newRsaKey();
	return key;
}

// webchatd with auth = jwt, issuer and audience, and keys on top.
std::string jwtKeys(const std::string& keyPath, const std::string& more = "")
{
	return "auth = jwt\njwt_key_file = " + keyPath + "\njwt_issuer = " + Issuer + "\njwt_audience = " + Audience + "\n" + more;
}

std::vector<std::string> roles(const Object::Ptr& welcome)
{
	return welcome->has("roles") ? strings(welcome->getArray("roles")) : std::vector<std::string>{};
}

// The nicks a welcome marks verified (verifiedIndexes into users).
std::vector<std::string> verifiedUsers(const Object::Ptr& welcome)
{
	std::vector<std::string> out;
	if (!welcome->has("verifiedIndexes")) return out;
	const auto users = strings(welcome->getArray("users"));
	const auto indexes = welcome->getArray("verifiedIndexes");
	for (unsigned i = 0; i < indexes->size(); ++i) out.push_back(users.at(indexes->getElement<unsigned>(i)));
	return out;
}

bool verified(const Object::Ptr& event)
{
	return event->has("verified") && event->getValue<bool>("verified");
}

} // namespace

class SignedIdentityTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SignedIdentityTest);
	CPPUNIT_TEST(testHs256TokenJoinsVerifiedWithItsNameAndRoles);
	CPPUNIT_TEST(testTokenWithoutNameKeepsTheUrlsNick);
	CPPUNIT_TEST(testRs256TokenJoinsVerified);
	CPPUNIT_TEST(testRefusedHs256Tokens);
	CPPUNIT_TEST(testRefusedRs256Tokens);
	CPPUNIT_TEST(testGuestsStayGuestsByDefault);
	CPPUNIT_TEST(testWithoutGuestsTheJoinWaitsForAnAuthFrame);
	CPPUNIT_TEST(testWithoutGuestsAnythingButAValidTokenIs4401);
	CPPUNIT_TEST(testGuestBecomesVerifiedByAnAuthFrame);
	CPPUNIT_TEST(testAuthFrameWithoutJwtIsABadRequest);
	CPPUNIT_TEST(testExpiryThenRefresh);
	CPPUNIT_TEST(testExpiryWithoutRefreshCloses4401);
	CPPUNIT_TEST(testRefreshForAnotherSubjectIsRefused);
	CPPUNIT_TEST(testTokensAreNotLogged);
	CPPUNIT_TEST(testListKeysShowsTheAuthKeys);
	CPPUNIT_TEST_SUITE_END();

public:
	void testHs256TokenJoinsVerifiedWithItsNameAndRoles()
	{
		ChatServer server(jwtKeys(keyFile(Secret + "\n")));
		ChatClient guest(server.port, "/lobby?nick=Chi");
		CPPUNIT_ASSERT(!verified(guest.expect("welcome")));

		const std::string token = hs256(claims("user-1", 600, ",\"name\":\"An\",\"roles\":[\"moderator\",\"publisher\"]"));
		// The token's name wins over the URL's nick.
		ChatClient an(server.port, "/lobby?nick=Someone&token=" + token);
		const auto welcome = an.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(verified(welcome));
		CPPUNIT_ASSERT(roles(welcome) == std::vector<std::string>{"moderator"});

		const auto join = guest.expect("join");
		CPPUNIT_ASSERT_EQUAL(std::string("An"), join->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(verified(join));
		// A guest's join says nothing of it; its welcome lists who is verified.
		ChatClient other(server.port, "/lobby?nick=Dung");
		const auto otherWelcome = other.expect("welcome");
		CPPUNIT_ASSERT((strings(otherWelcome->getArray("users")) == std::vector<std::string>{"Chi", "An", "Dung"}));
		CPPUNIT_ASSERT(verifiedUsers(otherWelcome) == std::vector<std::string>{"An"});
		CPPUNIT_ASSERT(!verified(an.expect("join")));
	}

	void testTokenWithoutNameKeepsTheUrlsNick()
	{
		ChatServer server(jwtKeys(keyFile(Secret)));
		ChatClient client(server.port, "/lobby?nick=Binh&token=" + hs256(claims("user-2", 600)));
		const auto welcome = client.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("Binh"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(verified(welcome));
		CPPUNIT_ASSERT(!welcome->has("roles"));
	}

	void testRs256TokenJoinsVerified()
	{
		ChatServer server(jwtKeys(keyFile(publicPem(rsaKey()))));
		const std::string token = signRs256(Rs256Header, claims("user-3", 600, ",\"name\":\"Linh\",\"roles\":[\"admin\"]"), rsaKey());
		ChatClient client(server.port, "/lobby?token=" + token);
		const auto welcome = client.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("Linh"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(verified(welcome));
		CPPUNIT_ASSERT(roles(welcome) == std::vector<std::string>{"admin"});
	}

	void testRefusedHs256Tokens()
	{
		ChatServer server(jwtKeys(keyFile(Secret)));
		const std::string valid = hs256(claims("user-4", 600));
		const std::string payload = base64Url(claims("user-4", 600));
		const std::string refused[] = {
			hs256(claims("user-4", -5)),                                  // expired
			hs256(claims("user-4", 600), "another-secret-of-more-than-32-bytes!"), // wrong signature
			hs256(claims("user-4", 600, "", "another-service")),          // wrong audience
			base64Url(R"({"alg":"none","typ":"JWT"})") + "." + payload + ".", // alg none
			base64Url(R"({"alg":"none"})") + "." + payload + "." + valid.substr(valid.rfind('.') + 1), // alg none, a real signature
			valid.substr(0, valid.rfind('.') + 1) + "AAAA",                // signature replaced
			"not.a.jwt",                                                   // malformed
		};
		for (const auto& token : refused)
		{
			ChatClient client(server.port, "/lobby?nick=An&token=" + token);
			client.expectRefusal("unauthorized", Unauthorized);
		}
		// The server is fine: a valid one still joins.
		ChatClient client(server.port, "/lobby?nick=An&token=" + valid);
		CPPUNIT_ASSERT(verified(client.expect("welcome")));
	}

	void testRefusedRs256Tokens()
	{
		ChatServer server(jwtKeys(keyFile(publicPem(rsaKey()))));
		const std::string claimsNow = claims("user-5", 600);
		const KeyPair otherKey = newRsaKey();
		const std::string refused[] = {
			signRs256(Rs256Header, claims("user-5", -5), rsaKey()),                      // expired
			signRs256(Rs256Header, claimsNow, otherKey),                                  // wrong signature
			signRs256(Rs256Header, claims("user-5", 600, "", "another-service"), rsaKey()), // wrong audience
			base64Url(R"({"alg":"none"})") + "." + base64Url(claimsNow) + ".",          // alg none
			hs256(claimsNow, publicPem(rsaKey())),                                        // HS256 keyed with the public key
		};
		for (const auto& token : refused)
		{
			ChatClient client(server.port, "/lobby?nick=An&token=" + token);
			client.expectRefusal("unauthorized", Unauthorized);
		}
	}

	void testGuestsStayGuestsByDefault()
	{
		// allow_guests defaults to true: no token, or a nick token, joins.
		ChatServer server(jwtKeys(keyFile(Secret)));
		ChatClient plain(server.port, "/lobby?nick=An");
		CPPUNIT_ASSERT(!verified(plain.expect("welcome")));
		ChatClient nickToken(server.port, "/lobby?nick=Binh&token=AAAAAAAAAAAAAAAAAAAAAA");
		CPPUNIT_ASSERT(!verified(nickToken.expect("welcome")));
	}

	void testWithoutGuestsTheJoinWaitsForAnAuthFrame()
	{
		ChatServer server(jwtKeys(keyFile(Secret), "allow_guests = false\nauth_grace_ms = 5000\n"));
		ChatClient client(server.port, "/lobby?nick=Chi");
		// Nothing until the token comes.
		CPPUNIT_ASSERT_EQUAL(int(WsTestClient::Event::Timeout), int(client.ws.next(300).kind));
		client.send(authFrame(hs256(claims("user-6", 600, ",\"roles\":[\"moderator\"]"))));
		const auto welcome = client.expect("welcome");
		CPPUNIT_ASSERT_EQUAL(std::string("Chi"), welcome->getValue<std::string>("nick"));
		CPPUNIT_ASSERT(verified(welcome));
		CPPUNIT_ASSERT(roles(welcome) == std::vector<std::string>{"moderator"});
		client.send(say("hello"));
		CPPUNIT_ASSERT_EQUAL(std::string("hello"), client.expect("message")->getValue<std::string>("text"));

		// A URL token joins at once, as with guests.
		ChatClient withToken(server.port, "/lobby?token=" + hs256(claims("user-7", 600, ",\"name\":\"Dung\"")));
		CPPUNIT_ASSERT(verified(withToken.expect("welcome")));
	}

	void testWithoutGuestsAnythingButAValidTokenIs4401()
	{
		ChatServer server(jwtKeys(keyFile(Secret), "allow_guests = false\nauth_grace_ms = 400\n"));
		// No frame at all: closed once auth_grace_ms is over.
		{
			ChatClient silent(server.port, "/lobby?nick=An");
			const auto started = std::chrono::steady_clock::now();
			silent.expectRefusal("unauthorized", Unauthorized);
			const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();
			CPPUNIT_ASSERT_MESSAGE(std::to_string(waited), waited >= 350 && waited < 3000);
		}
		// A message first, a bad token in the frame, a nick token on the URL.
		{
			ChatClient chatty(server.port, "/lobby?nick=An");
			chatty.send(say("let me in"));
			chatty.expectRefusal("unauthorized", Unauthorized);
		}
		{
			ChatClient forged(server.port, "/lobby?nick=An");
			forged.send(authFrame(hs256(claims("user-8", 600), "another-secret-of-more-than-32-bytes!")));
			forged.expectRefusal("unauthorized", Unauthorized);
		}
		{
			ChatClient nickToken(server.port, "/lobby?nick=An&token=AAAAAAAAAAAAAAAAAAAAAA");
			nickToken.expectRefusal("unauthorized", Unauthorized);
		}
		// Nobody joined: a member list of one.
		ChatClient member(server.port, "/lobby?token=" + hs256(claims("user-9", 600, ",\"name\":\"Giang\"")));
		CPPUNIT_ASSERT(strings(member.expect("welcome")->getArray("users")) == std::vector<std::string>{"Giang"});
	}

	void testGuestBecomesVerifiedByAnAuthFrame()
	{
		ChatServer server(jwtKeys(keyFile(Secret)));
		ChatClient watcher(server.port, "/lobby?nick=Watcher");
		watcher.expect("welcome");
		ChatClient guest(server.port, "/lobby?nick=Visitor");
		CPPUNIT_ASSERT(!verified(guest.expect("welcome")));
		watcher.expect("join");

		guest.send(authFrame(hs256(claims("user-10", 600, ",\"name\":\"Khanh\",\"roles\":[\"moderator\"]"))));
		const auto authenticated = guest.expect("authenticated");
		CPPUNIT_ASSERT(verified(authenticated));
		CPPUNIT_ASSERT(strings(authenticated->getArray("roles")) == std::vector<std::string>{"moderator"});
		CPPUNIT_ASSERT(!authenticated->getValue<std::string>("from").empty());
		// Then the token's name, as any rename, seen by everyone.
		for (ChatClient* client : {&guest, &watcher})
		{
			const auto renamed = client->expect("nick");
			CPPUNIT_ASSERT_EQUAL(std::string("Visitor"), renamed->getValue<std::string>("old"));
			CPPUNIT_ASSERT_EQUAL(std::string("Khanh"), renamed->getValue<std::string>("nick"));
			CPPUNIT_ASSERT(verified(renamed));
		}
		ChatClient later(server.port, "/lobby?nick=Later");
		CPPUNIT_ASSERT(verifiedUsers(later.expect("welcome")) == std::vector<std::string>{"Khanh"});

		// Without a name, the nick stays and the member is verified all the same.
		ChatClient nameless(server.port, "/lobby?nick=Nameless");
		nameless.expect("welcome");
		nameless.send(authFrame(hs256(claims("user-10b", 600))));
		nameless.expect("authenticated");
		ChatClient last(server.port, "/lobby?nick=Last");
		CPPUNIT_ASSERT((verifiedUsers(last.expect("welcome")) == std::vector<std::string>{"Khanh", "Nameless"}));
	}

	void testAuthFrameWithoutJwtIsABadRequest()
	{
		ChatServer server;
		ChatClient client(server.port, "/lobby?nick=An");
		client.expect("welcome");
		client.send(authFrame(hs256(claims("user-11", 600))));
		client.expectRefusal("bad_request", 0);
		client.send(say("still here"));
		CPPUNIT_ASSERT_EQUAL(std::string("still here"), client.expect("message")->getValue<std::string>("text"));
	}

	// A token that runs out within the test: token_expired, frames refused
	// with it, then a fresh token and the connection goes on past the grace.
	void testExpiryThenRefresh()
	{
		ChatServer server(jwtKeys(keyFile(Secret), "auth_grace_ms = 1500\n"));
		ChatClient client(server.port, "/lobby?token=" + hs256(claims("user-12", 2, ",\"name\":\"Mai\"")));
		client.expect("welcome");
		client.expectRefusal("token_expired", 0);
		client.send(say("after expiry"));
		client.expectRefusal("token_expired", 0);

		client.send(authFrame(hs256(claims("user-12", 600, ",\"roles\":[\"admin\"]"))));
		const auto authenticated = client.expect("authenticated");
		CPPUNIT_ASSERT(strings(authenticated->getArray("roles")) == std::vector<std::string>{"admin"});
		CPPUNIT_ASSERT(authenticated->getValue<Poco::Int64>("exp") > nowSeconds() + 500);
		// Past the grace the connection is still open, and speaks.
		std::this_thread::sleep_for(std::chrono::milliseconds(2000));
		client.send(say("refreshed"));
		const auto message = client.expect("message");
		CPPUNIT_ASSERT_EQUAL(std::string("refreshed"), message->getValue<std::string>("text"));
		CPPUNIT_ASSERT_EQUAL(std::string("Mai"), message->getValue<std::string>("nick"));
	}

	void testExpiryWithoutRefreshCloses4401()
	{
		ChatServer server(jwtKeys(keyFile(Secret), "auth_grace_ms = 500\n"));
		ChatClient watcher(server.port, "/lobby?nick=Watcher");
		watcher.expect("welcome");
		ChatClient client(server.port, "/lobby?token=" + hs256(claims("user-13", 1, ",\"name\":\"Nga\"")));
		client.expect("welcome");
		watcher.expect("join");
		client.expectRefusal("token_expired", 0);
		client.expectRefusal("unauthorized", Unauthorized);
		CPPUNIT_ASSERT_EQUAL(std::string("Nga"), watcher.expect("leave")->getValue<std::string>("nick"));
	}

	void testRefreshForAnotherSubjectIsRefused()
	{
		ChatServer server(jwtKeys(keyFile(Secret)));
		ChatClient client(server.port, "/lobby?token=" + hs256(claims("user-14", 600, ",\"name\":\"Oanh\"")));
		client.expect("welcome");
		// The same subject refreshes...
		client.send(authFrame(hs256(claims("user-14", 900))));
		client.expect("authenticated");
		// ...another one is refused, and so is a bad token.
		client.send(authFrame(hs256(claims("user-15", 900))));
		client.expectRefusal("unauthorized", Unauthorized);

		ChatClient second(server.port, "/lobby?token=" + hs256(claims("user-16", 600, ",\"name\":\"Phuong\"")));
		second.expect("welcome");
		second.send(authFrame(hs256(claims("user-16", -1))));
		second.expectRefusal("unauthorized", Unauthorized);
	}

	void testTokensAreNotLogged()
	{
		// The chat listener at debug level, the access log (which writes
		// the upgrade request's URI) on: a token is in neither.
		ChatServer server(jwtKeys(keyFile(Secret), "\n[logging.loggers.chat]\nname = webchat.chat\nlevel = debug\n"));
		const std::string good = hs256(claims("user-17", 600, ",\"name\":\"Quang\""));
		const std::string bad = hs256(claims("user-17", 600), "another-secret-of-more-than-32-bytes!");
		{
			ChatClient client(server.port, "/lobby?token=" + good);
			client.expect("welcome");
			client.send(authFrame(bad));
			client.expectRefusal("unauthorized", Unauthorized);
		}
		{
			ChatClient client(server.port, "/lobby?token=" + bad);
			client.expectRefusal("unauthorized", Unauthorized);
		}
		CPPUNIT_ASSERT(server.process->waitForOutput("signature does not verify", 2));
		const std::string output = server.process->output();
		// The upgrades were logged.
		CPPUNIT_ASSERT_MESSAGE(output, output.find("GET /lobby?") != std::string::npos);
		for (const std::string& token : {good, bad})
		{
			// Not the token, nor its signature alone.
			CPPUNIT_ASSERT_MESSAGE(output, output.find(token) == std::string::npos);
			CPPUNIT_ASSERT_MESSAGE(output, output.find(token.substr(token.rfind('.') + 1)) == std::string::npos);
		}
	}

	void testListKeysShowsTheAuthKeys()
	{
		ServerProcess process({"--list-keys"});
		CPPUNIT_ASSERT_EQUAL(0, process.waitForExit(Poco::Timespan(10, 0)));
		const std::string output = process.output();
		for (const char* key : {"auth", "jwt_key_file", "jwt_issuer", "jwt_audience", "allow_guests", "auth_grace_ms"})
			CPPUNIT_ASSERT_MESSAGE(std::string(key) + "\n" + output, output.find(std::string("\n") + key + " ") != std::string::npos || output.find(std::string(" ") + key + " ") != std::string::npos);
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SignedIdentityTest);
