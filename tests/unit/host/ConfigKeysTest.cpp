// ConfigKeys.h and KeyCheck: reading through a key table (defaults, ranges,
// choices, refusals naming the key), settings members filled from a table,
// and unknown keys refused with a suggestion.

#include "KeyCheck.h"
#include "webchat/ConfigKeys.h"

#include "NativePath.h"

#include "Poco/AutoPtr.h"
#include "Poco/Exception.h"
#include "Poco/Util/MapConfiguration.h"
#include "Poco/Util/OptionException.h"

#include <cppunit/extensions/HelperMacros.h>

using webchat::ConfigKey;
using webchat::ConfigReader;
using webchat::ConfigTable;
using webchat::SettingsTable;

namespace {

struct Limits
{
	std::size_t items = 0;
	int level = 0;
	double rate = 0;
	std::string mode;
	std::string name;
	std::string unbound = "untouched";
	bool open = false;
};

const SettingsTable<Limits>& limitKeys()
{
	static const SettingsTable<Limits> table{"limits", {
		{ConfigKey::integer("items", 100, 1, 1000, "items", "items kept"), &Limits::items},
		{ConfigKey::integer("level", -1, -5, 5, "", "a level"), &Limits::level},
		{ConfigKey::number("rate", 2.5, 0.5, 10, "/s", "a rate"), &Limits::rate},
		{ConfigKey::choice("mode", "fast", {"fast", "safe"}, "how to go"), &Limits::mode},
		{ConfigKey::text("name", "", "who").mandatory(), &Limits::name},
		{ConfigKey::text("secret", "", "never shown").hidden().notEmpty()},
		{ConfigKey::choice("protocol", "tlsv1.2", {"tlsv1.2", "tlsv1.3"}, "any case").caseInsensitive()},
		{ConfigKey::path("root", "${base}/htdocs", "a folder")},
		{ConfigKey::flag("open", true, "open or not"), &Limits::open},
	}};
	return table;
}

} // namespace

class ConfigKeysTest: public CppUnit::TestFixture
{
	CPPUNIT_TEST_SUITE(ConfigKeysTest);
	CPPUNIT_TEST(testDefaultsFillMembers);
	CPPUNIT_TEST(testValuesFillMembers);
	CPPUNIT_TEST(testIntegerOutOfRangeOrNotANumber);
	CPPUNIT_TEST(testNumberOutOfRange);
	CPPUNIT_TEST(testChoiceIsExactUnlessCaseInsensitive);
	CPPUNIT_TEST(testFlag);
	CPPUNIT_TEST(testResolvedPaths);
	CPPUNIT_TEST(testMissingRequiredKey);
	CPPUNIT_TEST(testEmptyValueMeansDefaultUnlessRefused);
	CPPUNIT_TEST(testHiddenValueNeverShown);
	CPPUNIT_TEST(testPrefixNamesTheKey);
	CPPUNIT_TEST(testDefaultIsExpanded);
	CPPUNIT_TEST(testUndeclaredKeyIsAProgrammingError);
	CPPUNIT_TEST(testTableOfParts);
	CPPUNIT_TEST(testClosestKeyName);
	CPPUNIT_TEST(testKeysBelowAtAnyDepth);
	CPPUNIT_TEST(testRefuseUnknownSuggests);
	CPPUNIT_TEST_SUITE_END();

public:
	void setUp() override
	{
		section = new Poco::Util::MapConfiguration;
		section->setString("name", "probe");
	}

