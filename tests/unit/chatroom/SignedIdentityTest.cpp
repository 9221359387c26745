// SignedIdentity: what a verified token makes of a connection (its public
// id, the holder of its reserved name, its roles, the refusals, the steady
// expiry), and how the events show a verified speaker.
#include "RoomState.h"
#include "ServerEvents.h"
#include "auth/SignedIdentity.h"

#include "Poco/JSON/Array.h"
#include "Poco/JSON/Object.h"
#include "Poco/JSON/Parser.h"

#include <cppunit/extensions/HelperMacros.h>

#include <cctype>
#include <limits>
#include <set>

using namespace webchat::chatroom;
using namespace webchat::chatroom::auth;

namespace {

Poco::JSON::Object::Ptr parse(const std::string& json)
{
	Poco::JSON::Parser parser;
	return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

const std::uint8_t Moderator = static_cast<std::uint8_t>(Role::Moderator);
const std::uint8_t Admin = static_cast<std::uint8_t>(Role::Admin);

} // namespace

class SignedIdentityTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(SignedIdentityTest);
	CPPUNIT_TEST(testPublicIdIsStableShortAndHidesTheSubject);
	CPPUNIT_TEST(testHolderIsTheSubjectsHash);
	CPPUNIT_TEST(testSpeakerOfAnIdentity);
	CPPUNIT_TEST(testRoleNames);
	CPPUNIT_TEST(testEveryRefusalIsUnauthorized4401);
	CPPUNIT_TEST(testSteadyExpiry);
	CPPUNIT_TEST(testWelcomeAndJoinOfAVerifiedSpeaker);
	CPPUNIT_TEST(testGuestEventsAreUnchanged);
	CPPUNIT_TEST(testAuthenticatedEvent);
	CPPUNIT_TEST(testVerifiedMembersFollowRenamesAndLeaves);
	CPPUNIT_TEST(testWelcomeListsVerifiedMembers);
	CPPUNIT_TEST(testNickEventOfAVerifiedSpeaker);
	CPPUNIT_TEST_SUITE_END();

public:
	void testPublicIdIsStableShortAndHidesTheSubject()
	{
		const std::string id = publicIdOfSubject("alice@example.com");
		CPPUNIT_ASSERT_EQUAL(PublicIdLength, id.size());
		CPPUNIT_ASSERT_EQUAL(id, publicIdOfSubject("alice@example.com"));
		CPPUNIT_ASSERT(id.find("alice") == std::string::npos);
		for (char c : id) CPPUNIT_ASSERT_MESSAGE(id, std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_');
		// SHA-256 of "webchat subject\nalice@example.com", base64url: the
		// value is fixed, so ids survive restarts and match across instances.
		CPPUNIT_ASSERT_EQUAL(std::string("VCOboD_2-lht6saU9jQMAz"), id);
		std::set<std::string> ids;
		for (const char* subject : {"alice", "Alice", "alice ", "bob", "1", "2"}) ids.insert(publicIdOfSubject(subject));
		CPPUNIT_ASSERT_EQUAL(std::size_t(6), ids.size());
	}

	void testHolderIsTheSubjectsHash()
	{
		// sha256("abc"), the FIPS 180-2 example.
		CPPUNIT_ASSERT_EQUAL(std::string("sub:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"), holderOfSubject("abc"));
		CPPUNIT_ASSERT(holderOfSubject("abc") != holderOfSubject("abd"));
	}

	void testSpeakerOfAnIdentity()
	{
		Identity identity;
		identity.subject = "user-42";
		identity.name = "An";
		identity.roles = Moderator;
		identity.expiresAt = 1800000000;
		const Speaker speaker = speakerOf(identity);
		CPPUNIT_ASSERT_EQUAL(publicIdOfSubject("user-42"), speaker.from);
		CPPUNIT_ASSERT(speaker.verified);
		CPPUNIT_ASSERT(speaker.has(Role::Moderator));
		CPPUNIT_ASSERT(!speaker.has(Role::Admin));
		CPPUNIT_ASSERT_EQUAL(std::string("user-42"), speaker.subject);
	}

	void testRoleNames()
	{
		CPPUNIT_ASSERT(roleNames(0).empty());
		CPPUNIT_ASSERT(roleNames(Moderator) == std::vector<std::string>{"moderator"});
		CPPUNIT_ASSERT(roleNames(Admin) == std::vector<std::string>{"admin"});
		CPPUNIT_ASSERT((roleNames(Admin | Moderator) == std::vector<std::string>{"moderator", "admin"}));
	}

	void testEveryRefusalIsUnauthorized4401()
	{
		std::set<std::string> messages;
		for (TokenError error : {TokenError::TooLong, TokenError::Malformed, TokenError::AlgorithmNotAllowed, TokenError::BadSignature, TokenError::WrongIssuer,
				 TokenError::WrongAudience, TokenError::Expired, TokenError::NotYetValid, TokenError::MissingSubject, TokenError::BadClaims})
		{
			const ChatError refused = refusal(error);
			CPPUNIT_ASSERT_EQUAL(std::string("unauthorized"), refused.code);
			CPPUNIT_ASSERT_EQUAL(int(CloseCodes::Unauthorized), int(refused.closeCode));
			CPPUNIT_ASSERT_EQUAL(4401, int(refused.closeCode));
			messages.insert(refused.message);
		}
		// Each says what was wrong.
		CPPUNIT_ASSERT_EQUAL(std::size_t(10), messages.size());
	}

	void testSteadyExpiry()
	{
		// exp 1000 s after the epoch, wall clock at 990.5 s: 9.5 s left.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(50000 + 9500), steadyExpiry(1000, 990500, 50000));
		// Already past, or exactly now: due at once.
		CPPUNIT_ASSERT_EQUAL(std::int64_t(50000), steadyExpiry(1000, 1000000, 50000));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(50000), steadyExpiry(1000, 2000000, 50000));
		CPPUNIT_ASSERT_EQUAL(std::int64_t(50000), steadyExpiry(std::numeric_limits<std::int64_t>::min(), 2000000, 50000));
		// Far future: saturates, never overflows.
		constexpr auto Largest = std::numeric_limits<std::int64_t>::max();
		CPPUNIT_ASSERT_EQUAL(Largest, steadyExpiry(Largest, 2000000, 50000));
		CPPUNIT_ASSERT_EQUAL(Largest, steadyExpiry(Largest / 1000, 0, Largest - 10));
	}