	void testDefaultsFillMembers()
	{
		const Limits s = read();
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), s.items);
		CPPUNIT_ASSERT_EQUAL(-1, s.level);
		CPPUNIT_ASSERT_EQUAL(2.5, s.rate);
		CPPUNIT_ASSERT_EQUAL(std::string("fast"), s.mode);
		CPPUNIT_ASSERT_EQUAL(std::string("probe"), s.name);
		CPPUNIT_ASSERT_EQUAL(std::string("untouched"), s.unbound);
	}

	void testValuesFillMembers()
	{
		section->setString("items", " 1000 ");
		section->setString("level", "-5");
		section->setString("rate", "0.5");
		section->setString("mode", "safe");
		const Limits s = read();
		CPPUNIT_ASSERT_EQUAL(std::size_t(1000), s.items);
		CPPUNIT_ASSERT_EQUAL(-5, s.level);
		CPPUNIT_ASSERT_EQUAL(0.5, s.rate);
		CPPUNIT_ASSERT_EQUAL(std::string("safe"), s.mode);
	}

	void testIntegerOutOfRangeOrNotANumber()
	{
		for (const char* bad : {"0", "1001", "ten", "1.5", "1e3", "99999999999999999999999"})
		{
			section->setString("items", bad);
			CPPUNIT_ASSERT_EQUAL(std::string("items = ") + bad + ": expected a whole number from 1 to 1000", refusal());
		}
	}

	void testNumberOutOfRange()
	{
		for (const char* bad : {"0.4", "10.5", "nan", "inf", "fast"})
		{
			section->setString("rate", bad);
			CPPUNIT_ASSERT_EQUAL(std::string("rate = ") + bad + ": expected a number from 0.5 to 10", refusal());
		}
	}

	void testChoiceIsExactUnlessCaseInsensitive()
	{
		section->setString("mode", "Fast");
		CPPUNIT_ASSERT_EQUAL(std::string("mode = Fast: expected fast or safe"), refusal());
		section->setString("mode", "fast");
		section->setString("protocol", "TLSv1.3");
		CPPUNIT_ASSERT_EQUAL(std::string("tlsv1.3"), reader().choice("protocol"));
		section->setString("protocol", "sslv3");
		CPPUNIT_ASSERT_THROW(reader().choice("protocol"), Poco::InvalidArgumentException);
	}

	void testFlag()
	{
		CPPUNIT_ASSERT(read().open);
		section->setString("open", "FALSE");
		CPPUNIT_ASSERT(!read().open);
		section->setString("open", "no");
		CPPUNIT_ASSERT_EQUAL(std::string("open = no: expected true or false"), refusal());
	}

	void testResolvedPaths()
	{
		section->setString("application.configDir", "/etc/webchat");
		section->setString("root", "site/../htdocs");
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/etc/webchat/htdocs"), reader().resolvedPath("root"));
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/etc/webchat/htdocs"), reader().resolvedFilePath("root"));
		section->setString("root", "/srv/page");
		CPPUNIT_ASSERT_EQUAL(webchat::test::nativePath("/srv/page"), reader().resolvedPath("root"));
		section->setString("root", "data/");
		CPPUNIT_ASSERT_THROW(reader().resolvedFilePath("root"), Poco::InvalidArgumentException);
	}

	void testMissingRequiredKey()
	{
		section->remove("name");
		CPPUNIT_ASSERT_THROW(read(), Poco::Util::MissingOptionException);
		section->setString("name", "  ");
		CPPUNIT_ASSERT_THROW(read(), Poco::Util::MissingOptionException);
	}

	void testEmptyValueMeansDefaultUnlessRefused()
	{
		section->setString("items", "");
		CPPUNIT_ASSERT_EQUAL(std::size_t(100), read().items);
		CPPUNIT_ASSERT(!reader().hasValue("items"));
		CPPUNIT_ASSERT(reader().isSet("items"));
		section->setString("secret", "");
		CPPUNIT_ASSERT_THROW(reader().text("secret"), Poco::InvalidArgumentException);
	}

	void testHiddenValueNeverShown()
	{
		section->setString("secret", "hunter2");
		CPPUNIT_ASSERT_EQUAL(std::string("hunter2"), reader().text("secret"));
		try
		{
			reader().refuse("secret", "hunter2", "too short");
			CPPUNIT_FAIL("refuse() returned");
		}
		catch (const Poco::InvalidArgumentException& exc)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("secret = (hidden): too short"), exc.message());
		}
	}

	void testPrefixNamesTheKey()
	{
		section->setString("items", "0");
		try
		{
			limitKeys().read(ConfigReader(limitKeys(), *section, "listeners.x."), *std::make_unique<Limits>());
			CPPUNIT_FAIL("no exception");
		}
		catch (const Poco::InvalidArgumentException& exc)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("listeners.x.items = 0: expected a whole number from 1 to 1000"), exc.message());
		}
	}

	void testDefaultIsExpanded()
	{
		section->setString("base", "/srv/chat");
		CPPUNIT_ASSERT_EQUAL(std::string("/srv/chat/htdocs"), reader().path("root"));
	}

	void testUndeclaredKeyIsAProgrammingError()
	{
		CPPUNIT_ASSERT_THROW(reader().text("nosuch"), Poco::NotFoundException);
		// Read as another type than declared.
		CPPUNIT_ASSERT_THROW(reader().text("items"), Poco::IllegalStateException);
	}

	void testTableOfParts()
	{
		const ConfigTable own{"own", {ConfigKey::text("extra", "x", "one more")}};
		const ConfigTable joined{"joined", {&limitKeys(), &own}, {ConfigKey::text("last", "", "its own")}};
		CPPUNIT_ASSERT_EQUAL(limitKeys().keys().size() + 2, joined.keys().size());
		CPPUNIT_ASSERT_EQUAL(std::string("items"), joined.keys().front().name);
		CPPUNIT_ASSERT_EQUAL(std::string("last"), joined.keys().back().name);
		CPPUNIT_ASSERT(joined.find("extra"));
		CPPUNIT_ASSERT(!joined.find("nosuch"));
	}

	void testClosestKeyName()
	{
		const std::vector<std::string> names{"history_size", "history_bytes", "max_text_bytes", "port", "threads"};
		CPPUNIT_ASSERT_EQUAL(std::string("history_size"), webchat::closestKeyName("histroy_size", names));
		CPPUNIT_ASSERT_EQUAL(std::string("max_text_bytes"), webchat::closestKeyName("max_text_byts", names));
		CPPUNIT_ASSERT_EQUAL(std::string("threads"), webchat::closestKeyName("Threads", names));
		CPPUNIT_ASSERT_EQUAL(std::string("port"), webchat::closestKeyName("prot", names));
		CPPUNIT_ASSERT_EQUAL(std::string(""), webchat::closestKeyName("colour", names));
		CPPUNIT_ASSERT_EQUAL(std::string(""), webchat::closestKeyName("x", {}));
	}

	void testKeysBelowAtAnyDepth()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
		config->setString("listeners.chat.port", "8000");
		config->setString("listeners.chat.tls.certificate", "x");
		config->setString("listeners.page.port", "8080");
		const auto keys = webchat::KeyCheck::keysBelow(*config, "listeners.chat");
		CPPUNIT_ASSERT_EQUAL(std::size_t(2), keys.size());
		CPPUNIT_ASSERT_EQUAL(std::string("port"), keys[0]);
		CPPUNIT_ASSERT_EQUAL(std::string("tls.certificate"), keys[1]);
	}

	void testRefuseUnknownSuggests()
	{
		Poco::AutoPtr<Poco::Util::MapConfiguration> config(new Poco::Util::MapConfiguration);
		config->setString("listeners.chat.items", "5");
		CPPUNIT_ASSERT_NO_THROW(webchat::KeyCheck::refuseUnknown(*config, "listeners.chat", {&limitKeys()}));
		config->setString("listeners.chat.itme", "5");
		try
		{
			webchat::KeyCheck::refuseUnknown(*config, "listeners.chat", {&limitKeys()});
			CPPUNIT_FAIL("no exception");
		}
		catch (const Poco::InvalidArgumentException& exc)
		{
			CPPUNIT_ASSERT_EQUAL(std::string("unknown key listeners.chat.itme (did you mean items?)"), exc.message());
		}
	}

private:
	ConfigReader reader() const { return ConfigReader(limitKeys(), *section); }

	Limits read() const
	{
		Limits s;
		limitKeys().read(*section, s);
		return s;
	}

	std::string refusal() const
	{
		try
		{
			read();
		}
		catch (const Poco::InvalidArgumentException& exc)
		{
			return exc.message();
		}
		return "(accepted)";
	}

	Poco::AutoPtr<Poco::Util::MapConfiguration> section;
};

CPPUNIT_TEST_SUITE_REGISTRATION(ConfigKeysTest);