	void testWelcomeAndJoinOfAVerifiedSpeaker()
	{
		RoomState state({});
		state.restore("0123456789abcdef", 0, {});
		state.join(Name::of("An"));
		Speaker speaker;
		speaker.from = "abc";
		speaker.verified = true;
		speaker.roles = Moderator | Admin;
		const std::string welcome = ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt), speaker);
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"welcome","room":"lobby","nick":"An","verified":true,"roles":["moderator","admin"],"users":["An"],"history":[],"lastId":0,"epoch":"0123456789abcdef","from":"abc"})"), welcome);
		CPPUNIT_ASSERT(parse(welcome)->getValue<bool>("verified"));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"join","nick":"An","verified":true,"ts":5})"), ServerEvents::join("An", 5, true));
		CPPUNIT_ASSERT(parse(ServerEvents::join("\"<An>\"", 5, true))->getValue<bool>("verified"));
	}

	void testGuestEventsAreUnchanged()
	{
		RoomState state({});
		state.restore("e", 0, {});
		state.join(Name::of("An"));
		CPPUNIT_ASSERT_EQUAL(ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt)),
			ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt), Speaker()));
		CPPUNIT_ASSERT(!parse(ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt)))->has("verified"));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"join","nick":"An","ts":5})"), ServerEvents::join("An", 5, false));
	}

	void testAuthenticatedEvent()
	{
		Identity identity;
		identity.subject = "user-42";
		identity.roles = Moderator;
		const auto event = parse(ServerEvents::authenticated(speakerOf(identity), 1800000000));
		CPPUNIT_ASSERT_EQUAL(std::string("authenticated"), event->getValue<std::string>("type"));
		CPPUNIT_ASSERT_EQUAL(publicIdOfSubject("user-42"), event->getValue<std::string>("from"));
		CPPUNIT_ASSERT(event->getValue<bool>("verified"));
		CPPUNIT_ASSERT_EQUAL(std::size_t(1), event->getArray("roles")->size());
		CPPUNIT_ASSERT_EQUAL(std::string("moderator"), event->getArray("roles")->getElement<std::string>(0));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(1800000000), event->getValue<Poco::Int64>("exp"));
		// The subject itself is never sent.
		CPPUNIT_ASSERT(ServerEvents::authenticated(speakerOf(identity), 1).find("user-42") == std::string::npos);
	}

	void testVerifiedMembersFollowRenamesAndLeaves()
	{
		RoomState state({});
		CPPUNIT_ASSERT(state.join(Name::of("An"), true) == RoomState::Join::Joined);
		CPPUNIT_ASSERT(state.join(Name::of("Binh")) == RoomState::Join::Joined);
		CPPUNIT_ASSERT(state.isVerified(Name::of("An").key));
		CPPUNIT_ASSERT(!state.isVerified(Name::of("Binh").key));
		// A refused join changes nothing.
		CPPUNIT_ASSERT(state.join(Name::of("Binh"), true) == RoomState::Join::NickTaken);
		CPPUNIT_ASSERT(!state.isVerified(Name::of("Binh").key));

		CPPUNIT_ASSERT(state.rename(Name::of("An").key, Name::of("An Nguyen")) == RoomState::Rename::Renamed);
		CPPUNIT_ASSERT(state.isVerified(Name::of("An Nguyen").key));
		CPPUNIT_ASSERT(!state.isVerified(Name::of("An").key));
		// A guest taking the old nick is not verified by it.
		CPPUNIT_ASSERT(state.join(Name::of("An")) == RoomState::Join::Joined);
		CPPUNIT_ASSERT(!state.isVerified(Name::of("An").key));

		state.setVerified(Name::of("Binh").key);
		CPPUNIT_ASSERT(state.isVerified(Name::of("Binh").key));
		state.setVerified(Name::of("Nobody").key);
		CPPUNIT_ASSERT(!state.isVerified(Name::of("Nobody").key));

		CPPUNIT_ASSERT(state.leave(Name::of("An Nguyen").key));
		CPPUNIT_ASSERT(state.leave(Name::of("Binh").key));
		CPPUNIT_ASSERT(!state.anyVerified());
		// Someone joining later under a verified member's old nick is a guest.
		CPPUNIT_ASSERT(state.join(Name::of("Binh")) == RoomState::Join::Joined);
		CPPUNIT_ASSERT(!state.isVerified(Name::of("Binh").key));
	}

	void testWelcomeListsVerifiedMembers()
	{
		RoomState state({});
		state.restore("e", 0, {});
		state.join(Name::of("Chi"), true);
		state.join(Name::of("Dung"));
		state.join(Name::of("An"), true);
		const auto welcome = parse(ServerEvents::welcome("lobby", "An", state, state.resume(std::nullopt)));
		CPPUNIT_ASSERT_EQUAL(std::size_t(3), welcome->getArray("users")->size());
		// Indexes into users: Chi and An.
		const auto verifiedIndexes = welcome->getArray("verifiedIndexes");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), verifiedIndexes->size());
		CPPUNIT_ASSERT_EQUAL(0, verifiedIndexes->getElement<int>(0));
		CPPUNIT_ASSERT_EQUAL(2, verifiedIndexes->getElement<int>(1));
		// None verified: no field at all.
		RoomState guests({});
		guests.restore("e", 0, {});
		guests.join(Name::of("Dung"));
		CPPUNIT_ASSERT(!parse(ServerEvents::welcome("lobby", "Dung", guests, guests.resume(std::nullopt)))->has("verifiedIndexes"));
	}

	void testNickEventOfAVerifiedSpeaker()
	{
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"nick","old":"Chi","nick":"Chi Mai","verified":true,"ts":7})"), ServerEvents::nick("Chi", "Chi Mai", 7, true));
		CPPUNIT_ASSERT_EQUAL(std::string(R"({"type":"nick","old":"Chi","nick":"Chi Mai","ts":7})"), ServerEvents::nick("Chi", "Chi Mai", 7));
		// A nick holding what looks like the time field does not move it.
		const auto tricky = parse(ServerEvents::nick(",\"ts\":1", "x,\"ts\":2", 7, true));
		CPPUNIT_ASSERT(tricky->getValue<bool>("verified"));
		CPPUNIT_ASSERT_EQUAL(std::string("x,\"ts\":2"), tricky->getValue<std::string>("nick"));
		CPPUNIT_ASSERT_EQUAL(Poco::Int64(7), tricky->getValue<Poco::Int64>("ts"));
	}
};

CPPUNIT_TEST_SUITE_REGISTRATION(SignedIdentityTest);
